"""Recording by encoding: decoded frames from the stream's worker, encoded with libx264 into Matroska.

For sources that cannot be opened twice (a UDP port has one receiver, a camera one reader) or that are not
compressed at all (synthetic feeds). Frames come from the decode worker's latest-frame slot, so each keeps
the telemetry it was paired with at decode time; timestamps are the decode times, in milliseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from groundstation.adapters.recording.remux import MUXER_OPTIONS
from groundstation.adapters.recording.sidecar import SidecarWriter
from groundstation.adapters.recording.thread import RecordingThread
from groundstation.domain.ports import FrameSource
from groundstation.domain.video import VideoFrame

_TIME_BASE = Fraction(1, 1000)
POLL_S = 0.005


class EncodeRecording(RecordingThread):
    mode = "encode"

    def __init__(
        self, frames: FrameSource, out_path: Path, sidecar_path: Path, *, stream_id: str, url: str, fps_hint: int = 30
    ) -> None:
        super().__init__(out_path, sidecar_path)
        self._frames_source = frames
        self._stream_id = stream_id
        self._url = url
        self._fps_hint = fps_hint

    def _run(self) -> None:
        sidecar = SidecarWriter(
            self._sidecar_path,
            {
                "stream_id": self._stream_id,
                "url": self._url,
                "mode": self.mode,
                "codec": "h264",
                "started_at": datetime.now(UTC).isoformat(),
            },
        )
        try:
            with av.open(str(self._out_path), mode="w", format="matroska", options=MUXER_OPTIONS) as out:
                self._encode(out, sidecar)
        finally:
            sidecar.close()

    def _encode(self, out: Any, sidecar: SidecarWriter) -> None:
        stream: Any = None
        seq = -1
        t0 = 0.0
        last_pts = -1
        while not self._stop.is_set():
            frame = self._frames_source(seq)
            if frame is None:
                self._stop.wait(POLL_S)
                continue
            seq = frame.seq
            if stream is None:
                stream = self._open_stream(out, frame)
                t0 = frame.captured_mono
            pts = max(last_pts + 1, round((frame.captured_mono - t0) * 1000))
            last_pts = pts
            picture = av.VideoFrame.from_ndarray(frame.image, format="bgr24")
            if (picture.width, picture.height) != (stream.width, stream.height):
                # The worker may hand out display-sized frames; the file keeps the size it started with.
                picture = picture.reformat(width=stream.width, height=stream.height)
            picture.pts = pts
            picture.time_base = _TIME_BASE
            for packet in stream.encode(picture):
                out.mux(packet)
            sidecar.frame(pts / 1000, frame.captured_at, frame.telemetry)
            self._counted(pts / 1000)
        if stream is not None:
            for packet in stream.encode(None):
                out.mux(packet)

    def _open_stream(self, out: Any, first: VideoFrame) -> Any:
        stream = out.add_stream("libx264", rate=self._fps_hint)
        stream.width = first.width - first.width % 2
        stream.height = first.height - first.height % 2
        stream.pix_fmt = "yuv420p"
        stream.time_base = _TIME_BASE
        stream.codec_context.time_base = _TIME_BASE
        # zerolatency: no frame reordering, so every frame's packet leaves the encoder at once and the
        # sidecar line written with it describes a frame already in the file.
        stream.codec_context.options = {"preset": "veryfast", "tune": "zerolatency", "g": str(self._fps_hint * 2)}
        return stream
