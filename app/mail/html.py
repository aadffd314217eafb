"""HTML mail made safe to show: sanitized with nh3 (ammonia) for mail, remote images held back
until the reader allows them, and the policy of the sandboxed frame the body is shown in.

Three layers, each enough against script on its own: the sanitizer (an allow-list: no script,
style, forms, frames, event handlers or javascript: URLs; CSS only through a property allow-list
that leaves out everything able to load a URL or cover the page), the iframe's `sandbox` without
scripts, and `MAIL_FRAME_CSP`. Remote loads (tracking pixels) are held back the same layered way:
`block_remote_images` rewrites them and the CSP refuses any that slipped through.
"""

from __future__ import annotations

import html as htmllib
import logging
import re

import nh3

TAGS = {
    "a", "abbr", "address", "article", "b", "bdi", "bdo", "big", "blockquote", "br", "caption",
    "center", "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em",
    "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s",
    "samp", "section", "small", "span", "strike", "strong", "sub", "summary", "details", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
}
# Dropped with everything inside: the content of these is code, metadata or form controls.
CLEAN_CONTENT_TAGS = {
    "script", "style", "title", "head", "template", "noscript", "textarea", "select", "option",
    "iframe", "frame", "frameset", "object", "applet", "embed", "svg", "math", "button",
}
_TABLE_ATTRIBUTES = {"width", "height", "align", "valign", "bgcolor", "border", "cellpadding",
                     "cellspacing", "colspan", "rowspan", "nowrap", "span"}
ATTRIBUTES = {
    "*": {"style", "dir", "lang", "title", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "border", "hspace", "vspace"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type", "reversed"}, "ul": {"type"}, "li": {"value", "type"},
    "time": {"datetime"}, "bdo": {"dir"}, "details": {"open"},
    **{tag: _TABLE_ATTRIBUTES for tag in ("table", "tbody", "thead", "tfoot", "tr", "td", "th",
                                          "col", "colgroup", "caption")},
    "div": {"width", "height"}, "p": {"width"}, "hr": {"width", "size", "noshade", "color"},
}
URL_SCHEMES = {"http", "https", "mailto", "cid", "tel", "data"}
# No background(-image), list-style-image, border-image, content, cursor (they load URLs), no
# position / z-index / transform (a mail drawing a fake login box over the page).
STYLE_PROPERTIES = {
    "color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight",
    "font-variant", "text-align", "text-decoration", "text-indent", "text-transform",
    "letter-spacing", "word-spacing", "line-height", "white-space", "word-break", "word-wrap",
    "overflow-wrap", "vertical-align", "direction", "unicode-bidi",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-color",
    "border-style", "border-width", "border-collapse", "border-spacing", "border-radius",
    "border-top-color", "border-right-color", "border-bottom-color", "border-left-color",
    "border-top-style", "border-right-style", "border-bottom-style", "border-left-style",
    "border-top-width", "border-right-width", "border-bottom-width", "border-left-width",
    "width", "height", "max-width", "min-width", "max-height", "min-height",
    "display", "float", "clear", "table-layout", "text-overflow", "list-style-type",
    "list-style-position", "caption-side", "empty-cells", "opacity", "visibility",
}
_DATA_IMAGE = re.compile(r"data:image/(?:png|gif|jpeg|jpg|webp|bmp);base64,", re.IGNORECASE)
_CSS_URL = re.compile(r"url\s*\(|image-set|@import|expression\s*\(|\\", re.IGNORECASE)
MAX_HTML_CHARS = 4_000_000
log = logging.getLogger(__name__)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # data: only as an inline image (a data:text/html link would be a page under our name)
    if attribute in ("href", "src") and value.lstrip()[:5].lower() == "data:":
        return value if tag == "img" and attribute == "src" and _DATA_IMAGE.match(value.lstrip()) else None
    if attribute == "style":
        # belt and braces: the property list already leaves out what loads URLs
        return ";".join(d for d in value.split(";") if not _CSS_URL.search(d))
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags=CLEAN_CONTENT_TAGS,
    attributes=ATTRIBUTES,
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes=URL_SCHEMES,
    filter_style_properties=STYLE_PROPERTIES,
    url_relative="deny",  # a relative or //host URL would resolve against Kizuna's own origin
)


# html5ever (under nh3 0.3.7) panics on <meta http-equiv="content-type" content="...charset">;
# a panic is a BaseException, not an Exception. Meta elements are dropped anyway, so they are
# renamed before the parser sees one (an unknown element, dropped like any other).
_META = re.compile(r"<(/?)meta(?=[\s/>])", re.IGNORECASE)


def _clean(html: str) -> str:
    html = _META.sub(r"<\1x-meta", html[:MAX_HTML_CHARS].replace("\x00", ""))
    try:
        return _CLEANER.clean(html)
    except BaseException as error:  # noqa: BLE001 - a Rust panic surfaces as a BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        log.warning("HTML sanitizer failed (%s): the mail is shown as escaped text", type(error).__name__)
        return "<pre>" + htmllib.escape(html) + "</pre>"


def sanitize(html: str) -> str:
    """The mail's HTML with only safe markup left; cid: references kept for the caller to map
    to its attachment URLs, remote images kept (see block_remote_images)."""
    if not html:
        return ""
    return _clean(html)


# 1x1 transparent GIF: keeps the layout of width/height-sized images while they are held back.
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
_SRC = re.compile(r'(\s)src="([^"]*)"')


def block_remote_images(html: str) -> tuple[str, int]:
    """Sanitized HTML with every remote image (http, https, protocol-relative, anything but
    cid: and data:) moved to data-src behind a placeholder; (html, how many were held back).
    The reader's "show images" puts data-src back (a few lines of static JS)."""
    blocked = 0

    def rewrite(tag: re.Match[str]) -> str:
        nonlocal blocked

        def swap(src: re.Match[str]) -> str:
            nonlocal blocked
            url = htmllib.unescape(src.group(2)).strip().lower()
            if url.startswith(("cid:", "data:")):
                return src.group(0)
            blocked += 1
            return f'{src.group(1)}src="{PLACEHOLDER}" data-src="{src.group(2)}" data-blocked="1"'

        return _SRC.sub(swap, tag.group(0))

    return _IMG_TAG.sub(rewrite, html), blocked


# nh3 serializes attributes in double quotes with '"' escaped, but '>' may stay raw inside a
# value: a tag ends at the first '>' outside quotes.
_IMG_TAG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>', re.IGNORECASE)


def frame_csp(*, remote_images: bool = False) -> str:
    """Content-Security-Policy for the response that serves a mail body into its iframe: no
    script, no plugins, no forms, no connections; images from Kizuna (cid: parts served by it)
    and data:, plus http(s) once the reader allowed remote images."""
    images = "'self' data: https: http:" if remote_images else "'self' data:"
    return "; ".join([
        "default-src 'none'",
        f"img-src {images}",
        "style-src 'unsafe-inline'",  # mail is styled inline; the sanitizer filtered each property
        "font-src 'none'",
        "script-src 'none'",
        "object-src 'none'",
        "frame-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
        "sandbox allow-popups allow-popups-to-escape-sandbox",
    ])


MAIL_FRAME_CSP = frame_csp()

# --- HTML to plain text (a mail with only an HTML body still needs a text for search and lists)

_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|tr|li|h[1-6]|blockquote|pre|table|dt|dd|ul|ol|"
                        r"section|article|header|footer|address|figure|figcaption|caption)>|<hr\s*/?>",
                        re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_ANY_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def to_text(html: str) -> str:
    """Readable text of (any) HTML: script/style content gone, block ends as line breaks."""
    if not html:
        return ""
    clean = _clean(html)
    # HTML whitespace collapses; block ends become the only line breaks
    flat = _SPACES.sub(" ", clean)
    flat = _BLOCK_END.sub("\n", flat)
    flat = _CELL_END.sub("\t", flat)
    text = htmllib.unescape(_ANY_TAG.sub("", flat))
    lines = (line.strip(" \t") for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
