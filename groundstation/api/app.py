"""The FastAPI application: routers, problem-details errors, the body limit, the access log, the token resolver."""

from __future__ import annotations

from fastapi import FastAPI

from groundstation import __version__
from groundstation.api import websocket
from groundstation.api.access import HEALTH_PATH, AccessLogMiddleware, RouteTemplates
from groundstation.api.auth import TokenResolver
from groundstation.api.context import ApiRuntime
from groundstation.api.limits import MAX_BODY_BYTES, BodyLimitMiddleware
from groundstation.api.problems import install_problem_handlers
from groundstation.api.responses import ApiJSONResponse
from groundstation.api.routes import events, link, sessions, streams, vehicle_setup

DESCRIPTION = """\
The embedded HTTP API of the groundstation: device sessions, telemetry, commands, video streams, events.

Every endpoint but `/api/health` needs `Authorization: Bearer <token>`; a token (from `groundstation tokens
create`) belongs to one profile and sees that profile only. Errors are RFC 9457 problem details with a
stable `code`. Request bodies are limited to 64 KiB. Every request a token makes is audited in its profile
(action `api.request`, or `api.ws` for WebSocket connects and subscriptions). See docs/api.md.
"""


def create_app(runtime: ApiRuntime, *, allow_local_files: bool = False) -> FastAPI:
    """``allow_local_files``: API clients may name files and devices of this computer (scenario paths,
    ``tlog://``, ``file://``, ``device://``; see ``local_files``). No interactive docs pages are served: they
    would load their scripts from a CDN (broken offline, and a third party contacted); the OpenAPI document
    is at ``/api/openapi.json`` for any viewer."""
    app = FastAPI(
        title="groundstation API",
        version=__version__,
        description=DESCRIPTION,
        default_response_class=ApiJSONResponse,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.runtime = runtime
    app.state.allow_local_files = allow_local_files
    app.state.tokens = TokenResolver(runtime)
    app.state.route_templates = RouteTemplates(app.openapi)
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    # Added last, so outside the body limit: a 413 is recorded too. The routes that need no token are not.
    public = {HEALTH_PATH, app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url}
    app.add_middleware(AccessLogMiddleware, public_paths=frozenset(p for p in public if p is not None))
    app.include_router(sessions.router)
    app.include_router(link.router)
    app.include_router(streams.router)
    app.include_router(events.router)
    app.include_router(vehicle_setup.router)
    app.include_router(websocket.router)
    return app
