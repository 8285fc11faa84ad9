"""``JsonRoute``: the route class of every router. A route that reads a JSON body refuses any other
``Content-Type`` (missing, ``text/plain``, a form) with 415 ``unsupported_media_type`` before its body is
parsed, rather than reading the bytes as something they are not and answering a puzzling 422."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

JSON_EXPECTED = "this route takes a JSON body: send it with Content-Type: application/json"


def is_json(content_type: str | None) -> bool:
    """``application/json`` or any ``application/<x>+json``, parameters (``charset``) ignored."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def json_only(request: Request) -> Response:
            if not is_json(request.headers.get("content-type")):
                raise StarletteHTTPException(415, JSON_EXPECTED)
            return await handler(request)

        return json_only
