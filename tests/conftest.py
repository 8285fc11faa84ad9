"""Shared fixtures. Every test gets its own GROUNDSTATION_HOME so no test can touch a real profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    """The real recorded logs: ``$GROUNDSTATION_SHARED_DATA``, else ``../shared/data`` beside the checkout
    (where CI and the workspace keep them), else the workspace's own copy for clones made elsewhere."""
    override = os.environ.get("GROUNDSTATION_SHARED_DATA")
    if override:
        return Path(override)
    for candidate in (PROJECT_ROOT.parent / "shared" / "data", Path("/work/shared/data")):
        if candidate.is_dir():
            return candidate
    return PROJECT_ROOT.parent / "shared" / "data"


SHARED_DATA = _shared_data()


@pytest.fixture
def gs_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh profiles root, exported as GROUNDSTATION_HOME for the code under test and its children."""
    home = tmp_path / "gshome"
    home.mkdir()
    monkeypatch.setenv("GROUNDSTATION_HOME", str(home))
    return home
