"""One MAVLink session's link: an endpoint (shared with the other sessions on it) or a tlog replay, and
the one vehicle it follows.

Live traffic is parsed and counted once by the ``MavlinkEndpoint`` (see ``endpoint.py``), which hands every
message to each link on it; a replay counts its own. Either way ``_follow`` keeps only the target vehicle's
messages for the normalizer, the subscribers (the parameter and mission clients, through ``MavChannel``) and
the sink. The target is the URL's ``sysid`` or, without one, the first autopilot that heartbeats and that no
other session on the endpoint follows; other systems are recorded (``systems``) for sessions of their own.
The session's tlog holds its own vehicle's traffic only (``_records_heard``, ``_records_sent``), so it
replays as that one vehicle even when the endpoint carries several.

What the transport says of itself (the TCP connection refused, the radio unplugged) reaches the session's
event log through the sink's ``on_message``: WARNING while down, INFO when back. It is never a failure: the
transport keeps trying and the session recovers by itself. ``link_problem`` is the condition of now, which the
session stores as the reason when it turns ``link_lost``; ``nothing_heard`` names what a link that never
heard its vehicle waits for. A replay that reads its file to the end is finished (``on_finished``: the
session stops), not lost; a file that holds no MAVLink is refused when the link opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from groundstation.adapters.mavlink import gcs, params_codec
from groundstation.adapters.mavlink.actions import run_command
from groundstation.adapters.mavlink.codec import mavlink2
from groundstation.adapters.mavlink.commands import CommandClient
from groundstation.adapters.mavlink.endpoint import GCS_COMPONENT, EndpointPool, MavlinkEndpoint, link_label
from groundstation.adapters.mavlink.link_condition import LinkCondition
from groundstation.adapters.mavlink.missions import MissionClient
from groundstation.adapters.mavlink.normalize import SAMPLE_TRIGGERS
from groundstation.adapters.mavlink.params import ParamClient
from groundstation.adapters.mavlink.replay import ReplayResult, replay_tlog
from groundstation.adapters.mavlink.stats import LinkStats
from groundstation.adapters.mavlink.tlog import TlogRecorder, tlog_problem
from groundstation.adapters.mavlink.transports import Transport
from groundstation.adapters.mavlink.vehicle import Component, TargetVehicle, is_vehicle_heartbeat
from groundstation.domain import models
from groundstation.domain.commands import CommandOutcome, CommandResult, VehicleCommand
from groundstation.domain.errors import InvalidError
from groundstation.domain.events import Severity
from groundstation.domain.models import ConnectionSpec
from groundstation.domain.ports import TelemetrySink

log = logging.getLogger(__name__)

__all__ = ["GCS_COMPONENT", "MavlinkLink"]

_SUBSCRIBER_QUEUE = 4096
# Messages about the link itself rather than a vehicle: every session's log on the link keeps them.
_LINK_WIDE = frozenset({"RADIO_STATUS", "RADIO"})


class MavlinkLink:
    """A ``DeviceLink`` and a ``MavChannel`` for one vehicle."""

    def __init__(
        self,
        session_id: str,
        spec: ConnectionSpec,
        sink: TelemetrySink,
        *,
        tlog_dir: Path | None = None,
        clock: Callable[[], float] = time.time,
        pool: EndpointPool | None = None,
    ) -> None:
        self._session_id = session_id
        self._spec = spec
        self._sink = sink
        self._clock = clock
        options = spec.options
        self._wanted_sysid = int(options["sysid"]) if options.get("sysid") else None
        self._gcs_sysid = int(options.get("gcs_sysid", "255"))
        directory = options.get("tlog_dir")
        self._tlog_dir = Path(directory) if directory else tlog_dir
        self._replay = spec.scheme == "tlog"
        # Shared only through a pool, and only endpoints the process claims (udpout binds no known port).
        self._pool = pool if spec.endpoint_key is not None and spec.shares_endpoint else None
        # A private endpoint until ``open`` attaches to the pool's: a link is usable (and testable) alone.
        self._endpoint = MavlinkEndpoint(spec, self._gcs_sysid, clock=clock)
        self._endpoint.members.append(self)
        self._endpoint_open = False
        self._replay_bad = 0
        self._vehicle: TargetVehicle | None = None
        self._commands = self._command_client()
        self._subscribers: dict[str, list[asyncio.Queue[Any]]] = {}
        self._recorder: TlogRecorder | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._setup_task: asyncio.Task[None] | None = None
        self._finished = asyncio.Event()
        self._replay_result: ReplayResult | None = None
        self._replay_ended: str | None = None
        self._first_t: float | None = None
        self._last_t: float | None = None
        self._closed = False

    # ------------------------------------------------------------------------------------------ MavChannel
    @property
    def target_system(self) -> int:
        """The followed vehicle's system id; the URL's ``sysid`` before it is heard; 0 when neither."""
        if self._vehicle is not None:
            return self._vehicle.sysid
        return self._wanted_sysid or 0

    @property
    def target_component(self) -> int:
        return self._vehicle.compid if self._vehicle is not None else 1

    @property
    def mav(self) -> Any:
        return self._endpoint.mav

    def send(self, message: Any) -> None:
        self._endpoint.mav.send(message)

    def subscribe(self, *message_types: str) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Any]]:
        return self._subscription(message_types)

    @contextlib.asynccontextmanager
    async def _subscription(self, types: tuple[str, ...]) -> AsyncIterator[AsyncIterator[Any]]:
        queue: asyncio.Queue[Any] = asyncio.Queue(_SUBSCRIBER_QUEUE)
        for mtype in types:
            self._subscribers.setdefault(mtype, []).append(queue)
        try:
            yield _drain(queue)
        finally:
            for mtype in types:
                queues = self._subscribers.get(mtype, [])
                if queue in queues:
                    queues.remove(queue)
                if not queues:
                    self._subscribers.pop(mtype, None)

    # ------------------------------------------------------------------------------------------ DeviceLink
    async def open(self) -> None:
        if self._closed:
            raise RuntimeError("a closed MAVLink link cannot be opened again; create a new one")
        if self._tasks or self._endpoint_open:
            return
        loop = asyncio.get_running_loop()
        if self._replay:
            path = Path(unquote(urlsplit(self._spec.url).path))
            if not await asyncio.to_thread(path.is_file):
                raise FileNotFoundError(f"no tlog file at {path}")
            problem = await asyncio.to_thread(tlog_problem, path)
            if problem is not None:
                raise InvalidError(problem, field="connection.url")
            speed_text = self._spec.options.get("speed", "1")
            speed = None if speed_text == "max" else float(speed_text)
            self._tasks.append(loop.create_task(self._run_replay(path, speed), name=f"mavlink-replay:{path.name}"))
            return
        if self._pool is not None:
            self._endpoint.remove(self)
            self._endpoint = await self._pool.attach(self, self._spec, self._gcs_sysid)
            self._commands = self._command_client()
        else:
            await self._endpoint.open()
        self._endpoint_open = True
        if self._tlog_dir is not None:
            self._recorder = TlogRecorder(self._tlog_dir / f"{self._session_id}.tlog")
            await self._recorder.open()

    async def close(self) -> None:
        self._closed = True
        tasks, self._tasks = self._tasks, []
        if self._setup_task is not None:
            tasks.append(self._setup_task)
            self._setup_task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if self._endpoint_open:
            self._endpoint_open = False
            with contextlib.suppress(Exception):
                if self._pool is not None:
                    await self._pool.detach(self, self._endpoint)
                else:
                    await self._endpoint.close()
        self._endpoint.remove(self)
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            with contextlib.suppress(Exception):
                await recorder.close()
        self._finished.set()

    async def command(self, command: VehicleCommand, *, timeout_s: float) -> CommandResult:
        if self._replay:
            return CommandResult(CommandOutcome.FAILED, "a tlog replay takes no commands")
        if not self._endpoint_open:
            return CommandResult(CommandOutcome.FAILED, "the MAVLink link is not open")
        if self._vehicle is None or self._vehicle.autopilot is None:
            return CommandResult(CommandOutcome.FAILED, "no vehicle heard on this link yet")
        return await run_command(self._commands, self._vehicle, command, timeout_s=timeout_s)

    # ------------------------------------------------------------------------------------------ VehicleConfigurator
    def parameters(self) -> ParamClient:
        """A parameter client with the vehicle's integer encoding: announced in AUTOPILOT_VERSION's
        capabilities, else known for its autopilot (ArduPilot casts, PX4 is byte-wise), else inferred."""
        bytewise: bool | None = None
        vehicle = self._vehicle
        if vehicle is not None:
            if vehicle.capabilities is not None:
                bytewise = params_codec.bytewise_from_capabilities(vehicle.capabilities)
            if bytewise is None and vehicle.autopilot is not None:
                bytewise = params_codec.bytewise_from_autopilot(vehicle.autopilot)
        return ParamClient(self, bytewise=bytewise)

    def missions(self) -> MissionClient:
        return MissionClient(self)

    # ------------------------------------------------------------------------------------------ condition
    def link_changed(self, condition: LinkCondition) -> None:
        """The endpoint's report of its transport, into this session's event log."""
        self._sink.on_message(Severity.INFO if condition.up else Severity.WARNING, condition.text)

    def link_problem(self) -> str | None:
        """Why this link carries nothing now, in words (the ``LinkConditionSource`` port); None when its
        transport is up, or has said nothing (a radio out of range is only silence)."""
        if self._replay_ended is not None:
            return self._replay_ended
        condition = self._endpoint.condition
        return condition.text if condition is not None and not condition.up else None

    def nothing_heard(self, waited_s: float) -> str:
        """What this link waited for in vain since it opened (the ``LinkConditionSource`` port), naming the
        vehicles it did hear on the endpoint: a wrong ``sysid`` reads as such."""
        parts = urlsplit(self._spec.url)
        where = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        who = f"system {self._wanted_sysid}" if self._wanted_sysid is not None else "any autopilot"
        if self._vehicle is not None:
            text = f"no telemetry from system {self._vehicle.sysid} within {waited_s:g} s on {where}"
        else:
            text = f"no heartbeat from {who} within {waited_s:g} s on {where}"
        others = [sysid for sysid in self._endpoint.systems.vehicle_ids if sysid != self.followed_sysid]
        if others:
            text += f" (heard: system {', '.join(str(sysid) for sysid in sorted(others))})"
        return text

    # ------------------------------------------------------------------------------------------ extras
    def stats(self) -> LinkStats:
        """The whole link's figures (shared by every session on the endpoint: it is one radio)."""
        return self._endpoint.counters.snapshot(self._endpoint.parser.bad_frames + self._replay_bad)

    def link_stats(self) -> models.LinkStats:
        """``stats`` as the domain's ``LinkStats`` (the ``LinkStatsSource`` port), naming the endpoint the
        figures are of and how many sessions share it."""
        s = self.stats()
        return models.LinkStats(
            link=link_label(self._spec),
            messages_in=s.messages_in,
            messages_out=s.messages_out,
            messages_in_per_s=s.messages_in_per_s,
            messages_out_per_s=s.messages_out_per_s,
            bytes_in=s.bytes_in,
            bytes_out=s.bytes_out,
            bad_frames=s.bad_frames,
            lost_packets=s.lost_packets,
            packet_loss_pct=s.packet_loss_pct,
            rssi_pct=s.rssi_pct,
            remote_rssi_pct=s.remote_rssi_pct,
            dropped_out=s.dropped_out,
            shared_by=max(1, len(self._endpoint.members)),
        )

    @property
    def systems(self) -> list[Component]:
        """Every component that heartbeated on this link (vehicles, cameras, companions, GCSes)."""
        return self._endpoint.systems.components

    @property
    def vehicle_ids(self) -> list[int]:
        return self._endpoint.systems.vehicle_ids

    @property
    def session_id(self) -> str:
        return self._session_id

    @property
    def wanted_sysid(self) -> int | None:
        return self._wanted_sysid

    @property
    def followed_sysid(self) -> int | None:
        return self._vehicle.sysid if self._vehicle is not None else None

    @property
    def _transport(self) -> Transport | None:
        return self._endpoint.transport

    @property
    def vehicle(self) -> TargetVehicle | None:
        return self._vehicle

    @property
    def recorder(self) -> TlogRecorder | None:
        return self._recorder

    async def wait_finished(self) -> ReplayResult | None:
        """Wait until a replay has read its whole file (or any link is closed); the replay's result, or
        None for a live link. This is the end signal ``groundstation replay`` waits on."""
        await self._finished.wait()
        return self._replay_result

    def summary(self) -> dict[str, Any]:
        """What the link saw, as JSON-ready data: counts, components, armed spans and modes (message time)."""
        vehicle = self._vehicle
        origin = self._first_t or 0.0
        end = self._last_t or origin
        components = sorted(self._endpoint.systems.components, key=lambda c: (c.sysid, c.compid))
        return {
            "messages": self._endpoint.counters.messages_in,
            "bad_frames": self._endpoint.parser.bad_frames + self._replay_bad,
            "vehicles": [c.to_dict() for c in components if c.type != "GCS"],
            "ground_stations": [c.to_dict() for c in components if c.type == "GCS"],
            "target_system": self.target_system or None,
            "armed_intervals": [list(span) for span in vehicle.history.armed_intervals(origin, end)] if vehicle else [],
            "modes": [name for _t, name in vehicle.history.modes] if vehicle else [],
            "duration_s": round(end - origin, 3),
        }

    # ------------------------------------------------------------------------------------------ intake
    def _on_bytes(self, data: bytes) -> None:
        """Bytes as a transport delivers them (the endpoint's entry point, for tests without a socket)."""
        self._endpoint.on_bytes(data)

    def heard(self, msg: Any, t: float) -> None:
        """The endpoint's delivery of one live message, counted already."""
        self._follow(msg, t, None)  # first: the heartbeat that picks the vehicle is the log's first record
        if self._recorder is not None and self._records_heard(msg):
            self._recorder.record(t, msg.get_msgbuf())

    def sent(self, t: float, frame: bytes, msg: Any) -> None:
        if self._recorder is not None and self._records_sent(msg):
            self._recorder.record(t, frame)

    # The tlog of a session on a shared endpoint holds its own vehicle's traffic only, so it replays as
    # that one vehicle: what the vehicle sent, what was addressed to it (by us or another GCS), broadcasts
    # that are not another vehicle's, other ground stations' heartbeats and the radio's link reports.
    def _records_heard(self, msg: Any) -> bool:
        own = self.target_system
        if not own:
            return False  # no vehicle picked yet: nothing here is known to be ours
        header = msg._header
        src = header.srcSystem
        if src == own:
            return True
        target = getattr(msg, "target_system", None)
        if target is not None:
            return bool(target == own or (target == 0 and not self._another_vehicle(src)))
        mtype = msg._type
        if mtype == "HEARTBEAT":
            return bool(msg.type == mavlink2.MAV_TYPE_GCS)
        return mtype in _LINK_WIDE and not self._another_vehicle(src)

    def _another_vehicle(self, sysid: int) -> bool:
        """Whether ``sysid`` is a vehicle (heard, or named by another session on the endpoint), not a GCS or a
        radio: simulators and some autopilots send RADIO_STATUS as themselves."""
        endpoint = self._endpoint
        return sysid in endpoint.systems.vehicle_ids or any(
            sysid in (m.wanted_sysid, m.followed_sysid) for m in endpoint.members if m is not self
        )

    def _records_sent(self, msg: Any) -> bool:
        """Our frames without a target (the GCS heartbeat), broadcasts, and those to our vehicle."""
        target = getattr(msg, "target_system", None) if msg is not None else None
        return target is None or target == 0 or target == self.target_system

    def _on_replayed(self, batch: list[tuple[float, Any]]) -> None:
        for t, msg in batch:
            if msg.get_type() == "BAD_DATA":
                self._replay_bad += 1
            else:
                self._endpoint.observe(msg)
                self._follow(msg, t, datetime.fromtimestamp(t, UTC))

    def _follow(self, msg: Any, t: float, when: datetime | None) -> None:
        header = msg._header
        src, comp = header.srcSystem, header.srcComponent
        mtype = msg._type
        if self._first_t is None:
            self._first_t = t
        self._last_t = t
        vehicle = self._vehicle
        if (
            vehicle is None
            and mtype == "HEARTBEAT"
            and is_vehicle_heartbeat(msg, comp)
            and (src == self._wanted_sysid or (self._wanted_sysid is None and self._endpoint.is_free(src, self)))
        ):
            vehicle = self._vehicle = TargetVehicle(self._session_id, src, comp)
        if vehicle is None or src != vehicle.sysid:
            return
        queues = self._subscribers.get(mtype)
        if queues:
            for queue in queues:
                if queue.full():
                    queue.get_nowait()
                queue.put_nowait(msg)
        if comp == vehicle.compid:
            self._from_autopilot(vehicle, msg, mtype, t, when)
        elif mtype == "STATUSTEXT":
            self._statustext(vehicle, msg, t)

    def _from_autopilot(self, vehicle: TargetVehicle, msg: Any, mtype: str, t: float, when: datetime | None) -> None:
        if mtype == "HEARTBEAT":
            silent = vehicle.last_heartbeat is None or t - vehicle.last_heartbeat > gcs.RESETUP_AFTER_S
            identity = vehicle.heartbeat(t, msg)
            if identity is not None:
                self._sink.on_identity(identity)
            if silent and not self._replay:
                self._start_setup(vehicle)
        elif mtype == "COMMAND_ACK":
            self._commands.on_ack(msg)
        elif mtype == "STATUSTEXT":
            self._statustext(vehicle, msg, t)
        elif mtype == "AUTOPILOT_VERSION":
            identity = vehicle.autopilot_version(msg)
            if identity is not None:
                self._sink.on_identity(identity)
        else:
            vehicle.state.handle(mtype, msg)
        if mtype in SAMPLE_TRIGGERS and vehicle.state.due(t):
            if when is None:
                when = datetime.fromtimestamp(t, UTC)
            self._sink.on_sample(vehicle.state.take_sample(t, when, self._endpoint.counters.link_quality_pct()))

    def _statustext(self, vehicle: TargetVehicle, msg: Any, t: float) -> None:
        complete = vehicle.statustext(t, msg)
        if complete is not None:
            self._sink.on_message(*complete)

    # ------------------------------------------------------------------------------------------ output
    def _command_client(self) -> CommandClient:
        return CommandClient(self._endpoint.mav, self.send, lambda: (self.target_system, self.target_component))

    def _start_setup(self, vehicle: TargetVehicle) -> None:
        if self._setup_task is not None and not self._setup_task.done():
            return
        self._setup_task = asyncio.get_running_loop().create_task(
            gcs.set_up_vehicle(self._commands, self._endpoint.mav, self.send, vehicle),
            name=f"mavlink-setup:{vehicle.sysid}",
        )

    async def _run_replay(self, path: Path, speed: float | None) -> None:
        ticker = asyncio.get_running_loop().create_task(self._tick_replay())
        try:
            result = self._replay_result = await replay_tlog(path, speed, self._on_replayed)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("replay of %s stopped", path)
            self._sink.on_failure(f"the replay of {path.name} stopped: {exc}")
        else:
            self._replay_ended = f"replay finished: {result.records} records in {result.wall_s:.1f} s"
            self._sink.on_finished(self._replay_ended)
        finally:
            ticker.cancel()
            self._endpoint.counters.tick()
            self._finished.set()

    async def _tick_replay(self) -> None:
        while True:
            self._endpoint.counters.tick()
            await asyncio.sleep(1.0)


async def _drain(queue: asyncio.Queue[Any]) -> AsyncIterator[Any]:
    while True:
        yield await queue.get()
