"""The small interfaces the services talk through. Storage and adapters implement them; tests may fake them.

Storage is synchronous behind a unit of work: a ``ProfileStore`` runs a whole unit on its own database
thread, so the asyncio loop never waits on disk and the audit entry of a write commits in the same
transaction as the write itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from groundstation.domain.commands import CommandResult, VehicleCommand
from groundstation.domain.events import IntegrationEvent, Severity
from groundstation.domain.missions import Mission
from groundstation.domain.models import (
    AdapterKind,
    ApiToken,
    AuditEntry,
    ConnectionSpec,
    DeviceSession,
    DiscoveredVehicle,
    LinkStats,
    Profile,
    SessionState,
    VehicleIdentity,
    VideoStream,
)
from groundstation.domain.parameters import Parameter, ParamSet, ParamType
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import (
    QosSnapshot,
    RecordingInfo,
    RecordingProgress,
    RecordingState,
    StreamStatus,
    VideoFrame,
)

T = TypeVar("T")


# ----------------------------------------------------------------------------------------------- storage
class SessionRepository(Protocol):
    def add(self, session: DeviceSession) -> None:
        """Insert; raises ConflictError when the name or the live device is already taken."""

    def update(self, session: DeviceSession) -> DeviceSession:
        """Write ``session`` over the stored row whose version is ``session.version``; returns the stored
        value with its version bumped. Raises NotFoundError if gone, ConflictError if the version moved."""

    def get(self, session_id: str) -> DeviceSession | None: ...

    def get_by_name(self, name: str) -> DeviceSession | None: ...

    def find_live_by_device(self, device_key: str) -> DeviceSession | None: ...

    def list(
        self,
        *,
        states: Sequence[SessionState] | None = None,
        adapter: AdapterKind | None = None,
        limit: int | None = None,
        after_id: str | None = None,
    ) -> list[DeviceSession]:
        """Ordered by id, so ``after_id`` pages through a stable order."""

    def delete(self, session_id: str) -> None: ...


class StreamRepository(Protocol):
    def add(self, stream: VideoStream) -> None:
        """Insert; raises ConflictError when the name is taken."""

    def update(self, stream: VideoStream) -> VideoStream:
        """Same contract as SessionRepository.update."""

    def get(self, stream_id: str) -> VideoStream | None: ...

    def get_by_name(self, name: str) -> VideoStream | None: ...

    def list(
        self,
        *,
        linked_session_id: str | None = None,
        limit: int | None = None,
        after_id: str | None = None,
    ) -> list[VideoStream]: ...

    def delete(self, stream_id: str) -> None: ...


class AuditRepository(Protocol):
    def add(self, entry: AuditEntry) -> None: ...

    def add_many(self, entries: Sequence[AuditEntry]) -> None:
        """One statement for a batch (the API's access records, a second's worth at a time)."""

    def list(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        target_id: str | None = None,
        limit: int | None = None,
        exclude_actions: Sequence[str] = (),
        newest_first: bool = False,
        after: tuple[datetime, str] | None = None,
        before: tuple[datetime, str] | None = None,
    ) -> list[AuditEntry]:
        """Ordered by ``(at, id)``: oldest first, or newest first (so ``limit`` keeps the latest).
        ``after``/``before`` are exclusive ``(at, id)`` positions, the keyset cursor of a page (ties in ``at``
        are told apart by id). ``exclude_actions`` leaves entries of those actions out (the viewer hides the
        API's access records, which outnumber everything else)."""

    def count_actions_before(self, actions: Sequence[str], cutoff: datetime) -> int:
        """Entries of ``actions`` older than ``cutoff`` (what a prune would delete)."""

    def delete_actions_before(self, actions: Sequence[str], cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` entries of ``actions`` older than ``cutoff``; returns how many. Only
        the named actions, never "everything old": the audit trail of writes is not pruned, and a caller
        must name what it may delete (retention names the access records)."""


class EventRepository(Protocol):
    def add(self, event: IntegrationEvent) -> IntegrationEvent:
        """Store and return the event with its ``seq`` (strictly increasing per profile)."""

    def list(
        self,
        *,
        after_seq: int | None = None,
        limit: int | None = None,
        before_seq: int | None = None,
        newest_first: bool = False,
    ) -> list[IntegrationEvent]:
        """By ``seq``, oldest first (``newest_first``: newest first); ``after_seq``/``before_seq`` exclusive."""

    def count_before(self, cutoff: datetime) -> int:
        """Rows older than ``cutoff`` (what a prune would delete)."""

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` rows older than ``cutoff``; returns how many (fewer: none are left).
        Bounded so that a prune is many short transactions, never one long hold of the write lock."""


class TelemetryRepository(Protocol):
    def add_many(self, samples: Sequence[TelemetrySample]) -> None: ...

    def range(
        self,
        session_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        after: tuple[datetime, int] | None = None,
        before: tuple[datetime, int] | None = None,
    ) -> list[TelemetrySample]:
        """Ordered by time (ties in storage order), oldest first or newest first; ``since`` inclusive and
        ``until`` exclusive. ``after=(time, n)``: the samples after the n-th oldest at ``time`` (all later
        ones, and those at ``time`` but its n oldest); ``before=(time, n)``: the samples before the n-th
        newest at ``time``. A page cursor that needs no row ids; at most one of the two."""

    def latest(self, session_id: str) -> TelemetrySample | None:
        """The newest stored sample of the session (one indexed read), None when it has none."""

    def count(self, session_id: str | None = None) -> int: ...

    def count_before(self, cutoff: datetime) -> int:
        """Rows older than ``cutoff`` (what a prune would delete)."""

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` rows older than ``cutoff``; returns how many (fewer: none are left).
        Bounded so that a prune is many short transactions, never one long hold of the write lock."""


class QosSnapshotRepository(Protocol):
    def add(self, snapshot: QosSnapshot) -> None: ...

    def list(
        self,
        stream_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[QosSnapshot]:
        """Oldest first, ``since`` inclusive and ``until`` exclusive."""

    def count_before(self, cutoff: datetime) -> int:
        """Rows older than ``cutoff`` (what a prune would delete)."""

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` rows older than ``cutoff``; returns how many (fewer: none are left).
        Bounded so that a prune is many short transactions, never one long hold of the write lock."""


class RecordingRepository(Protocol):
    def add(self, recording: RecordingInfo) -> None: ...

    def update(self, recording: RecordingInfo) -> None: ...

    def get(self, recording_id: str) -> RecordingInfo | None: ...

    def list(
        self, *, stream_id: str | None = None, states: Sequence[RecordingState] | None = None
    ) -> list[RecordingInfo]:
        """Newest first."""


class SettingsRepository(Protocol):
    """Per-profile settings as JSON values under dotted keys (``sessions.auto_resume``)."""

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...

    def all(self) -> dict[str, Any]: ...


class TokenRepository(Protocol):
    """API tokens of a profile; only hashes are stored, never a token itself."""

    def add(self, token: ApiToken) -> None:
        """Insert; raises ConflictError when the name is taken (revoked tokens keep their name)."""

    def get(self, token_id: str) -> ApiToken | None: ...

    def get_by_name(self, name: str) -> ApiToken | None: ...

    def get_by_hash(self, token_hash: str) -> ApiToken | None: ...

    def list(self) -> list[ApiToken]:
        """Oldest first."""

    def revoke(self, token_id: str, at: datetime) -> None:
        """Set ``revoked_at``; raises NotFoundError if the token does not exist."""

    def touch(self, token_id: str, at: datetime) -> None:
        """Set ``last_used_at``."""


class UnitOfWork(Protocol):
    """The repositories of one transaction; it commits when the unit returns and rolls back if it raises."""

    sessions: SessionRepository
    streams: StreamRepository
    audit: AuditRepository
    events: EventRepository
    telemetry: TelemetryRepository
    qos_snapshots: QosSnapshotRepository
    recordings: RecordingRepository
    settings: SettingsRepository
    tokens: TokenRepository


class ProfileStore(Protocol):
    """One opened profile's database."""

    @property
    def profile(self) -> Profile: ...

    @property
    def read_only(self) -> bool:
        """True when opened by a reader (a CLI listing) beside the runtime that holds the profile."""

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in one transaction on the store's database thread and return what it returns."""

    async def close(self) -> None: ...


class ProfileCatalog(Protocol):
    """Profiles on disk: the tenant boundary is a directory each, never a shared database."""

    def list(self) -> list[Profile]: ...

    def exists(self, name: str) -> bool: ...

    def create(self, name: str) -> Profile:
        """Make the directory and a migrated database; ConflictError if the profile exists."""

    def delete(self, name: str) -> None:
        """Remove the profile's directory; UnavailableError while a runtime holds it."""

    def open(self, name: str, *, read_only: bool = False) -> ProfileStore:
        """Open for the runtime (exclusive: takes the profile's lock, applies migrations) or for reading
        beside a runtime. Raises NotFoundError, UnavailableError (held by another process, naming its pid),
        or InvalidError (not a SQLite database, or a schema newer than this release knows)."""

    def open_beside_runtime(self, name: str) -> ProfileStore:
        """A writer beside the runtime that holds ``name`` (no lock, no migration), for short
        administrative writes such as API tokens."""


# ----------------------------------------------------------------------------------------------- devices
class TelemetrySink(Protocol):
    """Where a device link delivers what it hears. Called on the asyncio loop's thread only."""

    def on_sample(self, sample: TelemetrySample) -> None: ...

    def on_identity(self, identity: VehicleIdentity) -> None: ...

    def on_message(self, severity: Severity, text: str) -> None:
        """A message from the vehicle itself (MAVLink STATUSTEXT, a FAKE fault notice)."""

    def on_failure(self, reason: str) -> None:
        """The link cannot go on (socket closed for good, replay finished with an error)."""

    def on_finished(self, reason: str) -> None:
        """The link's source ended as it should (a tlog replay read to its end): no failure and no lost
        link; the session ends ``stopped`` by itself with ``reason`` (an INFO entry) in its log."""


class DeviceLink(Protocol):
    """One session's live connection to one vehicle."""

    async def open(self) -> None:
        """Acquire the link's resources (bind, connect, spawn a simulation). Raises on failure with a
        message a person understands. Returning does not mean data flows yet."""

    async def close(self) -> None:
        """Release everything; idempotent; must not raise."""

    async def command(self, command: VehicleCommand, *, timeout_s: float) -> CommandResult: ...


@runtime_checkable
class LinkStatsSource(Protocol):
    """A ``DeviceLink`` that measures itself (MAVLink, FAKE): an optional port, like ``VehicleConfigurator``;
    links without it have no figures to show."""

    def link_stats(self) -> LinkStats | None:
        """The link's figures as of now (cheap: read at display rate); None when it has none yet."""


@runtime_checkable
class LinkConditionSource(Protocol):
    """A ``DeviceLink`` that knows why it went quiet (MAVLink: a refused TCP connection, an unplugged radio,
    a host name that does not resolve): an optional port, read when the session turns ``link_lost`` (also
    from ``starting``, when nothing was heard since the link opened) so its record says why, not only that
    it did. Links without it are only silent."""

    def link_problem(self) -> str | None:
        """Why the link carries nothing now, as a sentence; None when its transport is up or does not know."""

    def nothing_heard(self, waited_s: float) -> str:
        """Why a link that has heard nothing in the ``waited_s`` since it opened is silent, when
        ``link_problem`` knows no reason: what it waits for ("no heartbeat from system 3 within 3.5 s on
        udpin://0.0.0.0:14550")."""


class DeviceAdapter(Protocol):
    """Makes links for one adapter kind."""

    @property
    def kind(self) -> AdapterKind: ...

    def check(self, spec: ConnectionSpec) -> None:
        """Raise InvalidError for options this adapter cannot use (a misspelt option, a missing scenario),
        so a bad request is refused before a session is recorded rather than recorded as failed."""

    def create_link(self, session_id: str, spec: ConnectionSpec, sink: TelemetrySink) -> DeviceLink: ...


Progress = Callable[[int, int], None]
"""Called with (done, total) as a parameter or mission transfer advances."""


class ParameterAccess(Protocol):
    """One vehicle's parameters, read and written through its session's link."""

    async def download_all(self, progress: Progress | None = None, timeout_s: float = 60.0) -> ParamSet:
        """Every parameter, by index; raises OperationTimeoutError naming what is missing."""

    async def get(self, name: str, timeout_s: float | None = None) -> Parameter: ...

    async def set(
        self, name: str, value: float | int, type: ParamType | None = None, timeout_s: float | None = None
    ) -> Parameter:
        """Write and return the value as the vehicle confirmed it; raises when it is not confirmed."""


class MissionAccess(Protocol):
    """One vehicle's stored mission, transferred through its session's link."""

    async def download(self, progress: Progress | None = None, timeout_s: float = 30.0) -> Mission: ...

    async def upload(self, mission: Mission, progress: Progress | None = None, timeout_s: float = 30.0) -> None: ...

    async def clear(self, timeout_s: float = 5.0) -> None: ...

    async def set_current(self, seq: int, timeout_s: float = 5.0) -> int:
        """Returns the item the vehicle went to (it may differ from ``seq``)."""
        ...


@runtime_checkable
class VehicleConfigurator(Protocol):
    """A ``DeviceLink`` whose vehicle keeps parameters and a mission (MAVLink); links of adapters without
    them (FAKE) do not implement it, and the services answer ``unsupported``."""

    def parameters(self) -> ParameterAccess:
        """A client with the parameter encoding this vehicle uses (MAVLink: byte-wise or C cast)."""

    def missions(self) -> MissionAccess: ...


class VehicleFileFormats(Protocol):
    """The planners' file formats (Mission Planner and QGroundControl parameter files, ``.plan`` and
    ``.waypoints`` missions): parsing lives with the adapter that speaks them, the services pass text."""

    def parse_params(self, text: str) -> ParamSet: ...

    def format_params(self, params: ParamSet, file_format: str, *, system_id: int = 1) -> str:
        """``file_format``: ``mission_planner`` (``NAME,VALUE``) or ``qgroundcontrol`` (tab separated, typed)."""

    def parse_mission(self, text: str) -> Mission:
        """A ``.plan`` (JSON) or ``.waypoints`` (QGC WPL 110) text, told apart by its content."""

    def format_mission(self, mission: Mission, file_format: str) -> str:
        """``file_format``: ``plan`` or ``waypoints``."""


DiscoveryListener = Callable[[DiscoveredVehicle], None]
"""Called on the loop's thread, once per vehicle per open link, when an unfollowed autopilot first heartbeats."""


@runtime_checkable
class VehicleDiscovery(Protocol):
    """An adapter whose links may carry vehicles no session follows yet (MAVLink: several systems on one
    link), and that tells the profiles about them so they can start a session for each."""

    def add_discovery_listener(self, listener: DiscoveryListener) -> Callable[[], None]:
        """Register ``listener``; returns the function that removes it again."""


# ------------------------------------------------------------------------------------------------- video
class VideoWorker(Protocol):
    """One stream's decode worker: a thread that owns the capture and keeps only the newest frame."""

    @property
    def stream_id(self) -> str: ...

    def start(self) -> None:
        """Start the thread; returns at once (opening happens in the thread)."""

    def stop(self, timeout_s: float = 2.0) -> bool:
        """Ask the thread to end and join it; True if it ended within ``timeout_s``. Idempotent."""

    def latest(self, after_seq: int = -1) -> VideoFrame | None:
        """The newest frame if its ``seq`` is greater than ``after_seq``, else None. Never blocks. The first
        fetch of a frame records its age (for the QoS p50/p95); frames replaced before anyone fetched them
        count as dropped."""

    def status(self) -> StreamStatus:
        """State, measured QoS and last error as of now; cheap enough to call at display rate."""

    def set_output_size(self, width: int | None, height: int | None) -> None:
        """Publish frames resized to this size (None or 0: native), so a viewer never scales in paint."""

    def set_frame_tap(self, tap: FrameTap | None) -> None:
        """Call ``tap`` on the worker's thread with every decoded frame at native size (for recording);
        it must return quickly. None removes it."""


FrameTap = Callable[[VideoFrame], None]
"""Receives every decoded frame on the worker's thread (a recording's input)."""

StatusListener = Callable[[StreamStatus], None]
"""Called from the worker's thread on every state change: implementations hop to their loop themselves."""

TelemetryLookup = Callable[[], TelemetrySample | None]
"""Called from the worker's thread for each decoded frame: the linked session's newest sample."""


class VideoSourceFactory(Protocol):
    def check(self, url: str) -> None:
        """Raise InvalidError for a URL the pipeline cannot open (scheme, options), without opening it."""

    def create_worker(
        self,
        stream_id: str,
        url: str,
        *,
        on_status: StatusListener,
        telemetry: TelemetryLookup | None = None,
    ) -> VideoWorker: ...


FrameSource = Callable[[int], VideoFrame | None]
"""``frame(after_seq)``: the newest decoded frame newer than ``after_seq`` (a worker's ``latest``)."""


class Recording(Protocol):
    """One running recording of one stream: a video file and its telemetry sidecar."""

    @property
    def path(self) -> str: ...

    @property
    def sidecar_path(self) -> str: ...

    @property
    def mode(self) -> str:
        """``remux`` (compressed packets copied as they came) or ``encode`` (decoded frames re-encoded)."""

    def progress(self) -> RecordingProgress: ...

    def stop(self, timeout_s: float = 5.0) -> RecordingProgress:
        """Finish the file (it stays playable even if this never runs) and return the final figures."""


class RecorderFactory(Protocol):
    def start(
        self,
        url: str,
        out_path: str,
        *,
        frames: FrameSource,
        telemetry: TelemetryLookup | None = None,
        stream_id: str = "",
    ) -> Recording:
        """Start recording ``url`` into ``out_path`` (Matroska); returns at once, the work runs in a thread.
        ``frames`` feeds the encoder for sources that must be re-encoded (synthetic, raw, MJPEG)."""


class SnapshotWriter(Protocol):
    def write(self, frame: VideoFrame, image_path: str, sidecar: dict[str, Any]) -> None:
        """Encode ``frame`` as PNG or JPEG (by the path's suffix) and write its JSON sidecar beside it.
        Blocking: callers run it off the loop."""


# ------------------------------------------------------------------------------------------------- misc
Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime."""

EventListener = Callable[[IntegrationEvent], Awaitable[None] | None]


@runtime_checkable
class ChangeCountingStore(Protocol):
    """A ``ProfileStore`` that can tell whether records of a kind were written since an earlier look, so a
    service may keep a read and serve it again while nothing changed."""

    def change_count(self, records: str) -> int | None:
        """Grows with every write to ``records`` ("sessions", "streams", "tokens") made through the store;
        None when the store cannot know (another process writes), and then nothing may be cached."""
