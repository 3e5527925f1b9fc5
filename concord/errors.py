"""Errors every app raises, and how they reach people.

`ApplicationError` is a refused request (400), `GuardFailed` a refused transition (409): both carry
a stable `code` and a human `message`, and `fields` when a form field is at fault. The API maps them
to `{"code", "detail", "fields"}` (concord.api); pages show the message (concord.web).
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = fields or {}
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.message, "fields": self.fields}
        body.update(self.extra)
        return body


class GuardFailed(ApplicationError):
    """A transition refused by a named safeguard: `code` names the guard, `message` the rule."""

    status_code = 409
    default_code = "guard_failed"

    def __init__(self, code: str, message: str, **kwargs: Any) -> None:
        super().__init__(message, code=code, **kwargs)


class Conflict(ApplicationError):
    """The object changed under the request (another transition won the race)."""

    status_code = 409
    default_code = "conflict"
