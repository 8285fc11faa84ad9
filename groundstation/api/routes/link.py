"""``/api/integration/device-sessions/{id}/link``: a running session's link statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from groundstation.api import views
from groundstation.api.auth import Caller, viewer
from groundstation.api.responses import ApiJSONResponse, errors
from groundstation.api.schemas import SessionLinkOut
from groundstation.services.link_stats import session_link_stats

router = APIRouter(prefix="/api/integration/device-sessions", tags=["device sessions"])

Viewer = Annotated[Caller, Depends(viewer)]


@router.get("/{session_id}/link", response_model=SessionLinkOut, responses=errors(401, 404, 409))
async def link_stats(session_id: str, caller: Viewer) -> ApiJSONResponse:
    """The link's figures as of now: messages/s in and out, bad frames, packet loss, radio RSSI. Sessions
    sharing one endpoint (several vehicles on one radio) share its figures (`shared_by`). A session that is
    not running is a 409."""
    found = await session_link_stats(caller.profile.sessions, session_id)
    return ApiJSONResponse(
        {
            "session_id": found.session_id,
            "adapter": found.adapter.value,
            "state": found.state.value,
            "stats": views.link_stats_view(found.stats),
        }
    )
