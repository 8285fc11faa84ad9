"""What the API needs of the runtime, named as shapes instead of imported from the composition root.

``groundstation.bootstrap.Runtime`` and ``ProfileServices`` fit these Protocols. Importing bootstrap here
would pull storage and adapters into the API's import graph, which the layer contracts forbid: the API
talks to services only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from groundstation.domain.ports import SnapshotWriter
from groundstation.services.audit import AuditService
from groundstation.services.bus import EventBus
from groundstation.services.commands import CommandService
from groundstation.services.sessions import SessionService
from groundstation.services.telemetry import TelemetryHub
from groundstation.services.tokens import TokenService
from groundstation.services.video import VideoStreamService
from groundstation.services.video_pipeline import VideoPipeline


class ApiProfile(Protocol):
    """One opened profile (a tenant): every request of a token runs against exactly one of these."""

    @property
    def name(self) -> str: ...

    @property
    def bus(self) -> EventBus: ...

    @property
    def audit(self) -> AuditService: ...

    @property
    def hub(self) -> TelemetryHub: ...

    @property
    def sessions(self) -> SessionService: ...

    @property
    def streams(self) -> VideoStreamService: ...

    @property
    def commands(self) -> CommandService: ...

    @property
    def tokens(self) -> TokenService: ...

    @property
    def video(self) -> VideoPipeline | None: ...


class ApiRuntime(Protocol):
    """The process's runtime: the profiles it opened (looked up per request, so a profile the GUI opens
    later is served too) and the snapshot encoder behind ``snapshot.jpg``."""

    @property
    def profiles(self) -> Mapping[str, ApiProfile]: ...

    @property
    def snapshots(self) -> SnapshotWriter: ...
