"""``/api/integration/device-sessions``: start, stop, list, get, telemetry (latest and history), commands."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from groundstation.api import views
from groundstation.api.auth import Caller, operator, viewer
from groundstation.api.params import DEFAULT_LIMIT, MAX_LIMIT, check_json_params, utc
from groundstation.api.responses import ApiJSONResponse, errors
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

router = APIRouter(prefix="/api/integration/device-sessions", tags=["device sessions"])

Viewer = Annotated[Caller, Depends(viewer)]
Operator = Annotated[Caller, Depends(operator)]


@router.post("/start", status_code=201, response_model=Session, responses=errors(401, 403, 409, 413, 422))
async def start_session(body: StartSessionIn, caller: Operator) -> ApiJSONResponse:
    """Create a session and open its link. A link that cannot open still answers 201: the session exists,
    ``failed`` with the reason in ``last_error``. The same device live in another session is a 409."""
    session = await caller.profile.sessions.start(body.name, body.adapter, body.connection.url, actor=caller.actor)
    return ApiJSONResponse(views.session_view(session), status_code=201)


@router.post("/{session_id}:stop", response_model=Session, responses=errors(401, 403, 404, 409))
async def stop_session(session_id: str, caller: Operator) -> ApiJSONResponse:
    """Stop a running session (it ends ``stopped``); an ``interrupted`` one is dismissed to ``stopped``."""
    session = await caller.profile.sessions.stop(session_id, actor=caller.actor)
    return ApiJSONResponse(views.session_view(session))


@router.get("", response_model=SessionPage, responses=errors(401, 422))
async def list_sessions(
    caller: Viewer,
    state: Annotated[list[SessionState] | None, Query(description="any of these states")] = None,
    adapter: AdapterKind | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
) -> ApiJSONResponse:
    """Sessions in a stable order, a page at a time."""
    found = await caller.profile.sessions.list(states=state, adapter=adapter, limit=limit + 1, after_id=cursor)
    page = found[:limit]
    next_cursor = page[-1].id if len(found) > limit else None
    return ApiJSONResponse({"items": [views.session_view(s) for s in page], "next_cursor": next_cursor})


@router.get("/{session_id}", response_model=Session, responses=errors(401, 404))
async def get_session(session_id: str, caller: Viewer) -> ApiJSONResponse:
    return ApiJSONResponse(views.session_view(await caller.profile.sessions.get(session_id)))


@router.get("/{session_id}/telemetry", response_model=LatestTelemetry, responses=errors(401, 404))
async def latest_telemetry(session_id: str, caller: Viewer) -> ApiJSONResponse:
    """The newest sample this process received from the session (null before the first one)."""
    await caller.profile.sessions.get(session_id)
    sample = caller.profile.hub.latest(session_id)
    return ApiJSONResponse({"session_id": session_id, "sample": views.telemetry_view(sample)})


@router.get("/{session_id}/telemetry/history", response_model=TelemetryHistory, responses=errors(401, 404, 422))
async def telemetry_history(
    session_id: str,
    caller: Viewer,
    since: Annotated[datetime | None, Query(description="inclusive; ISO 8601, UTC if no zone")] = None,
    until: Annotated[datetime | None, Query(description="exclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ApiJSONResponse:
    """Stored samples (about one per second per session), oldest first."""
    await caller.profile.sessions.get(session_id)
    samples = await caller.profile.hub.history(
        session_id, since=utc(since, "since"), until=utc(until, "until"), limit=limit
    )
    return ApiJSONResponse({"session_id": session_id, "samples": [s.to_dict() for s in samples]})


@router.post("/{session_id}/commands", response_model=CommandOut, responses=errors(401, 403, 404, 409, 413, 422))
async def send_command(session_id: str, body: CommandIn, caller: Operator) -> ApiJSONResponse:
    """Send a command to a running session; the answer is the vehicle's (``accepted``, ``denied`` with its
    reason, ``no_answer``...). A session that is not running is a 409."""
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
