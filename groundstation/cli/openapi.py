"""``groundstation openapi``: print the API's OpenAPI document (``groundstation openapi > docs/openapi.json``).

Built from the application itself, without opening any profile; a test fails when docs/openapi.json
differs from what this prints.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser("openapi", help="print the HTTP API's OpenAPI document (JSON)")
    parser.set_defaults(handler=_openapi)


def openapi_text() -> str:
    from groundstation.api import create_app
    from groundstation.bootstrap import Runtime

    document = create_app(Runtime()).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


async def _openapi(args: argparse.Namespace) -> int:
    print(openapi_text(), end="")
    return 0
