"""Recording video streams to Matroska with a telemetry sidecar, through PyAV (FFmpeg's libraries).

Why PyAV and not OpenCV's VideoWriter: OpenCV can only write frames it decoded, so every recording would be
re-encoded (CPU, and a second generation of compression artefacts); PyAV demuxes the source's compressed
packets and copies them into the file untouched (a remux), and encodes with libx264 only where the source
is not compressed (synthetic feeds) or is MJPEG. Why Matroska: it is written as a sequence of
self-describing clusters, so a file cut short by a kill is still playable up to its last cluster, where an
MP4 without its final index is not.
"""

from groundstation.adapters.recording.recorder import PyAvRecorderFactory, recording_mode_for
from groundstation.adapters.recording.snapshot import OpenCvSnapshotWriter

__all__ = ["OpenCvSnapshotWriter", "PyAvRecorderFactory", "recording_mode_for"]
