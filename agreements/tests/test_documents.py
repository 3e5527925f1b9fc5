"""PDF and DOCX of a version, read back with pypdf and python-docx."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pypdf import PdfReader

from agreements.documents import render_docx, render_pdf
from agreements.models import Signature
from agreements.tests.factories import make_agreement, make_agreement_in_force

pytestmark = pytest.mark.django_db


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def test_pdf_of_a_signed_version_names_parties_clauses_signatures_and_hash():
    agreement = make_agreement_in_force(title="MOU between Thailand and Cambodia")
    version = agreement.signed_version
    text = _pdf_text(render_pdf(version))
    flat = " ".join(text.split())
    assert "MOU between Thailand and Cambodia" in flat
    for partner in agreement.partners.select_related("organisation"):
        assert partner.organisation.name in flat
    assert "Appropriate measures for minors" in flat
    assert "best interests of the child" in flat
    for signature in Signature.objects.filter(agreement=agreement):
        assert f"Signed by {signature.signer_name}" in flat
    assert version.content_hash in flat.replace(" ", "") or version.content_hash in text


def test_docx_of_a_version_with_blank_signature_blocks():
    agreement = make_agreement(title="National referral MOU")
    text = _docx_text(render_docx(agreement.current_version))
    assert "National referral MOU" in text
    assert "Signature: ____" in text
    assert agreement.current_version.content_hash in text


def test_two_languages_side_by_side():
    agreement = make_agreement(languages=("en", "fr"))
    document = Document(io.BytesIO(render_docx(agreement.current_version)))
    two_column = [t for t in document.tables if len(t.columns) == 2]
    assert two_column
    header = [c.text for c in two_column[0].rows[0].cells]
    assert header == ["English", "Français"]
    body = [c.text for c in two_column[0].rows[1].cells]
    assert body[1] == f"[fr] {body[0]}"
    pdf = _pdf_text(render_pdf(agreement.current_version))
    assert "English" in pdf
    assert "Français" in pdf
