from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from coordination.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Print the demo accounts, their organisation and role, and how to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CONCORD_DEMO:
            self.stdout.write("Demo accounts are off here (CONCORD_DEMO=false).")
            return
        rows = demo_logins()
        width = max(len(r["username"]) for r in rows)
        self.stdout.write("")
        self.stdout.write(f"Demo logins at {settings.SITE_URL}/  (password: {DEMO_PASSWORD})")
        self.stdout.write(
            "Second factor: every demo account has an authenticator with a fixed key;"
            " get its current code with `make otp USER_NAME=<username>`"
            " (or `.venv/bin/python manage.py demo_otp <username>`)."
        )
        self.stdout.write("")
        for r in rows:
            sign = "  [may sign agreements]" if r["can_sign"] else ""
            where = f"{r['organisation']} ({r['country']})" if r["country"] else r["organisation"]
            self.stdout.write(f"  {r['username']:<{width}}  {r['role']:<18} {where}{sign}")
        self.stdout.write("")
