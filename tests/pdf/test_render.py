"""Transaction PDFs read back as text (pypdf) and as pixels (PDFium): names with honorifics,
Japanese strings, numbers, per-rate totals, repeated table headers and page numbers."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pypdfium2
import pytest
from pypdf import PdfReader

from app.pdf.document import Line, Party, PdfDocument, TaxRow
from app.pdf.fonts import CANDIDATES, font_set
from app.pdf.render import render_pdf, render_pdf_async

HAVE_TTF = font_set().embedded
FONTS = [pytest.param("", id="cid"),
         pytest.param(None, id="ttf", marks=pytest.mark.skipif(
             not HAVE_TTF, reason=f"no Japanese TrueType font installed (looked for {CANDIDATES[0]} ...)"))]


def invoice(**kw) -> PdfDocument:
    base = dict(
        kind="invoice", number="INV-00042", lang="ja", currency="JPY",
        issuer=Party("株式会社キズナ商事", address_lines=("〒100-0001", "東京都千代田区千代田1-1"),
                     phone="03-5555-0100", registration_number="T7000012050002"),
        recipient=Party("株式会社テスト", attention="経理部 山田 太郎", address_lines=("〒530-0001", "大阪府大阪市北区梅田2-4-9")),
        issue_date=date(2026, 11, 23), second_date=date(2026, 12, 31), reference="案件A",
        lines=(Line("コンサルティング", D(2), "時間", D(50000), D(0), D(10), D(100000)),
               Line("会議用お弁当", D(3), "個", D(800), D(0), D(8), D(2400))),
        tax_rows=(TaxRow(D(10), D(100000), D(10000)), TaxRow(D(8), D(2400), D(192))),
        subtotal=D(102400), tax_total=D(10192), total=D(112592), amount_paid=D(12592), balance=D(100000),
        bank_details="みずほ銀行 東京営業部 普通 1234567", notes="お振込手数料はご負担ください。", terms="",
    )
    return PdfDocument(**{**base, **kw})


def text_of(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(BytesIO(pdf)).pages]


@pytest.mark.parametrize("font", FONTS)
def test_invoice_reads_back(font):
    (page,) = text_of(render_pdf(invoice(), font_set(font)))
    assert "御中" not in page  # one honorific: on the person named
    for expected in ("請求書", "株式会社テスト", "経理部 山田 太郎 様", "登録番号 T7000012050002",
                     "株式会社キズナ商事", "INV-00042", "2026年11月23日", "2026年12月31日", "コンサルティング",
                     "会議用お弁当", "8%※", "10%対象", "8%対象", "¥100,000", "¥10,000", "¥2,400", "¥192",
                     "¥112,592", "（税込）", "入金済額", "¥12,592", "お支払残高", "※は軽減税率対象", "振込先",
                     "みずほ銀行", "お振込手数料はご負担ください。"):
        assert expected in page, expected


def test_person_gets_sama_and_english_gets_no_honorific():
    (ja,) = text_of(render_pdf(invoice(recipient=Party("山本 一郎", is_company=False))))
    assert "山本 一郎 様" in ja and "御中" not in ja
    (en,) = text_of(render_pdf(invoice(lang="en", recipient=Party("Acme Inc.", attention="Jane Doe"))))
    assert "Acme Inc." in en and "Attn: Jane Doe" in en and "御中" not in en and "様" not in en
    assert "Invoice" in en and "Registration No. T7000012050002" in en and "November 23, 2026" in en


@pytest.mark.parametrize("kind,title,second", [
    ("estimate", "御見積書", "有効期限"), ("sales_order", "受注書", "納期"),
    ("purchase_order", "発注書", "納期"), ("invoice", "請求書", "お支払期限"),
])
def test_titles_and_second_dates_per_kind(kind, title, second):
    (page,) = text_of(render_pdf(invoice(kind=kind, amount_paid=D(0))))
    assert title in page and second in page


def test_user_text_is_literal():
    doc = invoice(lines=(Line("<b>太字</b> & <i>", D(1), "", D(1), D(0), D(10), D(1)),), notes="a < b && c")
    (page,) = text_of(render_pdf(doc))
    assert "<b>太字</b> & <i>" in page and "a < b && c" in page


def test_two_hundred_lines_break_across_pages_with_headers_and_numbers():
    lines = tuple(Line(f"品目{i:03d}", D(1), "個", D(100), D(0), D(10), D(100)) for i in range(1, 201))
    pages = text_of(render_pdf(invoice(lines=lines, tax_rows=(TaxRow(D(10), D(20000), D(2000)),),
                                       subtotal=D(20000), tax_total=D(2000), total=D(22000),
                                       amount_paid=D(0), balance=D(22000))))
    assert len(pages) >= 4
    for n, page in enumerate(pages, 1):
        assert f"{n} / {len(pages)}" in page and "INV-00042" in page
    for page in pages[:-1]:
        assert "品目 数量 単位 単価" in page  # the header row, repeated on every page with lines
    found = [int(m) for page in pages for m in re.findall(r"品目(\d{3})", page)]
    assert found == list(range(1, 201))
    assert "¥22,000" in pages[-1]


@pytest.mark.parametrize("font,embedded", [("", False), pytest.param(None, True, marks=FONTS[1].marks)])
def test_font_embedding(font, embedded):
    pdf = render_pdf(invoice(), font_set(font))
    assert (b"/FontFile2" in pdf) is embedded
    if not embedded:
        assert b"HeiseiKakuGo-W5" in pdf


def test_first_page_renders_to_ink():
    pdf = render_pdf(invoice(logo=_png()))
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("L")
    image.save("/tmp/kizuna-invoice.png")
    width, height = image.size
    dark = sum(image.histogram()[:128])
    assert dark > width * height * 0.01  # text and table lines, not a blank page
    title_band = image.crop((0, 0, width, height // 8))
    assert sum(title_band.histogram()[:64]) > 0  # the title is drawn


def test_broken_logo_does_not_break_the_document():
    (page,) = text_of(render_pdf(invoice(logo=b"not an image")))
    assert "株式会社キズナ商事" in page


async def test_async_rendering_runs_off_the_loop(monkeypatch):
    import threading

    from app.pdf import render

    threads = []
    real = render._Renderer.story

    def recording(self):
        threads.append(threading.get_ident())
        return real(self)

    monkeypatch.setattr(render._Renderer, "story", recording)
    pdf = await render_pdf_async(invoice())
    assert pdf.startswith(b"%PDF")
    assert threads and threads[0] != threading.get_ident()  # a worker thread, not the event loop


def _png() -> bytes:
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("text,joiner", [
    ("お振込手数料はご負担ください。" * 12, ""),  # Japanese breaks between any two characters
    ("Payment is due within thirty days of the invoice date, by bank transfer. " * 6, " "),  # English at spaces
])
def test_free_text_wraps_within_the_width_and_keeps_every_character(text, joiner):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.pdf.blocks import wrap_text

    fonts = font_set()
    text = text.strip()
    lines = wrap_text(text + "\n二行目", fonts.regular, 8, 200)
    assert len(lines) > 3 and lines[-1] == "二行目"  # kept line breaks stay
    assert all(stringWidth(line, fonts.regular, 8) <= 200 for line in lines)
    assert joiner.join(lines[:-1]) == text
    if joiner:
        assert not any(line.startswith(" ") or line.endswith(" ") for line in lines)
        assert all(word.isalpha() or word[-1] in ",." for line in lines for word in line.split())


def test_the_total_is_set_larger_than_the_other_sums():
    sizes: dict[str, float] = {}
    page = PdfReader(BytesIO(render_pdf(invoice()))).pages[0]
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: sizes.setdefault(
        (text.split() or [""])[0], size))  # a row of the sums reads back as one run
    assert sizes["合計"] > sizes["小計"] == sizes["10%対象"] == sizes["入金済額"] == sizes["お支払残高"]
