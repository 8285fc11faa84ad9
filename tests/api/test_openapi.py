"""docs/openapi.json is what ``groundstation openapi`` prints today."""

from __future__ import annotations

from groundstation.cli.openapi import openapi_text
from tests.conftest import PROJECT_ROOT


def test_docs_openapi_json_is_current() -> None:
    stored = (PROJECT_ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert stored == openapi_text(), (
        "docs/openapi.json is stale: run `groundstation openapi > docs/openapi.json` and commit it"
    )
