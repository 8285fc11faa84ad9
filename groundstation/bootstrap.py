"""The composition root: the one place that builds a profile's services and wires storage and adapters in.

Everything above (the CLI, the headless runtime, the GUI, the HTTP API) asks this module for a
``ProfileServices`` and talks only to the services in it.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from groundstation.adapters.fake import FakeAdapter
from groundstation.adapters.mavlink import MavlinkAdapter
from groundstation.adapters.mavlink.files import MavlinkFileFormats
from groundstation.adapters.recording import OpenCvSnapshotWriter, PyAvRecorderFactory
from groundstation.config import scenarios_dir
from groundstation.domain import actors
from groundstation.domain.errors import UnavailableError
from groundstation.domain.models import AdapterKind, DeviceSession, SessionState
from groundstation.domain.ports import (
    Clock,
    DeviceAdapter,
    ProfileCatalog,
    ProfileStore,
    RecorderFactory,
    SnapshotWriter,
    VideoSourceFactory,
)
from groundstation.domain.profiles import DEMO_PROFILE
from groundstation.services.audit import AuditService
from groundstation.services.auto_sessions import AutoSessionService
from groundstation.services.bus import EventBus
from groundstation.services.commands import CommandService
from groundstation.services.endpoints import EndpointRegistry
from groundstation.services.profile import ProfileServices
from groundstation.services.recordings import RecordingService
from groundstation.services.retention import RetentionSchedule, RetentionService
from groundstation.services.sessions import SessionService
from groundstation.services.settings import SettingsService
from groundstation.services.telemetry import TelemetryHub
from groundstation.services.tokens import TokenService
from groundstation.services.vehicle_setup import MissionService, ParameterService
from groundstation.services.video import VideoStreamService
from groundstation.services.video_pipeline import VideoPipeline
from groundstation.storage import FileProfileCatalog

log = logging.getLogger(__name__)

DEMO_FLEET: tuple[tuple[str, str, str], ...] = (
    ("alpha", "fake://alpha?seed=1&scenario=demo", "synthetic://?w=1280&h=720&fps=30&pattern=ball"),
    ("bravo", "fake://bravo?seed=2&scenario=demo", "synthetic://?w=1280&h=720&fps=30&pattern=bars"),
    ("charlie", "fake://charlie?seed=3&scenario=demo", "synthetic://?w=1280&h=720&fps=30&pattern=checker"),
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_catalog(root: Path | None = None) -> FileProfileCatalog:
    return FileProfileCatalog(root)


def default_adapters(profile_dir: Path | None = None) -> dict[AdapterKind, DeviceAdapter]:
    """The adapters of one profile. MAVLink sessions record their traffic to ``<profile>/tlogs``."""
    tlog_dir = profile_dir / "tlogs" if profile_dir is not None else None
    return {
        AdapterKind.FAKE: FakeAdapter(scenario_dirs=[scenarios_dir()]),
        AdapterKind.MAVLINK: MavlinkAdapter(tlog_dir=tlog_dir),
    }


class Runtime:
    """What one process shares across the profiles it opens: the catalog, adapters and endpoint claims."""

    def __init__(
        self,
        catalog: ProfileCatalog | None = None,
        *,
        adapters: Mapping[AdapterKind, DeviceAdapter] | None = None,
        video_factory: VideoSourceFactory | None = None,
        recorder: RecorderFactory | None = None,
        snapshots: SnapshotWriter | None = None,
        clock: Clock = utc_now,
        link_timeout_s: float | None = None,
        retention: RetentionSchedule | None = None,
    ) -> None:
        self.catalog: ProfileCatalog = catalog if catalog is not None else default_catalog()
        # Given adapters are shared by every profile (tests pass their own); by default each profile gets its
        # own, so what they write (tlogs) lands in that profile's directory. Endpoints stay process-wide.
        self._shared_adapters = dict(adapters) if adapters is not None else None
        self.video_factory = video_factory
        self.recorder: RecorderFactory = recorder if recorder is not None else PyAvRecorderFactory()
        self.snapshots: SnapshotWriter = snapshots if snapshots is not None else OpenCvSnapshotWriter()
        self.endpoints = EndpointRegistry()
        self.clock = clock
        self._link_timeout_override = link_timeout_s
        self.retention = retention if retention is not None else RetentionSchedule()
        self.profiles: dict[str, ProfileServices] = {}

    async def open_profile(self, name: str, *, recover: bool = True, video: bool = True) -> ProfileServices:
        """Open ``name`` for this runtime (exclusive), recover what a previous run left live, and start the
        decode workers of its enabled streams (when this runtime has a video factory and ``video``)."""
        if name in self.profiles:
            return self.profiles[name]
        services = await self._build(self.catalog.open(name))
        self.profiles[name] = services
        if recover:
            auto_resume = bool(await services.settings.get("sessions.auto_resume"))
            recovered = await services.sessions.recover_after_restart(auto_resume=auto_resume)
            _log_recovered(name, recovered, auto_resume=auto_resume)
        services.retention = RetentionService(
            store=services.store,
            audit=services.audit,
            settings=services.settings,
            clock=self.clock,
            schedule=self.retention,
        )
        services.retention.start()
        if video and self.video_factory is not None:
            services.video = VideoPipeline(
                store=services.store,
                bus=services.bus,
                audit=services.audit,
                hub=services.hub,
                factory=self.video_factory,
                clock=self.clock,
            )
            await services.video.start()
            services.recordings = RecordingService(
                profile_dir=Path(services.store.profile.path),
                store=services.store,
                audit=services.audit,
                pipeline=services.video,
                hub=services.hub,
                recorder=self.recorder,
                snapshots=self.snapshots,
                clock=self.clock,
            )
            await services.recordings.recover_after_restart()
        return services

    @staticmethod
    def settle() -> None:
        """Call once the runtime is up: moves everything allocated so far (modules, the app, caches) out of
        the garbage collector's reach. A full collection over that heap stalled the loop by ~100 ms under
        load; what start-up built lives as long as the process anyway."""
        gc.collect()
        gc.freeze()

    async def open_admin(self, name: str) -> ProfileServices:
        """Open ``name`` for a short administrative write (a CLI command): alone when no runtime holds it,
        else beside that runtime. Nothing is recovered or started either way."""
        try:
            return await self._build(self.catalog.open(name))
        except UnavailableError:
            return await self._build(self.catalog.open_beside_runtime(name))

    async def open_reader(self, name: str) -> ProfileServices:
        """Open ``name`` for reading beside a runtime that may hold it (CLI listings and exports)."""
        return await self._build(self.catalog.open(name, read_only=True))

    async def close(self) -> None:
        for name in list(self.profiles):
            services = self.profiles.pop(name)
            await services.close()

    async def _build(self, store: ProfileStore) -> ProfileServices:
        adapters = self._shared_adapters
        if adapters is None:
            adapters = default_adapters(None if store.read_only else Path(store.profile.path))
        bus = EventBus()
        audit = AuditService(store, bus, self.clock)
        settings = SettingsService(store, audit)
        hub = TelemetryHub(store, persist_interval_s=float(await settings.get("telemetry.persist_interval_s")))
        link_timeout = self._link_timeout_override
        if link_timeout is None:
            link_timeout = float(await settings.get("sessions.link_timeout_s"))
        sessions = SessionService(
            profile=store.profile.name,
            store=store,
            audit=audit,
            hub=hub,
            adapters=adapters,
            endpoints=self.endpoints,
            clock=self.clock,
            link_timeout_s=link_timeout,
        )
        files = MavlinkFileFormats()
        auto_sessions = None
        if not store.read_only:
            auto_sessions = AutoSessionService(sessions=sessions, settings=settings)
            auto_sessions.listen(adapters.values())
        return ProfileServices(
            store=store,
            bus=bus,
            audit=audit,
            hub=hub,
            auto_sessions=auto_sessions,
            sessions=sessions,
            streams=VideoStreamService(profile=store.profile.name, store=store, audit=audit, clock=self.clock),
            commands=CommandService(sessions=sessions, audit=audit),
            parameters=ParameterService(sessions=sessions, audit=audit, files=files),
            missions=MissionService(sessions=sessions, audit=audit, files=files),
            settings=settings,
            tokens=TokenService(store=store, audit=audit, clock=self.clock),
        )


def _log_recovered(profile: str, recovered: Sequence[DeviceSession], *, auto_resume: bool) -> None:
    """One line when the previous runtime of ``profile`` died with sessions running (none otherwise)."""
    if not recovered:
        return
    count = len(recovered)
    names = ", ".join(repr(s.name) for s in recovered)
    what = f"{count} session{'s were' if count != 1 else ' was'} running when the last runtime stopped unexpectedly"
    if auto_resume:
        back = [s for s in recovered if s.state is not SessionState.INTERRUPTED]
        log.warning("[%s] %s (%s): resumed %d (sessions.auto_resume is on)", profile, what, names, len(back))
    else:
        log.warning(
            "[%s] %s (%s): marked interrupted (resume them from the window, the API, or set sessions.auto_resume)",
            profile,
            what,
            names,
        )


async def define_demo_fleet(services: ProfileServices) -> None:
    """Make sure the demo fleet's sessions and streams exist (missing ones are added, nothing is changed)."""
    for name, url, video_url in DEMO_FLEET:
        session = await services.sessions.find_by_name(name)
        if session is None:
            session = await services.sessions.define(name, AdapterKind.FAKE, url, actor=actors.SYSTEM)
        streams = await services.streams.list(linked_session_id=session.id)
        if not streams:
            stream_name = f"{name} camera"
            existing = [s for s in await services.streams.list() if s.name == stream_name]
            if not existing:
                await services.streams.create(stream_name, video_url, linked_session_id=session.id, actor=actors.SYSTEM)


async def start_demo_fleet(services: ProfileServices) -> None:
    """Define the demo fleet if needed and start every demo session that is not running."""
    await define_demo_fleet(services)
    for name, _url, _video in DEMO_FLEET:
        session = await services.sessions.find_by_name(name)
        if session is not None and not session.state.is_live:
            await services.sessions.resume(session.id, actor=actors.SYSTEM)


async def ensure_demo_profile(runtime: Runtime) -> bool:
    """Create the ``demo`` profile with its fleet and streams if it does not exist (the first run, or
    after someone deleted it): the demo is always one command away. Returns True if it was created."""
    if runtime.catalog.exists(DEMO_PROFILE):
        return False
    runtime.catalog.create(DEMO_PROFILE)
    services = await runtime._build(runtime.catalog.open(DEMO_PROFILE))
    try:
        await define_demo_fleet(services)
    finally:
        await services.close()
    log.info("created the demo profile with %d FAKE vehicles and their video streams", len(DEMO_FLEET))
    return True


__all__ = [
    "DEMO_FLEET",
    "ProfileServices",
    "Runtime",
    "define_demo_fleet",
    "ensure_demo_profile",
    "start_demo_fleet",
]
