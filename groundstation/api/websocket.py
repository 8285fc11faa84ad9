"""``/api/integration/ws``: the profile's events as they happen and, on request, sessions' telemetry.

Authentication: an ``Authorization: Bearer`` header on the upgrade request, or (for browsers, which cannot
set headers on a WebSocket) a first message ``{"type": "auth", "token": "gs_..."}`` within 5 s. Not a query
parameter: URLs end up in logs and proxies.

Then the client may send ``{"type": "subscribe", "session_id": ..., "rate_hz": 5}`` (0.1 Hz or more, capped
at 20 Hz; less is an ``invalid`` error naming ``rate_hz``) and
``{"type": "unsubscribe", "session_id": ...}``; the server sends ``event``, ``telemetry``, ``subscribed``,
``unsubscribed`` and ``error`` messages. Telemetry is sampled from the hub's latest value at the chosen
rate (a sample is sent only once), so a fast vehicle never floods a slow client. Everything a connection
sends passes one bounded drop-oldest queue: a client that does not read loses the oldest messages (counted
in ``dropped`` of the next telemetry message) instead of growing the server's memory.

Access records (``api.ws``, in the token's profile): the connect (status 101, or 401 for a revoked token),
each message but a well-formed ping, with the status the same answer would have had over HTTP, and the
close (with the connection's lifetime in ``duration_ms``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from groundstation.api import views
from groundstation.api.access import record_access
from groundstation.api.auth import Caller, Presented, TokenResolver
from groundstation.api.context import ApiProfile
from groundstation.api.problems import STATUS_BY_CODE
from groundstation.domain.errors import GroundstationError, InvalidError, UnauthorizedError
from groundstation.domain.events import IntegrationEvent
from groundstation.domain.models import ApiToken
from groundstation.services.access_log import WS_ACTION
from groundstation.services.queues import DropOldestQueue, QueueClosed

log = logging.getLogger(__name__)

router = APIRouter()

MAX_RATE_HZ = 20.0
MIN_RATE_HZ = 0.1
MAX_SUBSCRIPTIONS = 64
AUTH_TIMEOUT_S = 5.0
QUEUE_SIZE = 512
CLOSE_UNAUTHORIZED = 4401
WS_PATH = "/api/integration/ws"
# The message types an access record names; anything else is recorded as "invalid" (a bounded set of values).
_AUDITED = frozenset({"subscribe", "unsubscribe", "ping"})


@router.websocket(WS_PATH)
async def integration_ws(ws: WebSocket) -> None:
    await ws.accept()
    started = time.perf_counter()
    resolver: TokenResolver = ws.app.state.tokens
    client = f"{ws.client.host}:{ws.client.port}" if ws.client is not None else "unknown"
    found: Presented | None = None
    try:
        secret = await _secret_of(ws)
        found = await resolver.find(secret)
        caller = await resolver.admit(secret, found, method="WS", path=ws.url.path, client=client)
    except (GroundstationError, ValueError, TimeoutError) as exc:
        if found is not None:  # a revoked token: refused in its own profile's log too
            _record(found.profile, found.token, "connect", None, started, status=401)
        message = exc.message if isinstance(exc, GroundstationError) else "authenticate first"
        with contextlib.suppress(Exception):
            await ws.send_text(json.dumps({"type": "error", "code": "unauthorized", "detail": message}))
            await ws.close(CLOSE_UNAUTHORIZED)
        return
    except WebSocketDisconnect:
        return
    _record(caller.profile, caller.token, "connect", None, started, status=101)
    try:
        await Connection(ws, caller).run()
    finally:
        # The close, with how long the connection lived: a dashboard that reconnects every few seconds, or
        # one that never lets go, shows in the audit log as such.
        _record(caller.profile, caller.token, "disconnect", None, started, status=200)


async def _secret_of(ws: WebSocket) -> str:
    header = ws.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return secret.strip()
    first = json.loads(await asyncio.wait_for(_receive_text(ws), AUTH_TIMEOUT_S))
    if not isinstance(first, dict) or first.get("type") != "auth" or not isinstance(first.get("token"), str):
        raise UnauthorizedError('send {"type": "auth", "token": "gs_..."} first, or an Authorization header')
    token: str = first["token"]
    return token


def _record(
    profile: ApiProfile, token: ApiToken, message: str, session_id: str | None, started: float, *, status: int
) -> None:
    """An access record (``api.ws``) of the connect or of one subscription message; ``status`` is the HTTP
    status the same answer would have had (101 for a connect), so one filter reads both logs."""
    record_access(
        profile,
        token,
        action=WS_ACTION,
        method="WS",
        path=WS_PATH,
        target_id=session_id,
        status=status,
        duration_ms=(time.perf_counter() - started) * 1000,
        extra={"message": message},
    )


class Connection:
    """One authenticated WebSocket: an event pump, telemetry samplers, one sender, one reader."""

    def __init__(self, ws: WebSocket, caller: Caller) -> None:
        self._ws = ws
        self._caller = caller
        self._out: DropOldestQueue[dict[str, Any]] = DropOldestQueue(QUEUE_SIZE)
        self._samplers: dict[str, asyncio.Task[None]] = {}

    async def run(self) -> None:
        profile = self._caller.profile
        events = profile.bus.subscribe(maxsize=QUEUE_SIZE)
        self._out.put({"type": "welcome", "profile": profile.name, "token": self._caller.token.name})
        loop = asyncio.get_running_loop()
        sender = loop.create_task(self._send_forever())
        pump = loop.create_task(self._pump(events))
        try:
            await self._read_forever()
        except WebSocketDisconnect:
            pass
        finally:
            events.close()
            self._out.close()
            tasks = [sender, pump, *self._samplers.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _pump(self, events: Any) -> None:
        event: IntegrationEvent
        async for event in events:
            self._out.put({"type": "event", "event": views.event_view(event)})

    async def _send_forever(self) -> None:
        try:
            while True:
                message = await self._out.get()
                await self._ws.send_text(json.dumps(message, default=str))
        except (QueueClosed, WebSocketDisconnect, RuntimeError):
            return

    async def _read_forever(self) -> None:
        while True:
            text = await _receive_text(self._ws)
            started = time.perf_counter()
            kind, session_id, status = "invalid", None, 200
            try:
                message = json.loads(text)
                if not isinstance(message, dict):
                    raise InvalidError("a message is a JSON object with a type", field="type")
                kind = str(message["type"]) if message.get("type") in _AUDITED else "invalid"
                session_id = message.get("session_id") if isinstance(message.get("session_id"), str) else None
                await self._handle(message)
            except json.JSONDecodeError:
                status = 422
                self._error(InvalidError("a message is JSON", field="message"))
            except GroundstationError as exc:
                status = STATUS_BY_CODE.get(exc.code, 422)
                self._error(exc)
            if kind != "ping" or status >= 400:  # keep-alives are not worth a record; a broken one is
                _record(self._caller.profile, self._caller.token, kind, session_id, started, status=status)

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            session_id = _session_id(message)
            rate = message.get("rate_hz", 5)
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not rate == rate:
                raise InvalidError(f"rate_hz is a number from {MIN_RATE_HZ:g} to {MAX_RATE_HZ:g}", field="rate_hz")
            if not rate >= MIN_RATE_HZ:
                raise InvalidError(
                    f"rate_hz must be from {MIN_RATE_HZ:g} to {MAX_RATE_HZ:g} (higher is capped at "
                    f"{MAX_RATE_HZ:g}); got {str(rate)[:24]}",
                    field="rate_hz",
                )
            rate = min(MAX_RATE_HZ, float(rate))
            await self._caller.profile.sessions.get(session_id)  # another tenant's id is not found
            if session_id not in self._samplers and len(self._samplers) >= MAX_SUBSCRIPTIONS:
                raise InvalidError(f"at most {MAX_SUBSCRIPTIONS} subscriptions per connection", field="session_id")
            old = self._samplers.pop(session_id, None)
            if old is not None:
                old.cancel()
            self._samplers[session_id] = asyncio.get_running_loop().create_task(self._sample(session_id, rate))
            self._out.put({"type": "subscribed", "session_id": session_id, "rate_hz": rate})
        elif kind == "unsubscribe":
            session_id = _session_id(message)
            task = self._samplers.pop(session_id, None)
            if task is not None:
                task.cancel()
            self._out.put({"type": "unsubscribed", "session_id": session_id})
        elif kind == "ping":
            self._out.put({"type": "pong"})
        else:
            raise InvalidError("type is subscribe, unsubscribe or ping", field="type")

    async def _sample(self, session_id: str, rate_hz: float) -> None:
        hub = self._caller.profile.hub
        period = 1.0 / rate_hz
        last = None
        while True:
            sample = hub.latest(session_id)
            if sample is not None and sample is not last:
                last = sample
                self._out.put(
                    {
                        "type": "telemetry",
                        "session_id": session_id,
                        "sample": sample.to_dict(),
                        "dropped": self._out.dropped,
                    }
                )
            await asyncio.sleep(period)

    def _error(self, exc: GroundstationError) -> None:
        message: dict[str, Any] = {"type": "error", "code": exc.code.value, "detail": exc.message}
        if isinstance(exc, InvalidError) and exc.field:
            message["field"] = exc.field
        self._out.put(message)


async def _receive_text(ws: WebSocket) -> str:
    """The next text frame; a binary frame reads as an empty (invalid) message; a close ends the loop."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    return text if isinstance(text, str) else ""


def _session_id(message: dict[str, Any]) -> str:
    session_id = message.get("session_id")
    if not isinstance(session_id, str) or not session_id or len(session_id) > 200:
        raise InvalidError("session_id is a session's id", field="session_id")
    return session_id
