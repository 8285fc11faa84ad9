"""Files made immutable with ``chattr +i``: read-only even for root, who runs the tests (a plain chmod is not)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def immutable(*paths: Path | str) -> Iterator[None]:
    """``paths`` immutable for the block. ``chattr`` comes with e2fsprogs (installed by ``scripts/test``); a
    filesystem that refuses the flag fails the test, since a read-only test that cannot make anything
    read-only checks nothing."""
    chattr = shutil.which("chattr")
    assert chattr is not None, "chattr is missing: install e2fsprogs (scripts/test does)"
    names = [str(p) for p in paths]
    made = subprocess.run([chattr, "+i", *names], capture_output=True, text=True, check=False)
    assert made.returncode == 0, f"chattr +i failed here: {made.stderr.strip()}"
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", *names], check=True)
