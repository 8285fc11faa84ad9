"""The core and the headless runtime import and run with PySide6 absent from sys.modules.

A fresh interpreter blocks PySide6 and qasync outright (an import raises), imports every core module, runs
`serve` for a moment, and reports what got imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import importlib, json, pkgutil, sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "qasync", "shiboken6"):
            raise ImportError(f"blocked for this test: {name}")
        return None

sys.meta_path.insert(0, Block())
import groundstation
core = []
for info in pkgutil.walk_packages(groundstation.__path__, "groundstation."):
    if info.name.startswith(("groundstation.ui", "groundstation.storage.migrations.versions")):
        continue
    if info.name == "groundstation.__main__":
        continue
    importlib.import_module(info.name)
    core.append(info.name)

from groundstation.cli import main
code = main(["serve", "--profile", "demo", "--demo", "--duration", "1.5"])
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "qasync", "shiboken6")))
print(json.dumps({"code": code, "core": core, "qt": qt}))
"""


def test_core_and_serve_run_without_qt(tmp_path: Path) -> None:
    env = dict(os.environ, GROUNDSTATION_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    assert report["qt"] == []
    for module in (
        "groundstation.domain.models",
        "groundstation.services.sessions",
        "groundstation.bootstrap",
        "groundstation.headless",
        "groundstation.storage.store",
        "groundstation.adapters.fake.adapter",
    ):
        assert module in report["core"]
