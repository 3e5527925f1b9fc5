"""Input that no field may hold: NUL characters, lone UTF-16 surrogates, and bytes that are not
UTF-8.

PostgreSQL refuses both in text and jsonb (NUL: "A string literal cannot contain NUL (0x00)
characters"; a lone surrogate cannot be encoded as UTF-8 at all), so a value carrying one would
reach the database and fail there as a server error after the service had started its work.
They are refused at the edge instead, as bad input naming the field, before anything changes:

- `UnstorableCharactersMiddleware`: the URL path and the query string, for pages and the API;
- the API's parsers (`JSONParser`, `FormParser`, `MultiPartParser`): every string and key of a
  request body, wherever it sits (a JSON field's nested keys included);
- `reject_unstorable` for any other structured value a service receives.

Django's and DRF's CharFields already refuse NUL (ProhibitNullCharactersValidator); this covers
what they do not see: JSON and dict fields, query parameters read directly, path converters.

Form bodies that are not UTF-8: Django decodes form posts with errors="replace", so a name sent as
`Caf%E9` would be stored as "Caf\ufffd" without a word. A JSON body that is not UTF-8 is already a
parse error; form posts are refused the same way, naming the field, before anything changes:
urlencoded bodies are checked byte for byte (`urlencoded_invalid_utf8_field`); multipart bodies
are decoded with `FORM_ENCODING`, UTF-8 that turns each bad byte into a lone surrogate (Python's
"surrogateescape") instead of U+FFFD, and the surrogates are then found like any other. Pages are
checked by the middleware, the API by its parsers.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Buffer, Callable, Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Decoded with FORM_ENCODING, a form field can hold a surrogate only where its bytes were not UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")

FORM_ENCODING = "concord_form_utf_8"


def _decode_marking_bad_bytes(data: Buffer, errors: str = "strict", /) -> tuple[str, int]:
    # Whatever `errors` the caller passes (Django's multipart parser passes "replace"), a byte
    # that is not UTF-8 becomes a lone surrogate U+DC80..U+DCFF, which the checks here refuse.
    return codecs.utf_8_decode(data, "surrogateescape", True)


def _find_form_codec(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") != FORM_ENCODING:
        return None
    return codecs.CodecInfo(codecs.utf_8_encode, _decode_marking_bad_bytes, name=FORM_ENCODING)


codecs.register(_find_form_codec)


def unstorable_message() -> str:
    return _("Null characters and unpaired surrogates are not allowed.")


def invalid_utf8_message() -> str:
    return _("This is not valid UTF-8 text.")


def find_unstorable(
    value: Any, path: str = "", pattern: re.Pattern[str] = _UNSTORABLE
) -> str | None:
    """The dotted path of the first string (a value or a key) in `value` that PostgreSQL cannot
    store (or that matches `pattern`), or None. `path` names the top-level field; list items are
    numbered; a key that matches is reported as its parent (a key is never echoed back)."""
    if isinstance(value, str):
        return (path or "non_field_errors") if pattern.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            key_text = str(key)
            where = f"{path}.{key_text}" if path else key_text
            if pattern.search(key_text):
                return path or "non_field_errors"
            found = find_unstorable(item, where, pattern)
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = find_unstorable(item, f"{path}.{index}" if path else str(index), pattern)
            if found is not None:
                return found
    return None


def urlencoded_invalid_utf8_field(body: bytes) -> str | None:
    """The name of the first field of an application/x-www-form-urlencoded body whose value,
    percent-decoded, is not UTF-8 ("non_field_errors" when the name itself is not), or None."""
    for pair in body.split(b"&"):
        raw_name, _sep, raw_value = pair.partition(b"=")
        try:
            name = unquote_to_bytes(raw_name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return "non_field_errors"
        try:
            unquote_to_bytes(raw_value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return name
    return None


def multipart_invalid_utf8_field(data: Any, files: Any) -> str | None:
    """The first field of a multipart body decoded with FORM_ENCODING whose name, value or file
    name was not UTF-8, or None."""
    where = find_unstorable(_querydict_items(data), pattern=_SURROGATE)
    if where is not None:
        return where.split(".", 1)[0]
    for name, upload in files.items():
        if _SURROGATE.search(str(name)):
            return "non_field_errors"
        if _SURROGATE.search(str(getattr(upload, "name", "") or "")):
            return str(name)
    return None


def _declares_utf8(content_params: Mapping[str, str]) -> bool:
    charset = content_params.get("charset")
    if charset is None:
        return True
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def reject_unstorable(value: Any, path: str = "") -> None:
    """Raise DRF's ValidationError naming the field that holds an unstorable character."""
    where = find_unstorable(value, path)
    if where is not None:
        # The top-level field name is what a client maps back to its form.
        raise ValidationError({where.split(".", 1)[0]: [unstorable_message()]})


def _querydict_items(data: Any) -> Any:
    lists = getattr(data, "lists", None)
    return dict(lists()) if lists is not None else data


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        reject_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        body = stream.read() if stream is not None else b""
        invalid = urlencoded_invalid_utf8_field(body)
        if invalid is not None:
            raise ValidationError({invalid: [invalid_utf8_message()]})
        data = super().parse(io.BytesIO(body), media_type, parser_context)
        reject_unstorable(_querydict_items(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parser_context = dict(parser_context or {})
        _type, params = parse_header_parameters(media_type or "")
        utf8 = _declares_utf8(params)
        if utf8:
            parser_context["encoding"] = FORM_ENCODING
        result = super().parse(stream, media_type, parser_context)
        invalid = multipart_invalid_utf8_field(result.data, result.files) if utf8 else None
        if invalid is not None:
            raise ValidationError({invalid: [invalid_utf8_message()]})
        reject_unstorable(_querydict_items(result.data))
        for name, upload in result.files.items():
            if _UNSTORABLE.search(str(getattr(upload, "name", "") or "")):
                raise ValidationError({name: [unstorable_message()]})
        return result


class UnstorableCharactersMiddleware:
    """A URL whose path or query string holds a NUL character is bad input (400), for pages and
    the API alike: no lookup, filter or search ever sees it. So is a page's form post with a
    field that is not UTF-8 (the API's parsers check their own bodies)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_api = request.path.startswith("/api/")
        page_form = not is_api and request.method == "POST"
        if (
            page_form
            and request.content_type == "multipart/form-data"
            and _declares_utf8(request.content_params or {})
        ):
            # Before anything reads GET or POST: both are decoded with it from here on.
            request.encoding = FORM_ENCODING
        message = unstorable_message()
        where = None
        if _UNSTORABLE.search(request.path):
            where = "path"
        else:
            where = find_unstorable(_querydict_items(request.GET))
        if where is None and page_form:
            where = _page_form_invalid_utf8_field(request)
            message = invalid_utf8_message()
        if where is None:
            return self.get_response(request)
        field = where.split(".", 1)[0]
        if is_api:
            return JsonResponse(
                {"code": "invalid", "detail": f"{field}: {message}", "fields": {field: [message]}},
                status=400,
            )
        return render(
            request,
            "400.html",
            {"detail": _("%(field)s: %(message)s") % {"field": field, "message": message}},
            status=400,
        )


def _page_form_invalid_utf8_field(request: HttpRequest) -> str | None:
    """Read a page's form post the way Django will (the CSRF check reads it next anyway) and name
    the first field that is not UTF-8."""
    if request.content_type == "application/x-www-form-urlencoded":
        # Django refuses a urlencoded post that declares another charset; this one is UTF-8.
        return urlencoded_invalid_utf8_field(request.body)
    if request.encoding == FORM_ENCODING:
        return multipart_invalid_utf8_field(request.POST, request.FILES)
    return None


def within_length(model: Any, model_field: str, value: str, *, field: str | None = None) -> str:
    """`value`, or bad input naming `field` when it is longer than the model field's max_length
    (PostgreSQL refuses it at INSERT; a service checks first, so a page or API call that skipped
    a form or serializer limit is still a 400 and not a server error)."""
    from .errors import ApplicationError

    limit = model._meta.get_field(model_field).max_length
    if limit is not None and len(value) > limit:
        message = _("At most %(limit)d characters (this has %(length)d).") % {
            "limit": limit,
            "length": len(value),
        }
        raise ApplicationError(message, fields={field or model_field: [message]})
    return value
