"""Finding the external programs the peer tests run (installed by scripts/test, never skipped)."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def mavproxy_command() -> list[str]:
    """MAVProxy from its own venv (.venv-peers, made by scripts/test), or from PATH."""
    script = PROJECT_ROOT / ".venv-peers" / "bin" / "mavproxy.py"
    if script.exists():
        return [str(script)]
    found = shutil.which("mavproxy.py")
    if found is None:
        raise AssertionError("MAVProxy is not installed: run ./scripts/test, which puts it in .venv-peers")
    return [found]
