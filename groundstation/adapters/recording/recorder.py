"""Which way a stream is recorded, and the factory the services use to start recordings."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from groundstation.adapters.recording.encode import EncodeRecording
from groundstation.adapters.recording.remux import RemuxRecording
from groundstation.adapters.recording.sidecar import sidecar_path_for
from groundstation.adapters.recording.thread import RecordingThread
from groundstation.domain.ports import FrameSource, TelemetryLookup

# A UDP port has one receiver (the decode worker) and a camera one reader, and synthetic feeds are not
# compressed: these are encoded from decoded frames. Everything else is opened a second time and remuxed.
_ENCODED_SCHEMES = frozenset({"udp", "rtp", "device", "synthetic"})


def recording_mode_for(url: str) -> str:
    return "encode" if urlsplit(url).scheme.lower() in _ENCODED_SCHEMES else "remux"


class PyAvRecorderFactory:
    def start(
        self,
        url: str,
        out_path: str,
        *,
        frames: FrameSource,
        telemetry: TelemetryLookup | None = None,
        stream_id: str = "",
    ) -> RecordingThread:
        path = Path(out_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        sidecar = sidecar_path_for(path)
        recording: RecordingThread
        if recording_mode_for(url) == "encode":
            recording = EncodeRecording(frames, path, sidecar, stream_id=stream_id, url=url)
        else:
            recording = RemuxRecording(url, path, sidecar, stream_id=stream_id, telemetry=telemetry)
        recording.start()
        return recording
