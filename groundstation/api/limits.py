"""The request body limit (64 KiB), enforced before anything parses the body, chunked bodies included.

A pure ASGI middleware: it refuses a declared ``Content-Length`` over the limit at once, and otherwise
reads the body as it arrives, counting, and refuses as soon as the count passes the limit, so a chunked
upload without a length can never make the server buffer more than the limit. The body it accepted is then
replayed to the application. What is left of a refused body is read and thrown away (up to a cap) before
the 413 goes out, so a client still writing its body reads the answer instead of a reset connection.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from groundstation.api.problems import PROBLEM_JSON, problem_body

MAX_BODY_BYTES = 64 * 1024
_DRAIN_CAP_BYTES = 4 * 1024 * 1024


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _drain(receive, 0)
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            chunk = message.get("body", b"")
            size += len(chunk)
            more = bool(message.get("more_body", False))
            if size > self.max_bytes:
                if more:
                    await _drain(receive, size)
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        detail = f"the request body is larger than {self.max_bytes} bytes"
        payload = json.dumps(problem_body(413, "too_large", detail, scope.get("path"))).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _drain(receive: Receive, already: int) -> None:
    seen = already
    while seen < _DRAIN_CAP_BYTES:
        message: dict[str, Any] = dict(await receive())
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return
