"""``/api/integration/device-sessions``: start, stop, list, get, telemetry (latest and history), commands."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from groundstation.api import views
from groundstation.api.auth import Caller, operator, viewer
from groundstation.api.cursors import (
    CURSOR_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    ORDER_DESCRIPTION,
    Order,
    telemetry_cursor,
    telemetry_position,
)
from groundstation.api.local_files import check_session_url
from groundstation.api.params import DEFAULT_LIMIT, MAX_LIMIT, check_json_params, id_cursor, utc
from groundstation.api.responses import ApiJSONResponse, errors
from groundstation.api.routing import JsonRoute
from groundstation.api.schemas import (
    CommandIn,
    CommandOut,
    LatestTelemetry,
    Session,
    SessionPage,
    StartSessionIn,
    TelemetryHistory,
)
from groundstation.domain.models import AdapterKind, SessionState

router = APIRouter(prefix="/api/integration/device-sessions", tags=["device sessions"], route_class=JsonRoute)

Viewer = Annotated[Caller, Depends(viewer)]
Operator = Annotated[Caller, Depends(operator)]


@router.post("/start", status_code=201, response_model=Session, responses=errors(401, 403, 409, 413, 422))
async def start_session(body: StartSessionIn, caller: Operator, request: Request) -> ApiJSONResponse:
    """Create a session and open its link. A link that cannot open answers 201 all the same: the session
    exists and ends ``failed`` with the reason in ``last_error`` (at once, or after its retries; until then
    its state and ``last_error`` show why it is still trying). The same device live in another session is a
    409. A scenario path or a ``tlog://`` file is a 422 unless the server was started with
    ``--api-allow-local-files`` (a scenario is then a built-in name, such as ``scenario=demo``)."""
    check_session_url(body.connection.url, allowed=request.app.state.allow_local_files)
    session = await caller.profile.sessions.start(body.name, body.adapter, body.connection.url, actor=caller.actor)
    return ApiJSONResponse(views.session_view(session), status_code=201)


@router.post("/{session_id}:stop", response_model=Session, responses=errors(401, 403, 404, 409))
async def stop_session(session_id: str, caller: Operator) -> ApiJSONResponse:
    """Stop a running session (it ends ``stopped``); an ``interrupted`` one is dismissed to ``stopped``."""
    session = await caller.profile.sessions.stop(session_id, actor=caller.actor)
    return ApiJSONResponse(views.session_view(session))


@router.post("/{session_id}:resume", response_model=Session, responses=errors(401, 403, 404, 409, 422))
async def resume_session(session_id: str, caller: Operator) -> ApiJSONResponse:
    """Start again a session that ended (``stopped``, ``failed``, or ``interrupted`` by a crash of the
    previous run), with the same id, name and connection. A live session is a 409 naming its state; the
    device or endpoint held by another live session is a 409 naming the holder. As with start, a link that
    cannot open still answers 200: the session is ``failed`` with the reason in ``last_error``."""
    session = await caller.profile.sessions.resume(session_id, actor=caller.actor)
    return ApiJSONResponse(views.session_view(session))


@router.delete("/{session_id}", status_code=204, response_class=Response, responses=errors(401, 403, 404, 409))
async def delete_session(session_id: str, caller: Operator) -> Response:
    """Delete a session that is not live (stopped, failed or interrupted); a live one is a 409 naming its
    state (stop it first). Its name becomes free. Its stored telemetry goes with it; its audit entries and
    events stay (the accountability record); streams linked to it stay, unlinked. Audited (``session.delete``)."""
    await caller.profile.sessions.delete(session_id, actor=caller.actor)
    return Response(status_code=204)


@router.get("", response_model=SessionPage, responses=errors(401, 422))
async def list_sessions(
    caller: Viewer,
    state: Annotated[list[SessionState] | None, Query(description="any of these states")] = None,
    adapter: AdapterKind | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
) -> ApiJSONResponse:
    """Sessions in a stable order, a page at a time."""
    after = id_cursor(cursor, "ses")
    found = await caller.profile.sessions.list(states=state, adapter=adapter, limit=limit + 1, after_id=after)
    page = found[:limit]
    next_cursor = page[-1].id if len(found) > limit else None
    return ApiJSONResponse({"items": [views.session_view(s) for s in page], "next_cursor": next_cursor})


@router.get("/{session_id}", response_model=Session, responses=errors(401, 404))
async def get_session(session_id: str, caller: Viewer) -> ApiJSONResponse:
    return ApiJSONResponse(views.session_view(await caller.profile.sessions.get(session_id)))


@router.get("/{session_id}/telemetry", response_model=LatestTelemetry, responses=errors(401, 404))
async def latest_telemetry(session_id: str, caller: Viewer) -> ApiJSONResponse:
    """The newest sample of the session. While it runs in this process: the newest received (``live``
    true; null before the first). Otherwise (stopped, failed, or interrupted by a restart): the last one this
    process received, else the last one stored, with ``live`` false; null when there is none."""
    await caller.profile.sessions.get(session_id)
    running = caller.profile.sessions.live_state(session_id) is not None
    sample = caller.profile.hub.latest(session_id)
    if sample is None and not running:
        sample = await caller.profile.hub.latest_stored(session_id)
    return ApiJSONResponse(
        {"session_id": session_id, "sample": views.telemetry_view(sample), "live": running and sample is not None}
    )


@router.get("/{session_id}/telemetry/history", response_model=TelemetryHistory, responses=errors(401, 404, 422))
async def telemetry_history(
    session_id: str,
    caller: Viewer,
    since: Annotated[datetime | None, Query(description="inclusive; ISO 8601, UTC if no zone")] = None,
    until: Annotated[datetime | None, Query(description="exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    order: Annotated[Order, Query(description=ORDER_DESCRIPTION)] = "asc",
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)] = None,
) -> ApiJSONResponse:
    """Stored samples (about one per second per session), oldest first, or ``order=desc`` for the newest
    first. Page with ``next_cursor`` (null on the last page)."""
    await caller.profile.sessions.get(session_id)
    position = telemetry_position(cursor, order)
    desc = order == "desc"
    samples = await caller.profile.hub.history(
        session_id,
        since=utc(since, "since"),
        until=utc(until, "until"),
        limit=limit + 1,
        newest_first=desc,
        after=None if desc else position,
        before=position if desc else None,
    )
    page = samples[:limit]
    next_cursor = telemetry_cursor(order, [s.time for s in page], position) if len(samples) > limit else None
    return ApiJSONResponse(
        {"session_id": session_id, "samples": [s.to_dict() for s in page], "next_cursor": next_cursor}
    )


@router.post("/{session_id}/commands", response_model=CommandOut, responses=errors(401, 403, 404, 409, 413, 422))
async def send_command(session_id: str, body: CommandIn, caller: Operator) -> ApiJSONResponse:
    """Send a command to a running session; the answer is the vehicle's (``accepted``, ``denied`` with its
    reason, ``no_answer``...). ``params`` are checked per command first (see ``CommandIn``): a missing one, a
    wrong type, a value out of range or a name the command does not take is a 422 naming ``params.<name>``.
    A session that is not running is a 409."""
    params = check_json_params(body.params)
    result = await caller.profile.commands.send(session_id, body.command, params, actor=caller.actor)
    return ApiJSONResponse(
        {
            "session_id": session_id,
            "command": body.command.value,
            "outcome": result.outcome.value,
            "accepted": result.accepted,
            "message": result.message,
        }
    )
