from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from groundstation.adapters.video import OpenCvVideoSourceFactory, OpenCvVideoWorker
from tests.peers.video import media
from tests.peers.video.recording_listener import StatusLog


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return media.encode_clip(tmp_path_factory.mktemp("video"))


@pytest.fixture
def factory() -> OpenCvVideoSourceFactory:
    # Shorter reconnect delays than the product's 1-10 s keep the kill-and-return tests quick.
    return OpenCvVideoSourceFactory(backoff_min_s=0.5, backoff_max_s=1.5)


class Running:
    """Starts workers and always stops them, so a failing test leaves no thread behind."""

    def __init__(self, factory: OpenCvVideoSourceFactory) -> None:
        self.factory = factory
        self.workers: list[OpenCvVideoWorker] = []

    def start(self, url: str) -> tuple[OpenCvVideoWorker, StatusLog]:
        log = StatusLog()
        worker = self.factory.create_worker(f"s{len(self.workers)}", url, on_status=log)
        self.workers.append(worker)
        worker.start()
        return worker, log


@pytest.fixture
def running(factory: OpenCvVideoSourceFactory) -> Iterator[Running]:
    run = Running(factory)
    yield run
    for worker in run.workers:
        worker.stop(6.0)
