"""Evidence files: a short list of document and image types, checked by extension AND content,
and a size limit (settings.CONCORD_EVIDENCE_MAX_BYTES, 10 MB by default)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from concord.errors import ApplicationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# extension -> accepted leading bytes (None: text that must decode as UTF-8)
ALLOWED: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "txt": None,
    "csv": None,
}


def max_evidence_bytes() -> int:
    return int(getattr(settings, "CONCORD_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def validate_evidence_file(upload: Any, *, field: str = "evidence_file") -> None:
    """Raise ApplicationError naming `field` unless the upload is an allowed type within size."""
    if upload is None:
        return
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ApplicationError(
            _("Evidence must be one of: %(types)s.") % {"types": ", ".join(sorted(ALLOWED))},
            code="evidence_type",
            fields={field: [_("File type not allowed.")]},
        )
    size = getattr(upload, "size", None)
    if size is None or size > max_evidence_bytes():
        raise ApplicationError(
            _("Evidence files may be at most %(mb)s MB.")
            % {"mb": max_evidence_bytes() // (1024 * 1024)},
            code="evidence_size",
            fields={field: [_("File too large.")]},
        )
    if size == 0:
        raise ApplicationError(
            _("The evidence file is empty."),
            code="evidence_empty",
            fields={field: [_("The file is empty.")]},
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    magic = ALLOWED[ext]
    ok = any(head.startswith(m) for m in magic) if magic is not None else _decodes_as_text(head)
    if not ok:
        raise ApplicationError(
            _("The file's content does not match its type (.%(ext)s).") % {"ext": ext},
            code="evidence_content",
            fields={field: [_("Content does not match the file type.")]},
        )


def _decodes_as_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the 2048-byte boundary is still text
        return exc.start >= len(head) - 3
    return True
