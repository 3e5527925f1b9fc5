"""Issue (or rotate) the API token of an organisation's system.

    manage.py issue_api_token --organisation 12 --name case-system --role case_officer
    manage.py issue_api_token --username svc-12-case-system      # rotate an existing one

Prints the token once; the system sends it as `Authorization: Token <key>`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from concord.errors import ApplicationError
from coordination.models import Organisation, Role
from coordination.services import api_token_issue, service_account_create


class Command(BaseCommand):
    help = "Create a service account for an organisation's system and print its new API token."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", help="Organisation id or acronym")
        parser.add_argument("--name", help="Short name of the system, e.g. case-system")
        parser.add_argument("--role", default=Role.CASE_OFFICER, choices=Role.values)
        parser.add_argument("--username", help="Rotate the token of this service account")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["username"]:
                user = get_user_model().objects.filter(username=options["username"]).first()
                if user is None:
                    raise CommandError(f"No account named {options['username']!r}.")
            else:
                if not options["organisation"] or not options["name"]:
                    raise CommandError("Give --organisation and --name, or --username.")
                organisation = self._organisation(options["organisation"])
                user = service_account_create(
                    organisation=organisation,
                    name=options["name"],
                    role=options["role"],
                    actor=None,
                ).user
            key = api_token_issue(user=user, actor=None)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Service account: {user.username}")
        self.stdout.write(f"Token (shown once): {key}")
        self.stdout.write("Send it as the header `Authorization: Token <token>`.")

    def _organisation(self, value: str) -> Organisation:
        qs = Organisation.objects.filter(is_active=True)
        found = (
            qs.filter(pk=int(value)).first()
            if value.isdigit()
            else qs.filter(acronym__iexact=value).first()
        )
        if found is None:
            raise CommandError(f"No active organisation {value!r} (give its id or acronym).")
        return found
