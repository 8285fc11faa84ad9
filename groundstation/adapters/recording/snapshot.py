"""Snapshots: one frame as PNG or JPEG, with a JSON sidecar saying when, from which stream, and where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2

from groundstation.domain.video import VideoFrame

JPEG_QUALITY = 92


class OpenCvSnapshotWriter:
    def write(self, frame: VideoFrame, image_path: str, sidecar: dict[str, Any]) -> None:
        path = Path(image_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        suffix = path.suffix.lower()
        if suffix not in (".png", ".jpg", ".jpeg"):
            raise ValueError(f"snapshots are PNG or JPEG, not {suffix or 'no extension'}")
        params = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if suffix != ".png" else []
        ok, encoded = cv2.imencode(suffix, frame.image, params)
        if not ok:
            raise ValueError("the frame could not be encoded")
        # Written under a temporary name and renamed, so a reader never finds half a picture.
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(encoded.tobytes())
        partial.replace(path)
        path.with_suffix(".json").write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
