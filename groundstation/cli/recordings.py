"""``groundstation recordings list``: what a profile has recorded, read beside a running runtime."""

from __future__ import annotations

import argparse
from typing import Any

from groundstation.cli.common import Parser, iso, print_json, profile_name, read_profile
from groundstation.domain.video import RecordingInfo


def register(sub: Any) -> None:
    recordings = sub.add_parser("recordings", help="video recordings of a profile")
    rsub = recordings.add_subparsers(dest="action", required=True, parser_class=Parser)
    listing = rsub.add_parser("list", help="list recordings, newest first, with size, duration and stream")
    listing.add_argument("--profile", type=profile_name, required=True)
    listing.add_argument("--stream", metavar="ID", help="only this stream's recordings")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)


async def _list(args: argparse.Namespace) -> int:
    async def fetch(services: Any) -> list[RecordingInfo]:
        if args.stream is not None:
            await services.streams.get(args.stream)  # "no video stream ..." (exit 1), not an empty list
        found: list[RecordingInfo] = await services.store.run(lambda uow: uow.recordings.list(stream_id=args.stream))
        return found

    found: list[RecordingInfo] = await read_profile(args.profile, fetch)
    if args.json:
        print_json([recording_json(r) for r in found])
        return 0
    for r in found:
        size_mib = r.size_bytes / (1024 * 1024)
        print(f"{r.id}\t{r.stream_name}\t{r.state.value}\t{r.duration_s:.1f} s\t{size_mib:.1f} MiB\t{r.mode}\t{r.path}")
    return 0


def recording_json(r: RecordingInfo) -> dict[str, Any]:
    return {
        "id": r.id,
        "stream_id": r.stream_id,
        "stream": r.stream_name,
        "state": r.state.value,
        "mode": r.mode,
        "path": r.path,
        "sidecar_path": r.sidecar_path,
        "started_at": iso(r.started_at),
        "stopped_at": iso(r.stopped_at),
        "frames": r.frames,
        "size_bytes": r.size_bytes,
        "duration_s": r.duration_s,
        "error": r.error,
    }
