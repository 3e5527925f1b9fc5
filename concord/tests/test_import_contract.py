"""The import contract of pyproject.toml ([tool.importlinter]): the apps depend one way
(concord ← coordination ← agreements ← cases ← referrals ← returns ← reporting), nothing imports
notifications, coordination's directory does not import its work, and no package's modules import
each other in a cycle. An import that breaks it fails the suite, naming the import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contract_is_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout
