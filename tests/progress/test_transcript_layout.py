"""The transcript PDF's layout and verification: every text stays inside its table cell and the
page's margins (WeasyPrint's layout, read box by box), no heading is left alone at the foot of a
page, "Délivré le", and a verification code with a QR code of its public page, recorded in the
shared registry, whose page says whose transcript it is."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.accounts.queries import learner_by_number
from lms.core.verification import IssuedDocument
from lms.extensions import db
from lms.progress import transcript_pdf
from tests.helpers import client_for

PASSWORD = "demo-lms-2026"
MM = 96 / 25.4  # CSS pixels per millimetre
MARGIN_X = 16 * MM


def _walk(box):
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


def overflows(html: str) -> tuple[list[str], list[str], int]:
    """(texts wider than their table cell or past the margins, headings ending a page, pages)."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    rendered = weasyprint.HTML(string=html, base_url="http://localhost/").render()
    wide, orphans = [], []
    for page in rendered.pages:
        root = page._page_box
        right_margin = page.width - MARGIN_X
        for box in _walk(root):
            if isinstance(box, boxes.TextBox) and box.position_x + box.width > right_margin + 0.5:
                wide.append(f"past the margin: {box.text!r}")
            if isinstance(box, boxes.TableCellBox):
                right = box.content_box_x() + box.width
                for inner in _walk(box):
                    if isinstance(inner, boxes.TextBox) and inner.position_x + inner.width > right + 0.5:
                        wide.append(f"past its cell: {inner.text!r}")
        # In reading order: headings (h1, h2, a table's caption or header) and content (text, rows).
        items = []
        for box in _walk(root):
            if isinstance(box, boxes.TableCaptionBox) or (
                isinstance(box, boxes.BlockBox) and box.element_tag in ("h1", "h2")
            ):
                items.append(("heading", "".join(box.element.itertext()).strip()))
            elif isinstance(box, boxes.TableRowGroupBox) and box.element_tag in ("tbody", "tfoot") and box.children:
                items.append(("content", ""))
            elif isinstance(box, boxes.BlockBox) and box.element_tag in ("p", "dd", "li", "div"):
                items.append(("content", ""))
        if items and items[-1][0] == "heading":
            orphans.append(items[-1][1])
    return wide, orphans, len(rendered.pages)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("locale", ["fr", "en"])
def test_columns_fit_and_no_heading_is_left_alone(demo_app, locale):
    with demo_app.test_request_context():
        document = transcript_pdf.transcript(learner_by_number("100000W"), date(2026, 9, 10))
        assert len(document.units) > 10
        html = transcript_pdf.render_html(document, locale)
    wide, orphans, _pages = overflows(html)
    assert wide == []
    assert orphans == []


def test_the_transcript_is_issued_with_a_code_and_a_qr_that_verify(demo_app):
    response = client_for(demo_app, "apprenant@example.org", PASSWORD).get("/me/transcript.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Délivré le" in text and "Délivrée" not in text
    with demo_app.app_context():
        learner = learner_by_number("100000W")
        issued = db.session.scalars(
            sa.select(IssuedDocument).where(
                IssuedDocument.kind == "transcript", IssuedDocument.subject_id == learner.id
            )
        ).all()
        assert len(issued) == 1
        code = issued[0].code
        assert issued[0].details["units"] > 0
    assert code in text.replace("\n", "")
    import zxingcpp

    found = [
        result.text
        for page in reader.pages
        for image in page.images
        for result in zxingcpp.read_barcodes(image.image.convert("L"))
    ]
    assert found and set(found) == {f"http://localhost/verify/{code}"}
    page = demo_app.test_client().get(f"/verify/{code}")
    assert page.status_code == 200 and "alert-success" in page.text
    assert "Relevé de notes" in page.text and "Camille Dupont" in page.text
    assert "100000W" not in page.text  # no more than the essential facts
    # A second download is a second issue, with its own code.
    client_for(demo_app, "apprenant@example.org", PASSWORD).get("/me/transcript.pdf")
    with demo_app.app_context():
        codes = db.session.scalars(sa.select(IssuedDocument.code).where(IssuedDocument.kind == "transcript")).all()
        assert len(set(codes)) == 2


@pytest.mark.sqlite_only
def test_the_layout_check_sees_a_heading_left_alone():
    """The check above can fail: a heading and a caption left at the foot of a page, the table's
    rows on the next one."""
    html = (
        '<div style="height:225mm"></div><h2>Alone</h2>'
        "<table><caption>Caption</caption><tbody><tr><td style='height:40mm'>x</td></tr></tbody></table>"
    )
    _wide, orphans, pages = overflows(html)
    assert pages == 2 and orphans == ["Caption"]
