"""``/api/integration/device-sessions/{id}/parameters`` and ``.../mission``: a running vehicle's setup.

Reads are for viewers, writes for operators; every write is audited by the services with the caller's actor
and the vehicle's answer. A vehicle that does not confirm a write within the protocol's retries is a 504.
A download answers only when it is complete, so ``.../parameters/progress`` and ``.../mission/progress`` tell
another request how far it is (and how the last transfer ended).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field, StrictBool

from groundstation.api.auth import Caller, operator, viewer
from groundstation.api.responses import ApiJSONResponse, errors
from groundstation.api.routing import JsonRoute
from groundstation.domain.errors import InvalidError
from groundstation.domain.missions import Mission, MissionItem, MissionType
from groundstation.domain.parameters import MAX_NAME_LENGTH, Parameter
from groundstation.services.vehicle_setup import TransferProgress

router = APIRouter(prefix="/api/integration/device-sessions", tags=["vehicle setup"], route_class=JsonRoute)

Viewer = Annotated[Caller, Depends(viewer)]
Operator = Annotated[Caller, Depends(operator)]

MAX_ITEMS = 500  # a 64 KiB body holds about this many items anyway
MAX_PARAMS_PER_PATCH = 200
MAX_FILE_CHARS = 60_000


def _with_timeout(*statuses: int) -> dict[int | str, dict[str, Any]]:
    documented = errors(*statuses)
    template = dict(documented[statuses[0]])
    template["description"] = "The vehicle did not answer or confirm within the protocol's retries."
    return {**documented, 504: template}


class ParameterOut(BaseModel):
    name: str
    value: float | int
    type: str | None = Field(description="MAV_PARAM_TYPE name (INT16, REAL32...); null when unknown")
    index: int | None


class ParametersOut(BaseModel):
    session_id: str
    count: int
    parameters: list[ParameterOut]


class ParametersPatch(BaseModel):
    model_config = {"extra": "forbid"}
    values: dict[str, float | int] = Field(
        min_length=1, max_length=MAX_PARAMS_PER_PATCH, examples=[{"RTL_ALT": 2500, "WPNAV_SPEED": 600.0}]
    )


class MissionItemIO(BaseModel):
    model_config = {"extra": "forbid"}
    seq: int = Field(ge=0, le=65535)
    command: int = Field(ge=0, le=65535, description="MAV_CMD number (16 waypoint, 22 takeoff, 20 RTL...)")
    frame: int = Field(default=3, ge=0, le=255, description="MAV_FRAME number (3: relative altitude)")
    current: StrictBool = False
    autocontinue: StrictBool = True
    param1: float = 0.0
    param2: float = 0.0
    param3: float = 0.0
    param4: float = 0.0
    x: float = Field(default=0.0, description="latitude in degrees for global frames")
    y: float = Field(default=0.0, description="longitude in degrees for global frames")
    z: float = 0.0


class HomeIO(BaseModel):
    latitude: float
    longitude: float
    altitude: float


class MissionOut(BaseModel):
    session_id: str
    items: list[MissionItemIO]
    home: HomeIO | None = None


class MissionIn(BaseModel):
    """Either ``items``, or ``file``: the text of a QGroundControl ``.plan`` or ``.waypoints`` file."""

    model_config = {"extra": "forbid"}
    items: list[MissionItemIO] | None = Field(default=None, max_length=MAX_ITEMS)
    file: str | None = Field(default=None, max_length=MAX_FILE_CHARS)


class TransferOut(BaseModel):
    session_id: str
    operation: str | None = Field(
        description="parameters.download, parameters.apply, mission.download or mission.upload; null when idle"
    )
    state: Literal["idle", "running", "finished", "failed"] = Field(
        description="running now; else how the last transfer of this session ended; idle when none has run "
        "since the ground station started"
    )
    done: int = Field(description="items (parameters, mission items) transferred so far")
    total: int = Field(description="items in all; 0 until the vehicle has said how many")


class MissionCurrentIn(BaseModel):
    model_config = {"extra": "forbid"}
    seq: int = Field(
        ge=0,
        le=65535,
        description="the item to fly next (ArduPilot: 0 restarts at item 1; refused when the mission is only home)",
    )


class MissionCurrentOut(BaseModel):
    session_id: str
    requested: int = Field(description="the item asked for")
    seq: int = Field(description="the item the vehicle went to (its MISSION_CURRENT after the request)")


def _transfer_view(session_id: str, progress: TransferProgress | None) -> dict[str, Any]:
    if progress is None:
        return {"session_id": session_id, "operation": None, "state": "idle", "done": 0, "total": 0}
    return {
        "session_id": session_id,
        "operation": progress.operation,
        "state": progress.state.value,
        "done": progress.done,
        "total": progress.total,
    }


def _parameter_view(p: Parameter) -> dict[str, Any]:
    return {"name": p.name, "value": p.value, "type": p.type.name if p.type else None, "index": p.index}


def _mission_view(session_id: str, mission: Mission) -> dict[str, Any]:
    home = mission.home
    return {
        "session_id": session_id,
        "items": [
            {
                "seq": i.seq,
                "command": i.command,
                "frame": i.frame,
                "current": i.current,
                "autocontinue": i.autocontinue,
                "param1": i.param1,
                "param2": i.param2,
                "param3": i.param3,
                "param4": i.param4,
                "x": i.x,
                "y": i.y,
                "z": i.z,
            }
            for i in mission.items
        ],
        "home": None
        if home is None
        else {"latitude": home.latitude, "longitude": home.longitude, "altitude": home.altitude},
    }


@router.get("/{session_id}/parameters", response_model=ParametersOut, responses=_with_timeout(401, 404, 409, 422))
async def get_parameters(
    session_id: str,
    caller: Viewer,
    refresh: Annotated[bool, Query(description="download again even if a download is cached")] = False,
) -> ApiJSONResponse:
    """Every parameter of the running session's vehicle (downloaded once, then kept up to date by writes)."""
    service = caller.profile.parameters
    params = None if refresh else service.cached(session_id)
    if params is None:
        params = await service.download(session_id)
    views = [_parameter_view(p) for p in params.values()]
    return ApiJSONResponse({"session_id": session_id, "count": len(views), "parameters": views})


@router.get("/{session_id}/parameters/progress", response_model=TransferOut, responses=errors(401, 404))
async def get_parameters_progress(session_id: str, caller: Viewer) -> ApiJSONResponse:
    """How far the parameter download (or batch of writes) running on this session is; poll it beside a
    ``GET .../parameters`` that is still waiting. Answers for a stopped session too (its last transfer)."""
    progress = await caller.profile.parameters.transfer(session_id)
    return ApiJSONResponse(_transfer_view(session_id, progress))


@router.patch(
    "/{session_id}/parameters", response_model=ParametersOut, responses=_with_timeout(401, 403, 404, 409, 413, 422)
)
async def patch_parameters(session_id: str, body: ParametersPatch, caller: Operator) -> ApiJSONResponse:
    """Write parameters in the order given; each is audited, and the first the vehicle does not confirm
    ends the request with its error (the ones before it stay written). Names are checked first against the
    vehicle's full list (downloaded first when none is cached): a name it lacks is a 422 naming
    ``values.<name>`` (with "did you mean" for another case), and nothing is written."""
    for name in body.values:
        if not name or len(name) > MAX_NAME_LENGTH or not name.isascii():
            raise InvalidError(f"{name!r} is not a parameter name", field=f"values.{name}")
    written = await caller.profile.parameters.set_many(session_id, dict(body.values), actor=caller.actor)
    views = [_parameter_view(p) for p in written]
    return ApiJSONResponse({"session_id": session_id, "count": len(views), "parameters": views})


@router.get("/{session_id}/mission", response_model=MissionOut, responses=_with_timeout(401, 404, 409, 422))
async def get_mission(session_id: str, caller: Viewer) -> ApiJSONResponse:
    """The mission stored on the vehicle, downloaded now (for ArduPilot, item 0 is home)."""
    mission = await caller.profile.missions.download(session_id)
    return ApiJSONResponse(_mission_view(session_id, mission))


@router.get("/{session_id}/mission/progress", response_model=TransferOut, responses=errors(401, 404))
async def get_mission_progress(session_id: str, caller: Viewer) -> ApiJSONResponse:
    """How far the mission download or upload running on this session is (else how the last one ended)."""
    progress = await caller.profile.missions.transfer(session_id)
    return ApiJSONResponse(_transfer_view(session_id, progress))


@router.post(
    "/{session_id}/mission/current",
    response_model=MissionCurrentOut,
    responses=_with_timeout(401, 403, 404, 409, 413, 422),
)
async def post_mission_current(session_id: str, body: MissionCurrentIn, caller: Operator) -> ApiJSONResponse:
    """Make item ``seq`` the one the vehicle flies next; answers with the item the vehicle went to (its ACK, or
    its MISSION_CURRENT echo), which may differ from the one asked for. An item the vehicle does not have is
    refused by the vehicle (422); audited either way."""
    current = await caller.profile.missions.set_current(session_id, body.seq, actor=caller.actor)
    return ApiJSONResponse({"session_id": session_id, "requested": body.seq, "seq": current})


@router.put("/{session_id}/mission", response_model=MissionOut, responses=_with_timeout(401, 403, 404, 409, 413, 422))
async def put_mission(session_id: str, body: MissionIn, caller: Operator) -> ApiJSONResponse:
    """Replace the vehicle's mission with ``items`` or a planner ``file``; answers with what was uploaded."""
    if (body.items is None) == (body.file is None):
        raise InvalidError("give either items or file", field="items")
    if body.file is not None:
        try:
            mission = caller.profile.missions.import_text(body.file)
        except InvalidError as exc:
            # The parser names a place in the file ("line 1", "mission.items[3]"): the field is ``file``,
            # and the place goes into the detail.
            where = exc.field
            message = exc.message if not where or exc.message.startswith(where) else f"{where}: {exc.message}"
            raise InvalidError(f"file: {message}", field="file") from None
    else:
        assert body.items is not None
        if [i.seq for i in body.items] != list(range(len(body.items))):
            raise InvalidError("items must be numbered 0, 1, 2... in order", field="items")
        mission = Mission(tuple(MissionItem(**i.model_dump(), mission_type=MissionType.MISSION) for i in body.items))
    await caller.profile.missions.upload(session_id, mission, actor=caller.actor)
    return ApiJSONResponse(_mission_view(session_id, mission))


@router.delete("/{session_id}/mission", status_code=204, responses=_with_timeout(401, 403, 404, 409, 422))
async def delete_mission(session_id: str, caller: Operator) -> Response:
    """Clear the vehicle's mission (ArduPilot keeps home as item 0)."""
    await caller.profile.missions.clear(session_id, actor=caller.actor)
    return Response(status_code=204)
