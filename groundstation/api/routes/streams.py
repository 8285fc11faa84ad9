"""``/api/integration/video-streams``: the registry (CRUD), each stream with its live status, QoS and the
linked session's latest telemetry, and ``snapshot.jpg`` of its newest decoded frame."""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from groundstation.api import views
from groundstation.api.auth import Caller, operator, viewer
from groundstation.api.context import ApiProfile, ApiRuntime
from groundstation.api.local_files import check_stream_url
from groundstation.api.params import DEFAULT_LIMIT, MAX_LIMIT, id_cursor
from groundstation.api.responses import ApiJSONResponse, errors
from groundstation.api.routing import JsonRoute
from groundstation.api.schemas import CreateStreamIn, Stream, StreamPage, UpdateStreamIn
from groundstation.domain.errors import ConflictError
from groundstation.domain.models import VideoStream
from groundstation.domain.ports import SnapshotWriter
from groundstation.domain.video import VideoFrame

router = APIRouter(prefix="/api/integration/video-streams", tags=["video streams"], route_class=JsonRoute)

Viewer = Annotated[Caller, Depends(viewer)]
Operator = Annotated[Caller, Depends(operator)]


def _view(profile: ApiProfile, stream: VideoStream) -> dict[str, Any]:
    """A disabled stream is shown as stored (``disabled``, no rates) even while its worker winds down: the
    answer to a PATCH that disables it says what the change did, not what the worker did a moment before."""
    live = profile.video.status(stream.id) if profile.video is not None and stream.enabled else None
    if not stream.enabled:
        qos = dataclasses.replace(
            stream.qos,
            source_fps=None,
            decoded_fps=None,
            frame_age_p50_ms=None,
            frame_age_p95_ms=None,
            bitrate_kbps=None,
            next_attempt_at=None,
        )
        stream = dataclasses.replace(stream, qos=qos)
    telemetry = profile.hub.latest(stream.linked_session_id) if stream.linked_session_id else None
    return views.stream_view(stream, live, telemetry)


@router.post("", status_code=201, response_model=Stream, responses=errors(401, 403, 409, 413, 422))
async def create_stream(body: CreateStreamIn, caller: Operator, request: Request) -> ApiJSONResponse:
    """A name taken is a 409 naming the stream that has it; a linked session of another profile is a 422
    (``linked_session_id``) exactly as an unknown one. ``file://`` and ``device://`` URLs are a 422 unless
    the server was started with ``--api-allow-local-files``."""
    check_stream_url(body.url, allowed=request.app.state.allow_local_files)
    stream = await caller.profile.streams.create(
        body.name, body.url, linked_session_id=body.linked_session_id, enabled=body.enabled, actor=caller.actor
    )
    return ApiJSONResponse(_view(caller.profile, stream), status_code=201)


@router.get("", response_model=StreamPage, responses=errors(401, 422))
async def list_streams(
    caller: Viewer,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
) -> ApiJSONResponse:
    found = await caller.profile.streams.list(limit=limit + 1, after_id=id_cursor(cursor, "vid"))
    page = found[:limit]
    next_cursor = page[-1].id if len(found) > limit else None
    return ApiJSONResponse({"items": [_view(caller.profile, s) for s in page], "next_cursor": next_cursor})


@router.get("/{stream_id}", response_model=Stream, responses=errors(401, 404))
async def get_stream(stream_id: str, caller: Viewer) -> ApiJSONResponse:
    return ApiJSONResponse(_view(caller.profile, await caller.profile.streams.get(stream_id)))


@router.patch("/{stream_id}", response_model=Stream, responses=errors(401, 403, 404, 409, 413, 422))
async def update_stream(stream_id: str, body: UpdateStreamIn, caller: Operator, request: Request) -> ApiJSONResponse:
    """Only the fields present change; ``"linked_session_id": null`` unlinks the stream. The answer is the
    stream after the change (``"enabled": false`` answers ``disabled``)."""
    check_stream_url(body.url, allowed=request.app.state.allow_local_files)
    given = {name: getattr(body, name) for name in body.model_fields_set}
    stream = await caller.profile.streams.update(stream_id, actor=caller.actor, **given)
    return ApiJSONResponse(_view(caller.profile, stream))


@router.delete("/{stream_id}", status_code=204, response_class=Response, responses=errors(401, 403, 404))
async def delete_stream(stream_id: str, caller: Operator) -> Response:
    await caller.profile.streams.delete(stream_id, actor=caller.actor)
    return Response(status_code=204)


@router.get(
    "/{stream_id}/snapshot.jpg",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The newest decoded frame."},
        **errors(401, 404, 409),
    },
)
async def snapshot(stream_id: str, caller: Viewer, request: Request) -> Response:
    """The newest decoded frame as JPEG; 409 while the stream has no picture here (disabled, not decoded
    by this process, or not connected yet). Nothing is stored: use the GUI or ``recordings`` to keep one."""
    stream = await caller.profile.streams.get(stream_id)
    frame = caller.profile.video.frame(stream_id) if caller.profile.video is not None else None
    if frame is None:
        raise ConflictError(f"stream '{stream.name}' has no picture to give yet", holder=stream_id)
    runtime: ApiRuntime = request.app.state.runtime
    data = await asyncio.to_thread(_encode_jpeg, runtime.snapshots, frame, stream)
    return Response(content=data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


def _encode_jpeg(writer: SnapshotWriter, frame: VideoFrame, stream: VideoStream) -> bytes:
    """Encode through the runtime's snapshot writer (the API may not import a codec) into a private
    temporary directory, read the bytes back, and leave nothing behind."""
    with tempfile.TemporaryDirectory(prefix="gs-snapshot-") as tmp:
        path = Path(tmp) / "frame.jpg"
        writer.write(frame, str(path), {"stream_id": stream.id, "time": frame.captured_at.isoformat()})
        return path.read_bytes()
