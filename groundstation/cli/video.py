"""``groundstation video probe URL``: open a source, decode for a while, print what it really delivers.

It runs the same decode worker as the application, so what it prints is what a tile would show. The worker is
polled from the event loop at display rate (30 Hz), the way the UI takes frames, so frame ages and drops are
measured as a viewer would see them.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from groundstation.cli.common import Parser, iso, positive_float, print_json
from groundstation.domain.errors import GroundstationError, InvalidError, OperationTimeoutError, UnavailableError
from groundstation.domain.models import StreamState
from groundstation.domain.video import StreamStatus

_POLL_S = 1 / 30


def register(sub: Any) -> None:
    video = sub.add_parser("video", help="probe and record video sources")
    vsub = video.add_subparsers(dest="action", required=True, parser_class=Parser)
    probe = vsub.add_parser("probe", help="open a video source, decode for a while and print its status and QoS")
    probe.add_argument("url", help="rtsp://, rtp://0.0.0.0:5600, udp://, http(s)://, file://, device://0, synthetic://")
    probe.add_argument("--seconds", type=positive_float, default=5.0, help="how long to decode (default 5)")
    probe.add_argument("--json", action="store_true", help="print one JSON object")
    probe.set_defaults(handler=_probe)
    record = vsub.add_parser("record", help="record a video source to a Matroska file with a quick capture")
    record.add_argument("url", help="any source `video probe` takes")
    record.add_argument("--seconds", type=positive_float, required=True, help="how long to record")
    record.add_argument("--out", type=Path, required=True, help="the .mkv file to write (a sidecar goes beside it)")
    record.add_argument("--json", action="store_true", help="print one JSON object")
    record.set_defaults(handler=_record)


async def _probe(args: argparse.Namespace) -> int:
    # Imported here: OpenCV takes a while to load and other commands should not pay for it.
    from groundstation.adapters.video import OpenCvVideoSourceFactory
    from groundstation.adapters.video.source_spec import parse_source

    try:
        spec = parse_source(args.url)
    except GroundstationError as exc:
        if args.json:
            print_json({**probe_report(StreamStatus(StreamState.ERROR)), "error": exc.message})
        raise
    worker = OpenCvVideoSourceFactory().create_worker("probe", args.url, on_status=lambda _status: None)
    worker.start()
    failure: GroundstationError | None = None
    try:
        status = await _wait_open(worker, (spec.open_timeout_ms + spec.read_timeout_ms) / 1000 + 2.0)
        if status.state is StreamState.ERROR or (status.state is StreamState.IDLE and status.last_error):
            raise UnavailableError(f"cannot open {spec.display}: {status.last_error}")
        if status.state is not StreamState.LIVE:
            raise OperationTimeoutError(
                f"cannot open {spec.display}: no video within {spec.open_timeout_ms / 1000:g} s ({status.state})"
            )
        deadline = time.monotonic() + args.seconds
        seq = -1
        while time.monotonic() < deadline:
            frame = worker.latest(seq)
            if frame is not None:
                seq = frame.seq
            if worker.status().state in (StreamState.IDLE, StreamState.ERROR):
                break  # a file that ended, or a source that failed for good
            await asyncio.sleep(_POLL_S)
        status = worker.status()
    except GroundstationError as exc:
        failure, status = exc, worker.status()
    finally:
        await asyncio.to_thread(worker.stop)
    report = probe_report(status)
    if failure is not None:
        # A script reading --json gets the same object on failure, with the reason in "error".
        if args.json:
            print_json({**report, "error": failure.message})
        raise failure
    if args.json:
        print_json(report)
    else:
        for key, value in report.items():
            print(f"{key:>18}  {'-' if value is None else value}")
    return 0


async def _record(args: argparse.Namespace) -> int:
    """Open the source as the application would, then record it: remuxed where the source can be opened a
    second time, encoded from the worker's frames where it cannot (UDP, RTP, cameras, synthetic)."""
    from groundstation.adapters.recording import PyAvRecorderFactory
    from groundstation.adapters.video import OpenCvVideoSourceFactory
    from groundstation.adapters.video.source_spec import parse_source
    from groundstation.services.frame_buffer import FrameBuffer

    if args.out.suffix.lower() != ".mkv":
        raise InvalidError(f"recordings are Matroska files: use a .mkv name, not {args.out.name!r}", field="out")
    spec = parse_source(args.url)
    worker = OpenCvVideoSourceFactory().create_worker("record", args.url, on_status=lambda _status: None)
    buffer = FrameBuffer()
    worker.set_frame_tap(buffer.push)
    worker.start()
    recording = None
    try:
        status = await _wait_open(worker, (spec.open_timeout_ms + spec.read_timeout_ms) / 1000 + 2.0)
        if status.state is not StreamState.LIVE:
            raise UnavailableError(f"cannot open {spec.display}: {status.last_error or status.state.value}")
        recording = PyAvRecorderFactory().start(args.url, str(args.out), frames=buffer.next_after, stream_id="record")
        deadline = time.monotonic() + args.seconds
        while not recording.progress().finished:  # a source that ends early ends the capture
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await asyncio.sleep(min(0.1, remaining))
    finally:
        worker.set_frame_tap(None)
        final = await asyncio.to_thread(recording.stop) if recording is not None else None
        await asyncio.to_thread(worker.stop)
    assert recording is not None and final is not None
    if final.error:
        raise UnavailableError(f"recording {spec.display} failed: {final.error}")
    report = {
        "path": recording.path,
        "sidecar": recording.sidecar_path,
        "mode": recording.mode,
        "frames": final.frames,
        "size_bytes": final.size_bytes,
        "duration_s": round(final.duration_s, 3),
    }
    if args.json:
        print_json(report)
    else:
        print(
            f"recorded {final.frames} frames ({final.duration_s:.1f} s, {final.size_bytes} bytes, "
            f"{recording.mode}) to {recording.path}; telemetry sidecar {recording.sidecar_path}"
        )
    return 0


async def _wait_open(worker: Any, within_s: float) -> StreamStatus:
    """Poll until the source is live or has failed (never blocks the loop)."""
    deadline = time.monotonic() + within_s
    while True:
        status: StreamStatus = worker.status()
        if status.state is StreamState.LIVE or status.state is StreamState.ERROR or time.monotonic() > deadline:
            return status
        if status.state is StreamState.IDLE and status.last_error:
            return status
        await asyncio.sleep(0.05)


def probe_report(status: StreamStatus) -> dict[str, Any]:
    """The probe's JSON: the short keys scripts use first, then every QoS field under its own name."""
    qos = status.qos
    report: dict[str, Any] = {
        "state": status.state.value,
        "fps": qos.decoded_fps,
        "frames": qos.frames_decoded,
        "dropped": qos.frames_dropped,
        "width": qos.width,
        "height": qos.height,
        "codec": qos.codec,
        "error": status.last_error,
    }
    for key, value in asdict(qos).items():
        report[key] = iso(value) if key == "next_attempt_at" else value
    return report
