"""The one JSON response class of the API, and the documented error responses of each route.

``JSONResponse`` refuses NaN and infinities (they are not JSON); data a client once sent (command params
kept in the audit log) or a sensor value could hold one, so instead of failing the whole response they are
written as null.
"""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi.responses import JSONResponse

from groundstation.api.problems import PROBLEM_JSON
from groundstation.api.schemas import Problem


class ApiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        except ValueError:
            return json.dumps(_finite(content), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


_DESCRIPTIONS = {
    401: "No token, or a token that is unknown or revoked.",
    403: "The token's role may not do this.",
    404: "No such record in the token's profile (also for another profile's ids).",
    409: "A conflict; `holder` names what holds the contested resource.",
    413: "The request body is larger than 64 KiB.",
    415: "The body is not sent as JSON (`Content-Type: application/json`).",
    422: "Invalid input; `field` names the offending field.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status documented as a problem details body. A route that takes a
    body (413 listed) may also answer 415 to a body that is not sent as JSON."""
    if 413 in statuses and 415 not in statuses:
        statuses = (*statuses, 415)
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            "model": Problem,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
