"""The telemetry sidecar: one JSON line per video frame, on the video file's own time axis.

``pts_s`` is the frame's presentation time in the recorded file (seconds from its first frame), so a reader
pairs a frame with its line by time, whatever player or tool decoded it. Each line is flushed as it is
written: after a kill the sidecar ends at most one frame away from the video.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from groundstation.domain.telemetry import TelemetrySample

SIDECAR_SUFFIX = ".telemetry.jsonl"


def sidecar_path_for(video_path: str | Path) -> Path:
    path = Path(video_path)
    return path.with_name(path.stem + SIDECAR_SUFFIX)


class SidecarWriter:
    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self.lines = 0
        self._write({"type": "header", **header})

    def frame(self, pts_s: float, wall_time: datetime, telemetry: TelemetrySample | None) -> None:
        self._write(
            {
                "type": "frame",
                "pts_s": round(pts_s, 6),
                "wall_time": wall_time.isoformat(),
                "telemetry": telemetry.to_dict() if telemetry is not None else None,
            }
        )
        self.lines += 1

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def _write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self._file.flush()


def read_sidecar(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Header and frame lines; a torn last line (the process was killed mid-write) is ignored."""
    header: dict[str, Any] = {}
    frames: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break
            if record.get("type") == "header":
                header = record
            elif record.get("type") == "frame":
                frames.append(record)
    return header, frames
