"""What a reader of a long or stamped document sees: continuation pages that say whose they are
(title, number, page of pages) and repeat the table head, bold weights when a bold face is
installed beside the regular one (and the regular face when not), the company seal (角印) beside
the issuer only when one was uploaded."""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from app.pdf.document import Line
from app.pdf.fonts import font_set
from app.pdf.render import render_pdf
from tests.pdf.test_render import invoice, text_of

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
needs_dejavu = pytest.mark.skipif(not (DEJAVU / "DejaVuSans-Bold.ttf").is_file(),
                                  reason="DejaVu Sans (fonts-dejavu-core) stands in for a font family with a bold face")


def long_invoice(n: int = 120, **kw):
    lines = tuple(Line(f"品目{i:03}", D(1), "個", D(100), D(0), D(10), D(100)) for i in range(1, n + 1))
    return invoice(lines=lines, **kw)


def seal_png(size: int = 300) -> bytes:
    out = BytesIO()
    Image.new("RGBA", (size, size), (200, 30, 30, 160)).save(out, format="PNG")
    return out.getvalue()


def fonts_of(pdf: bytes) -> set[str]:
    """The base font names the pages use, subset prefixes ("AAAAAA+") dropped."""
    names = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def images_on_first_page(pdf: bytes) -> list[tuple[int, int]]:
    page = PdfReader(BytesIO(pdf)).pages[0]
    xobjects = page["/Resources"].get("/XObject", {})
    return [(x["/Width"], x["/Height"]) for x in (v.get_object() for v in xobjects.values())
            if x["/Subtype"] == "/Image"]


def test_continuation_pages_carry_title_number_and_the_table_head():
    pages = text_of(render_pdf(long_invoice(), font_set("")))
    assert len(pages) >= 3 and "品目 数量 単位 単価" in pages[1]
    total = len(pages)
    assert "請求書 INV-00042 (1/" not in pages[0]  # the first page has its own header
    for n, page in enumerate(pages[1:], 2):
        assert f"請求書 INV-00042 ({n}/{total})" in page
        if "品目1" in page:  # lines continue here (the last page may hold the totals only)
            assert "品目 数量 単位 単価" in page  # the line table's head again
    (single,) = text_of(render_pdf(invoice(), font_set("")))
    assert "(1/1)" not in single


def test_continuation_title_follows_the_document_language_and_kind():
    pages = text_of(render_pdf(long_invoice(kind="estimate", number="EST-00007", lang="en"), font_set("")))
    assert "Quotation EST-00007 (2/" in pages[1]


@needs_dejavu
def test_bold_face_used_when_installed_beside_the_regular_one(tmp_path):
    shutil.copy(DEJAVU / "DejaVuSans.ttf", tmp_path)
    shutil.copy(DEJAVU / "DejaVuSans-Bold.ttf", tmp_path)
    fonts = font_set(str(tmp_path))
    assert fonts.has_bold and fonts.bold_source.endswith("DejaVuSans-Bold.ttf")
    pdf = render_pdf(long_invoice(lang="en"), fonts)
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts_of(pdf)
    pages = text_of(pdf)
    assert "Invoice" in pages[0] and "Invoice INV-00042 (2/" in pages[1]  # bold text reads back too


@needs_dejavu
def test_regular_face_stands_in_when_no_bold_is_installed(tmp_path):
    shutil.copy(DEJAVU / "DejaVuSans.ttf", tmp_path)
    fonts = font_set(str(tmp_path))
    assert not fonts.has_bold and fonts.bold == fonts.regular
    pdf = render_pdf(long_invoice(lang="en"), fonts)
    assert "DejaVuSans" in fonts_of(pdf)
    assert not any("Bold" in name for name in fonts_of(pdf))
    assert "Invoice INV-00042 (2/" in text_of(pdf)[1]


def test_cid_fonts_have_no_bold_and_still_render_every_heading():
    pdf = render_pdf(invoice(), font_set(""))
    assert not any("Bold" in name for name in fonts_of(pdf))
    (page,) = text_of(pdf)
    assert "請求書" in page and "合計" in page and "振込先" in page


def test_bold_face_of_the_installed_font_when_there_is_one():
    fonts = font_set()
    if not fonts.has_bold:
        pytest.skip("no Japanese TrueType font with a bold face installed (fonts-morisawa-bizud-gothic has one)")
    pdf = render_pdf(invoice(), fonts)
    assert fonts.bold.removeprefix("KizunaJP-") in fonts_of(pdf)
    assert "株式会社キズナ商事" in text_of(pdf)[0]


def test_seal_printed_only_when_uploaded():
    assert images_on_first_page(render_pdf(invoice(), font_set(""))) == []
    with_seal = render_pdf(invoice(seal=seal_png()), font_set(""))
    assert images_on_first_page(with_seal) == [(300, 300)]
    assert "株式会社キズナ商事" in text_of(with_seal)[0]  # the name is still there under the seal
    # The seal sits on the first page only, beside the issuer.
    later = render_pdf(long_invoice(seal=seal_png()), font_set(""))
    assert all(not page["/Resources"].get("/XObject") for page in PdfReader(BytesIO(later)).pages[1:])


def test_seal_and_logo_together_and_a_broken_seal_is_left_out():
    logo = BytesIO()
    Image.new("RGB", (120, 40), (29, 95, 168)).save(logo, format="PNG")
    both = render_pdf(invoice(logo=logo.getvalue(), seal=seal_png(200)), font_set(""))
    assert sorted(images_on_first_page(both)) == [(120, 40), (200, 200)]
    broken = render_pdf(invoice(seal=b"\x89PNG\r\n\x1a\n not really"), font_set(""))
    assert images_on_first_page(broken) == [] and "株式会社キズナ商事" in text_of(broken)[0]
