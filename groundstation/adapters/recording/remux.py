"""Recording by remux: the source's compressed packets copied into Matroska untouched (no re-encoding).

The recorder opens the source a second time with its own demuxer, so it never competes with the decode
worker for frames, and a slow disk never slows the picture. It starts on the first keyframe (a file that
begins mid-GOP shows garbage until the next one) and rebases timestamps so the file starts at zero, which
is also the time axis of the sidecar.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import av

from groundstation.adapters.recording.sidecar import SidecarWriter
from groundstation.adapters.recording.thread import RecordingThread
from groundstation.domain.ports import TelemetryLookup

OPEN_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 5.0
# Matroska buffers a whole cluster (up to 5 MB or 5 s) in memory before writing it. A cluster per frame,
# flushed to the file as soon as it closes, means a kill loses at most the last frame or two, and the
# sidecar (written after each frame) stays in step with the file. The cost is about 20 bytes per frame.
MUXER_OPTIONS = {"flush_packets": "1", "cluster_size_limit": "1", "cluster_time_limit": "0"}


def source_for_ffmpeg(url: str) -> tuple[str, dict[str, str]]:
    """The URL FFmpeg should open and its options: our own query options (``transport``, ``loop``...) are
    removed from the URL and turned into FFmpeg's."""
    parts = urlsplit(url)
    ours = dict(parse_qsl(parts.query))
    options: dict[str, str] = {}
    if parts.scheme in ("rtsp", "rtsps"):
        options["rtsp_transport"] = "udp" if ours.get("transport") == "udp" else "tcp"
    if parts.scheme == "file":
        return parts.path, options
    kept = [
        (k, v)
        for k, v in parse_qsl(parts.query)
        if k not in ("transport", "loop", "open_timeout_ms", "read_timeout_ms")
    ]
    query = "&".join(f"{k}={v}" for k, v in kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment)), options


class RemuxRecording(RecordingThread):
    mode = "remux"

    def __init__(
        self, url: str, out_path: Path, sidecar_path: Path, *, stream_id: str, telemetry: TelemetryLookup | None
    ) -> None:
        super().__init__(out_path, sidecar_path)
        self._url = url
        self._stream_id = stream_id
        self._telemetry = telemetry

    def _run(self) -> None:
        source, options = source_for_ffmpeg(self._url)
        with av.open(source, options=options, timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S)) as inp:
            if not inp.streams.video:
                raise ValueError("invalid data: the source has no video stream")
            video = inp.streams.video[0]
            sidecar = SidecarWriter(
                self._sidecar_path,
                {
                    "stream_id": self._stream_id,
                    "url": self._url,
                    "mode": self.mode,
                    "codec": video.codec_context.name,
                    "started_at": datetime.now(UTC).isoformat(),
                },
            )
            try:
                with av.open(str(self._out_path), mode="w", format="matroska", options=MUXER_OPTIONS) as out:
                    self._copy(inp, video, out, sidecar)
            finally:
                sidecar.close()

    def _copy(self, inp: Any, video: Any, out: Any, sidecar: SidecarWriter) -> None:
        target = out.add_stream_from_template(video)
        offset: int | None = None
        last_dts: int | None = None
        for packet in inp.demux(video):
            if self._stop.is_set():
                return
            if packet.dts is None and packet.pts is None:
                continue  # the demuxer's end-of-stream marker
            if offset is None:
                if not packet.is_keyframe:
                    continue
                offset = packet.dts if packet.dts is not None else packet.pts
            pts = (packet.pts if packet.pts is not None else packet.dts) - offset
            dts = (packet.dts if packet.dts is not None else packet.pts) - offset
            if last_dts is not None and dts <= last_dts:
                continue  # a repeated or reordered packet the muxer would refuse
            last_dts = dts
            pts_s = float(pts * packet.time_base)
            packet.pts, packet.dts = pts, dts
            packet.stream = target
            out.mux(packet)
            sidecar.frame(pts_s, datetime.now(UTC), self._telemetry() if self._telemetry else None)
            self._counted(pts_s)
