"""Benchmark: N 720p30 H.264 feeds on loopback through the decode pipeline, against a plain OpenCV read loop.

One clip is encoded once; each feed is an ``ffmpeg -re -stream_loop -1 -c copy`` sender of MPEG-TS over UDP
(the senders cost almost nothing, and they are other processes: CPU is measured for this process only). The
same feeds are read first by a plain loop (a thread per feed calling ``cv2.VideoCapture.read``), then by the
pipeline (an ``OpenCvVideoWorker`` per feed and one consumer thread polling ``latest()`` at 30 Hz per feed,
as the UI's paint timer would). Prints per-feed fps, frame age p50/p95, CPU% and the ratio of the pipeline's
CPU to the plain loop's, then one JSON line. Targets: >= 27 fps per feed at 16 feeds on 2 cores; CPU <= 1.2x
the plain loop; frame age p95 <= 33 ms.

    .venv/bin/python bench/video_decode.py --tiles 9 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import cv2
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from live_workers import live_workers  # noqa: E402

from tests.peers.video import media  # noqa: E402

TARGET_FPS = 27.0
TARGET_CPU_RATIO = 1.2
TARGET_AGE_P95_MS = 33.0
CONSUMER_HZ = 30.0


def cpu_seconds() -> float:
    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


def plain_loop(urls: list[str], warmup_s: float, seconds: float) -> dict[str, Any]:
    """The baseline: what OpenCV alone costs to decode the same feeds (a thread per feed, reopened when a
    read fails, as any real reader must: a timed-out FFmpeg capture never reads again)."""
    stop = threading.Event()
    measuring = threading.Event()
    counts = [0] * len(urls)
    live = [False] * len(urls)

    def read(i: int) -> None:
        while not stop.is_set():
            capture = cv2.VideoCapture(
                urls[i], cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 5000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 3000]
            )
            while not stop.is_set() and capture.isOpened():
                ok, _image = capture.read()
                if not ok:
                    break
                live[i] = True
                if measuring.is_set():
                    counts[i] += 1
            capture.release()

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(urls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while not all(live) and time.monotonic() < deadline:  # every feed decoding, as for the pipeline
        time.sleep(0.05)
    time.sleep(warmup_s)
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    measuring.set()
    time.sleep(seconds)
    measuring.clear()
    cpu1, wall1 = cpu_seconds(), time.monotonic()
    stop.set()
    for thread in threads:
        thread.join()
    wall = wall1 - wall0
    return {"fps": [round(c / wall, 2) for c in counts], "cpu_pct": round(100 * (cpu1 - cpu0) / wall, 1)}


def pipeline(urls: list[str], warmup_s: float, seconds: float) -> dict[str, Any]:
    workers = live_workers(urls)
    stop = threading.Event()

    def consume() -> None:
        """One paint timer for all tiles, as the UI has."""
        seqs = [-1] * len(workers)
        period = 1 / CONSUMER_HZ
        due = time.monotonic()
        while not stop.is_set():
            for i, worker in enumerate(workers):
                frame = worker.latest(seqs[i])
                if frame is not None:
                    seqs[i] = frame.seq
            due += period
            stop.wait(max(due - time.monotonic(), 0))

    consumer = threading.Thread(target=consume, name="bench-consumer")
    consumer.start()
    time.sleep(warmup_s)
    before = [w.status().qos for w in workers]
    cpu0, wall0 = cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    cpu1, wall1 = cpu_seconds(), time.monotonic()
    statuses = [w.status() for w in workers]
    stop.set()
    consumer.join()
    for worker in workers:
        worker.stop()
    wall = wall1 - wall0
    pairs = list(zip(statuses, before, strict=True))
    return {
        "fps": [round((s.qos.frames_decoded - b.frames_decoded) / wall, 2) for s, b in pairs],
        "age_p50_ms": [s.qos.frame_age_p50_ms for s in statuses],
        "age_p95_ms": [s.qos.frame_age_p95_ms for s in statuses],
        "dropped": [s.qos.frames_dropped - b.frames_dropped for s, b in pairs],
        "cpu_pct": round(100 * (cpu1 - cpu0) / wall, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir()) / "gs-bench-video"
    cache.mkdir(exist_ok=True)
    clip = media.encode_clip(cache, width=1280, height=720, seconds=4)
    ports = [media.free_port() for _ in range(args.tiles)]
    senders = [media.mpegts_sender(clip, port).start() for port in ports]
    urls = [f"udp://127.0.0.1:{port}" for port in ports]
    try:
        plain = plain_loop(urls, args.warmup, args.seconds)
        piped = pipeline(urls, args.warmup, args.seconds)
    finally:
        for sender in senders:
            sender.kill()

    print(f"{args.tiles} feeds of 720p30 H.264 over MPEG-TS/UDP on {psutil.cpu_count()} cores, {args.seconds:g} s")
    print(f"{'feed':>4} {'plain fps':>10} {'pipe fps':>9} {'age p50':>8} {'age p95':>8} {'dropped':>8}")
    for i in range(args.tiles):
        print(
            f"{i:>4} {plain['fps'][i]:>10} {piped['fps'][i]:>9} {piped['age_p50_ms'][i]!s:>8} "
            f"{piped['age_p95_ms'][i]!s:>8} {piped['dropped'][i]:>8}"
        )
    ratio = round(float(piped["cpu_pct"]) / max(float(plain["cpu_pct"]), 0.1), 2)
    fps_min = min(piped["fps"])
    ages = [a for a in piped["age_p95_ms"] if a is not None]
    age_p95 = max(ages) if ages else None  # the worst feed, not a typical one
    print(f"CPU: plain {plain['cpu_pct']}%  pipeline {piped['cpu_pct']}%  ratio {ratio} (target <= {TARGET_CPU_RATIO})")
    print(
        f"min fps {fps_min} (target >= {TARGET_FPS}); worst feed's age p95 {age_p95} ms (target <= {TARGET_AGE_P95_MS})"
    )
    print(
        json.dumps(
            {
                "bench": "video_decode",
                "tiles": args.tiles,
                "cores": psutil.cpu_count(),
                "plain": plain,
                "pipeline": piped,
                "cpu_ratio": ratio,
                "min_fps": fps_min,
                "max_age_p95_ms": age_p95,
                "targets_met": {
                    "fps": fps_min >= TARGET_FPS,
                    "cpu_ratio": ratio <= TARGET_CPU_RATIO,
                    "age_p95": age_p95 is not None and age_p95 <= TARGET_AGE_P95_MS,
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
