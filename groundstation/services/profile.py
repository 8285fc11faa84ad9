"""The services of one opened profile, as one object: what the CLI, the window and the API hold per tenant.

It lives in the services layer (not in bootstrap, which builds it) so that the UI and the API can name it
without importing the composition root, and through it storage and adapters.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundstation.domain.ports import ProfileStore
from groundstation.services.audit import AuditService
from groundstation.services.auto_sessions import AutoSessionService
from groundstation.services.bus import EventBus
from groundstation.services.commands import CommandService
from groundstation.services.recordings import RecordingService
from groundstation.services.retention import RetentionService
from groundstation.services.sessions import SessionService
from groundstation.services.settings import SettingsService
from groundstation.services.telemetry import TelemetryHub
from groundstation.services.tokens import TokenService
from groundstation.services.vehicle_setup import MissionService, ParameterService
from groundstation.services.video import VideoStreamService
from groundstation.services.video_pipeline import VideoPipeline


@dataclass
class ProfileServices:
    """The services of one opened profile; the tenant boundary is this object and its store."""

    store: ProfileStore
    bus: EventBus
    audit: AuditService
    hub: TelemetryHub
    sessions: SessionService
    streams: VideoStreamService
    commands: CommandService
    settings: SettingsService
    tokens: TokenService
    parameters: ParameterService
    missions: MissionService
    # The decode workers of the profile's streams, and its recordings and snapshots; None for readers and
    # for runtimes opened without video.
    video: VideoPipeline | None = None
    recordings: RecordingService | None = None
    # Sessions for vehicles that appear on a running link (``mavlink.auto_sessions``); None for readers.
    auto_sessions: AutoSessionService | None = None
    # The hourly prune of old telemetry, events, QoS snapshots and access records; only the runtime that
    # holds the profile runs it (None for readers and administrative openings).
    retention: RetentionService | None = None

    @property
    def name(self) -> str:
        return self.store.profile.name

    async def close(self) -> None:
        """Stop what runs (workers joined, sessions end ``stopped``), flush telemetry and access records, close
        the database."""
        try:
            if self.retention is not None:
                await self.retention.close()
            if self.recordings is not None:
                await self.recordings.close()
            if self.video is not None:
                await self.video.close()
            if self.auto_sessions is not None:
                await self.auto_sessions.close()
            if not self.store.read_only:
                await self.sessions.shutdown()
            await self.hub.close()
            await self.audit.close()
            self.bus.close()
        finally:
            await self.store.close()
