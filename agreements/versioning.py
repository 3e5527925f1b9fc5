"""The canonical form of a version and its SHA-256.

Canonical form: JSON of {"format": 1, "meta": ..., "clauses": {element_key: {language: text}}} with
keys sorted, no insignificant whitespace, UTF-8 (not ASCII-escaped), every string NFC-normalised,
line endings as \\n and trailing spaces of each line removed. So the hash does not depend on the
database, the dictionary order or the editor's line endings; any visible change of the text,
parties, dates, coverage or commitments changes it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any

CANONICAL_FORMAT = 1


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def canonical_bytes(*, meta: dict[str, Any], clauses: dict[str, dict[str, str]]) -> bytes:
    body = {
        "format": CANONICAL_FORMAT,
        "meta": _normalise(meta),
        # an empty clause is the same as no clause
        "clauses": {
            key: {
                lang: normalise_text(text) for lang, text in texts.items() if normalise_text(text)
            }
            for key, texts in clauses.items()
        },
    }
    body["clauses"] = {k: v for k, v in body["clauses"].items() if v}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(*, meta: dict[str, Any], clauses: dict[str, dict[str, str]]) -> str:
    return hashlib.sha256(canonical_bytes(meta=meta, clauses=clauses)).hexdigest()
