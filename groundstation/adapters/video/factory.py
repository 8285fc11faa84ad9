"""The video pipeline's entry point for the services: checks URLs and makes decode workers."""

from __future__ import annotations

from groundstation.adapters.video.backoff import Backoff
from groundstation.adapters.video.source_spec import parse_source
from groundstation.adapters.video.worker import OpenCvVideoWorker
from groundstation.domain.ports import StatusListener, TelemetryLookup


class OpenCvVideoSourceFactory:
    """Implements ``domain.ports.VideoSourceFactory``. The keyword arguments exist for tests and tuning:
    the defaults are what the issue asks (a stall after 1 s, reconnect delays from 1 s to 10 s)."""

    def __init__(self, *, stall_after_s: float = 1.0, backoff_min_s: float = 1.0, backoff_max_s: float = 10.0) -> None:
        self._stall_after_s = stall_after_s
        self._backoff_min_s = backoff_min_s
        self._backoff_max_s = backoff_max_s

    def check(self, url: str) -> None:
        parse_source(url)

    def create_worker(
        self,
        stream_id: str,
        url: str,
        *,
        on_status: StatusListener,
        telemetry: TelemetryLookup | None = None,
    ) -> OpenCvVideoWorker:
        return OpenCvVideoWorker(
            stream_id,
            parse_source(url),
            on_status=on_status,
            telemetry=telemetry,
            stall_after_s=self._stall_after_s,
            backoff=Backoff(self._backoff_min_s, self._backoff_max_s),
        )
