"""Schemathesis against the live server's own OpenAPI: no 5xx for any input, and every answer as documented.

The server runs on the test's loop; schemathesis is synchronous (``requests``), so it runs in a worker
thread while the loop keeps serving.
"""

from __future__ import annotations

import asyncio

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 50
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _fuzz(url: str, token: str) -> int:
    schema = schemathesis.openapi.from_url(f"{url}/api/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def check(case: schemathesis.Case) -> None:
                nonlocal calls
                calls += 1
                response = case.call(base_url=url, headers=headers, timeout=20)
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Unsatisfiable:
                # No input can break this operation's schema (GET /api/health): nothing negative to send.
                assert mode is GenerationMode.NEGATIVE
    return calls


async def test_no_server_error_and_answers_as_documented(api: Api) -> None:
    calls = await asyncio.to_thread(_fuzz, api.url, api.tokens["alpha-operator"])
    assert calls > 300
