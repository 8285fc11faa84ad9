"""Every request a token makes leaves an access record in the token's own profile (issue [5]).

One record per request, whatever it asked and however it ended: reads, writes, refusals (401 for a
revoked token, 403, 404, 409, 413, 422) and bugs (500). Actor ``api:<token name>``; action ``api.request``
(``api.ws`` for a WebSocket's connect and each message but a ping); target the id the path names
(``session_id``, ``stream_id``); outcome success for 1xx-3xx, failure otherwise; detail the method, the
route's path template (``/api/integration/device-sessions/{session_id}``: a template, not the raw path, so
the values stay few), the status and the duration in ms. A write keeps its own audit entry from its service
besides (what changed, in the write's transaction); the access record says who asked and how it went.

Not recorded: requests without a token or with a token no open profile knows (there is no tenant to record
them in; the auth module logs them), and the routes that need no token (``/api/health``, the OpenAPI
document and its pages: ``public_paths``), even when a client sends one anyway. A record goes to the
profile the token belongs to, never elsewhere.

The records are buffered per profile (``services/access_log.py``) and written about once a second, so the
request path only appends to a list. The middleware is pure ASGI, outside the body limit (a 413 is recorded
too): the auth dependency notes the token it matched in the request's scope, and for a request refused
before that dependency ran (413, an unknown route, a body that is not JSON) the token is looked up after
the response went out.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from starlette.routing import BaseRoute, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from groundstation.api.context import ApiProfile
from groundstation.domain.actors import api_actor
from groundstation.domain.models import ApiToken, Outcome
from groundstation.services.access_log import HTTP_ACTION

log = logging.getLogger(__name__)

HEALTH_PATH = "/api/health"
UNMATCHED = "<unmatched>"
MAX_TARGET_ID = 40  # the audit table's id column

_PRESENTED = "groundstation.presented"
_UNTRIED = object()


def note_token(scope: Scope, profile: ApiProfile | None, token: ApiToken | None) -> None:
    """What the auth dependency found for this request's token (None: no token, or none known)."""
    scope[_PRESENTED] = (profile, token) if profile is not None and token is not None else None


def record_access(
    profile: ApiProfile,
    token: ApiToken,
    *,
    action: str,
    method: str,
    path: str,
    target_id: str | None,
    status: int,
    duration_ms: float,
    extra: dict[str, Any] | None = None,
) -> None:
    detail: dict[str, Any] = {"method": method, "path": path, "status": status, "duration_ms": round(duration_ms, 2)}
    if extra:
        detail.update(extra)
    profile.audit.access.record(
        actor=api_actor(token.name),
        action=action,
        target_id=target_id[:MAX_TARGET_ID] if target_id is not None else None,
        outcome=Outcome.SUCCESS if status < 400 else Outcome.FAILURE,
        detail=detail,
    )


def bearer_secret(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, secret = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                return secret.strip()
            return None
    return None


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, public_paths: frozenset[str]) -> None:
        self.app = app
        self._public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self._public_paths:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering (the error middleware's)

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            duration_ms = (time.perf_counter() - started) * 1000
            await self._record(scope, status, duration_ms)

    async def _record(self, scope: Scope, status: int, duration_ms: float) -> None:
        try:
            presented = scope.get(_PRESENTED, _UNTRIED)
            if presented is _UNTRIED:
                presented = await _look_up(scope)
            if presented is None:
                return
            profile, token = presented
            route, params = _route_of(scope)
            record_access(
                profile,
                token,
                action=HTTP_ACTION,
                method=str(scope.get("method", "")),
                path=route,
                target_id=_target_of(params),
                status=status,
                duration_ms=duration_ms,
            )
        except Exception:
            # The request was answered; an access record that cannot be kept must not turn it into an error.
            log.exception("access record of %s %s not kept", scope.get("method"), scope.get("path"))


async def _look_up(scope: Scope) -> tuple[ApiProfile, ApiToken] | None:
    """The token of a request refused before the auth dependency ran, if it belongs to an open profile."""
    secret = bearer_secret(scope.get("headers", []))
    if secret is None:
        return None
    app = scope.get("app")
    resolver = getattr(getattr(app, "state", None), "tokens", None)
    if resolver is None:
        return None
    found = await resolver.find(secret)
    return None if found is None else (found.profile, found.token)


def _route_of(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The path template of the route that served the request, and its path parameters."""
    route = scope.get("route")
    if route is not None:
        return _template(route), dict(scope.get("path_params", {}))
    # Refused before routing (413): the route the request was meant for, from the documented paths.
    app = scope.get("app")
    templates: RouteTemplates | None = getattr(getattr(app, "state", None), "route_templates", None)
    if templates is None:
        return UNMATCHED, {}
    return templates.match(str(scope.get("method", "")), str(scope.get("path", "")))


class RouteTemplates:
    """The app's path templates, matched by hand for requests answered before the router ran. Built from
    the OpenAPI paths (the public list of routes) on first use: such requests are rare, and the router's own
    structures are FastAPI internals."""

    def __init__(self, openapi: Callable[[], dict[str, Any]]) -> None:
        self._openapi = openapi
        self._compiled: list[tuple[re.Pattern[str], str, frozenset[str]]] | None = None

    def match(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        if self._compiled is None:
            paths: dict[str, dict[str, Any]] = self._openapi().get("paths", {})
            self._compiled = [
                (compile_path(template)[0], template, frozenset(m.upper() for m in operations))
                for template, operations in paths.items()
            ]
        partial: tuple[str, dict[str, Any]] | None = None
        for pattern, template, methods in self._compiled:
            found = pattern.match(path)
            if found is None:
                continue
            if method in methods:
                return template, found.groupdict()
            partial = partial or (template, found.groupdict())
        return partial if partial is not None else (UNMATCHED, {})


def _template(route: BaseRoute) -> str:
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED


def _target_of(params: dict[str, Any]) -> str | None:
    for name, value in params.items():
        if name.endswith("_id") and isinstance(value, str):
            return value
    return None
