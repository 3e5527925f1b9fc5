"""Documents of a version, ready for signature: PDF (reportlab) and DOCX (python-docx).

Each shows the title, the parties, each element's clause (two languages side by side in a
two-column table), the signature block of each party with the signatures made on this exact
version, and the version number and SHA-256 content hash in the footer of every page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AgreementVersion, Signature, TemplateElement
from .selectors import version_clauses

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "th": "ไทย",
    "km": "ខ្មែរ",
    "vi": "Tiếng Việt",
    "lo": "ລາວ",
    "my": "မြန်မာ",
    "es": "Español",
}

# A Unicode TrueType font when the system has one (accents, Cyrillic, Greek...); else Helvetica.
FONT_CANDIDATES = [
    ("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    ("DejaVuSans-Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
]


@dataclass
class SignatureBlock:
    party: str
    country: str
    signatures: list[Signature] = field(default_factory=list)


@dataclass
class DocumentContent:
    title: str
    reference: str
    version_number: int
    content_hash: str
    languages: list[str]
    parties: list[dict[str, Any]]
    clauses: list[tuple[str, dict[str, str]]]  # (element title, {language: text})
    blocks: list[SignatureBlock]
    effective_date: str | None

    @property
    def footer(self) -> str:
        return _("%(ref)s · version %(n)d · SHA-256 %(hash)s") % {
            "ref": self.reference,
            "n": self.version_number,
            "hash": self.content_hash,
        }


def document_content(version: AgreementVersion) -> DocumentContent:
    agreement = version.agreement
    meta = version.meta
    languages = list(meta.get("languages") or agreement.languages or ["en"])
    texts = version_clauses(version)
    elements = TemplateElement.objects.filter(template_id=agreement.template_id).order_by(
        "position", "id"
    )
    clauses = [
        (e.title, {lang: (texts.get(e.key) or {}).get(lang, "") for lang in languages})
        for e in elements
        if texts.get(e.key)
    ]
    signatures = list(
        Signature.objects.filter(version=version, voided_at__isnull=True).order_by("signed_at")
    )
    blocks = []
    for party in meta.get("partners") or []:
        blocks.append(
            SignatureBlock(
                party=party.get("name", ""),
                country=party.get("country") or "",
                signatures=[
                    s for s in signatures if s.organisation_id == party.get("organisation")
                ],
            )
        )
    return DocumentContent(
        title=meta.get("title") or agreement.title,
        reference=agreement.reference,
        version_number=version.number,
        content_hash=version.content_hash,
        languages=languages,
        parties=list(meta.get("partners") or []),
        clauses=clauses,
        blocks=blocks,
        effective_date=meta.get("effective_date"),
    )


def _signed_line(signature: Signature) -> str:
    when = (
        timezone.localtime(signature.signed_at)
        if isinstance(signature.signed_at, datetime)
        else signature.signed_at
    )
    title = f", {signature.signer_title}" if signature.signer_title else ""
    return _("Signed by %(name)s%(title)s on %(when)s (hash %(hash)s)") % {
        "name": signature.signer_name,
        "title": title,
        "when": when.strftime("%Y-%m-%d %H:%M %Z"),
        "hash": signature.version_hash[:16],
    }


def _lang_label(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


# --- PDF ---------------------------------------------------------------------------------------
def _pdf_fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        for name, path in FONT_CANDIDATES:
            if name not in pdfmetrics.getRegisteredFontNames():
                if not Path(path).exists():
                    raise FileNotFoundError(path)
                pdfmetrics.registerFont(TTFont(name, path))
        return FONT_CANDIDATES[0][0], FONT_CANDIDATES[1][0]
    except (FileNotFoundError, OSError):
        return "Helvetica", "Helvetica-Bold"


def _para_text(text: str) -> str:
    return escape(text or "").replace("\n", "<br/>")


def render_pdf(version: AgreementVersion) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    content = document_content(version)
    regular, bold = _pdf_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=15, leading=19, spaceAfter=6)
    h2 = ParagraphStyle(
        "h2", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=content.title,
        subject=content.footer,
    )
    width = A4[0] - 36 * mm
    story: list[Any] = [
        Paragraph(_para_text(content.title), h1),
        Paragraph(
            _para_text(f"{content.reference} · " + _("version %d") % content.version_number), small
        ),
        Spacer(1, 4 * mm),
        Paragraph(_("Between the parties"), h2),
    ]
    for party in content.parties:
        line = party.get("name", "")
        if party.get("country"):
            line += " " + _("(for the State of %s)") % party["country"]
        story.append(Paragraph("• " + _para_text(line), body))
    if content.effective_date:
        story.append(Paragraph(_para_text(_("Effective date: %s") % content.effective_date), body))
    two = len(content.languages) >= 2
    for title, texts in content.clauses:
        story.append(Paragraph(_para_text(title), h2))
        if two:
            langs = content.languages[:2]
            table = Table(
                [
                    [Paragraph(_para_text(_lang_label(lang)), small) for lang in langs],
                    [Paragraph(_para_text(texts.get(lang, "")), body) for lang in langs],
                ],
                colWidths=[width / 2, width / 2],
            )
            table.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.3, colors.grey),
                        ("LEFTPADDING", (0, 0), (-1, -1), 3),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                    ]
                )
            )
            story.append(table)
        else:
            story.append(Paragraph(_para_text(texts.get(content.languages[0], "")), body))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(_("Signatures"), h2))
    rows = []
    for block in content.blocks:
        cell: list[Any] = [
            Paragraph(_para_text(block.party), ParagraphStyle("b", parent=body, fontName=bold))
        ]
        if block.signatures:
            cell += [Paragraph(_para_text(_signed_line(s)), body) for s in block.signatures]
        else:
            cell.append(
                Paragraph(
                    _para_text(
                        _("Signature: ______________  Name: ______________  Date: __________")
                    ),
                    body,
                )
            )
        rows.append([cell])
    if rows:
        table = Table(rows, colWidths=[width])
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
                ]
            )
        )
        story.append(table)

    def footer(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.drawString(18 * mm, 10 * mm, content.footer)
        canvas.drawRightString(A4[0] - 18 * mm, 14 * mm, _("page %d") % doc_.page)
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- DOCX --------------------------------------------------------------------------------------
def render_docx(version: AgreementVersion) -> bytes:
    from docx import Document
    from docx.shared import Pt

    content = document_content(version)
    document = Document()
    document.core_properties.title = content.title[:255]
    document.core_properties.subject = content.footer[:255]
    document.add_heading(content.title, level=0)
    document.add_paragraph(f"{content.reference} · " + _("version %d") % content.version_number)
    document.add_heading(_("Between the parties"), level=1)
    for party in content.parties:
        line = party.get("name", "")
        if party.get("country"):
            line += " " + _("(for the State of %s)") % party["country"]
        document.add_paragraph(line, style="List Bullet")
    if content.effective_date:
        document.add_paragraph(_("Effective date: %s") % content.effective_date)
    two = len(content.languages) >= 2
    for title, texts in content.clauses:
        document.add_heading(title, level=2)
        if two:
            langs = content.languages[:2]
            table = document.add_table(rows=2, cols=2)
            table.style = "Table Grid"
            for i, lang in enumerate(langs):
                table.cell(0, i).text = _lang_label(lang)
                table.cell(1, i).text = texts.get(lang, "")
        else:
            document.add_paragraph(texts.get(content.languages[0], ""))
    document.add_heading(_("Signatures"), level=1)
    table = document.add_table(rows=0, cols=1)
    table.style = "Table Grid"
    for block in content.blocks:
        cell = table.add_row().cells[0]
        cell.text = block.party
        if block.signatures:
            for s in block.signatures:
                cell.add_paragraph(_signed_line(s))
        else:
            cell.add_paragraph(
                _("Signature: ______________  Name: ______________  Date: __________")
            )
    for section in document.sections:
        paragraph = section.footer.paragraphs[0]
        paragraph.text = content.footer
        for run in paragraph.runs:
            run.font.size = Pt(7)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
