"""Writes of workflows, one module per part (cases.py; referrals.py; returns.py), re-exported
here: `from workflows.services import case_register`."""

from .cases import *  # noqa: F403 - the services are the module's public names
