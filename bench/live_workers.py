"""The decode workers a video benchmark measures: one per URL, started and waited on until all are live."""

from __future__ import annotations

import time
from typing import Any

from groundstation.adapters.video import OpenCvVideoSourceFactory
from groundstation.domain.models import StreamState

LIVE_WITHIN_S = 15.0


def live_workers(urls: list[str]) -> list[Any]:
    """Workers for ``urls``, all live (or as many as came up within ``LIVE_WITHIN_S``; the figures say which)."""
    factory = OpenCvVideoSourceFactory()
    workers = [factory.create_worker(f"feed{i}", url, on_status=lambda _s: None) for i, url in enumerate(urls)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + LIVE_WITHIN_S
    while any(w.status().state is not StreamState.LIVE for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    return workers
