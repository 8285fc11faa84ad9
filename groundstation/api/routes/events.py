"""``/api/integration/events`` (the stored event log, paged by cursor), ``/api/audit`` (admin) and
``/api/health`` (no token)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from groundstation import __version__
from groundstation.api import views
from groundstation.api.access import HEALTH_PATH
from groundstation.api.auth import Caller, admin, viewer
from groundstation.api.cursors import (
    CURSOR_DESCRIPTION,
    MAX_CURSOR_LENGTH,
    ORDER_DESCRIPTION,
    Order,
    audit_cursor,
    audit_position,
)
from groundstation.api.params import DEFAULT_LIMIT, MAX_LIMIT, utc
from groundstation.api.responses import ApiJSONResponse, errors
from groundstation.api.schemas import AuditPage, EventPage, Health
from groundstation.domain.errors import InvalidError

router = APIRouter(tags=["events, audit, health"])


def _cursor(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise InvalidError("cursor is the next_cursor of an earlier answer (digits)", field="cursor")
    return int(text)


@router.get("/api/integration/events", response_model=EventPage, responses=errors(401, 422))
async def list_events(
    caller: Annotated[Caller, Depends(viewer)],
    cursor: Annotated[str | None, Query(max_length=40, description="`next_cursor` of the previous answer")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    order: Annotated[
        Order,
        Query(
            description="`asc` (default): the events after `cursor`, oldest first, for polling; `desc`: the "
            "newest first, and `next_cursor` pages back to older ones"
        ),
    ] = "asc",
) -> ApiJSONResponse:
    """Events after ``cursor``, oldest first. Poll with the returned ``next_cursor`` to get only new ones
    (it stays the same when nothing happened); without a cursor the log is read from its start.

    ``order=desc`` reads the other way: without a cursor the newest ``limit`` events, newest first; with the
    ``next_cursor`` it gave, the events before those (an empty page, with ``next_cursor`` unchanged, once
    the oldest kept was read).

    A cursor this log never gave (beyond its newest event: another server's, or a profile made anew) is a
    422 telling the client to start again without a cursor. A cursor older than retention kept answers from
    the oldest event kept, with ``pruned`` true: events between the cursor and the first item were deleted
    by retention and are lost to this client."""
    audit = caller.profile.audit
    position = _cursor(cursor)
    if order == "desc":
        events = await audit.list_events(before_seq=position, limit=limit, newest_first=True)
        if position and not await audit.list_events(after_seq=position - 1, limit=1):
            raise _beyond(position)
        last = events[-1].seq if events else position
        return ApiJSONResponse(
            {
                "items": [views.event_view(e) for e in events],
                "next_cursor": str(last if last is not None else 0),
                "pruned": False,
            }
        )
    after = position
    events = await audit.list_events(after_seq=after, limit=limit)
    if after and not events and not await audit.list_events(after_seq=after - 1, limit=1):
        # Nothing at the cursor itself nor after it: the log never reached this cursor (or retention
        # removed every event from it onwards; starting again loses nothing then either).
        raise _beyond(after)
    first = events[0].seq if events else None
    pruned = after is not None and first is not None and first > after + 1
    last = events[-1].seq if events else after
    return ApiJSONResponse(
        {
            "items": [views.event_view(e) for e in events],
            "next_cursor": str(last if last is not None else 0),
            "pruned": pruned,
        }
    )


def _beyond(cursor: int) -> InvalidError:
    return InvalidError(
        f"cursor {cursor} is beyond the newest event of this log; start again without a cursor", field="cursor"
    )


@router.get("/api/audit", response_model=AuditPage, responses=errors(401, 403, 422))
async def list_audit(
    caller: Annotated[Caller, Depends(admin)],
    since: Annotated[datetime | None, Query(description="inclusive")] = None,
    until: Annotated[datetime | None, Query(description="exclusive")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="as `api:<token name>`, `operator`")] = None,
    action: Annotated[str | None, Query(max_length=200)] = None,
    target_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    order: Annotated[Order, Query(description=ORDER_DESCRIPTION)] = "asc",
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH, description=CURSOR_DESCRIPTION)] = None,
) -> ApiJSONResponse:
    """The profile's audit log in ``(at, id)`` order: oldest first, or ``order=desc`` for the newest first
    (the latest entries without guessing a ``since``). Page with ``next_cursor`` (null on the last page):
    entries with equal ``at`` are told apart by id, so pages neither skip nor repeat any."""
    position = audit_position(cursor, order)
    desc = order == "desc"
    entries = await caller.profile.audit.list(
        since=utc(since, "since"),
        until=utc(until, "until"),
        actor=actor,
        action=action,
        target_id=target_id,
        limit=limit + 1,
        newest_first=desc,
        after=None if desc else position,
        before=position if desc else None,
    )
    page = entries[:limit]
    next_cursor = audit_cursor(order, page[-1].at, page[-1].id) if len(entries) > limit else None
    return ApiJSONResponse({"items": [views.audit_view(a) for a in page], "next_cursor": next_cursor})


@router.get(HEALTH_PATH, response_model=Health)
async def health() -> ApiJSONResponse:
    """Up and which version; needs no token and says nothing about profiles."""
    return ApiJSONResponse({"status": "ok", "version": __version__})
