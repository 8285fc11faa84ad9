"""``groundstation replay``: a ``.tlog`` replayed as a session through the live MAVLink pipeline, summarized.

The replay runs as an ordinary MAVLink session (``tlog://`` URL) in the profile, so its samples are
normalized, published and persisted exactly as a live vehicle's. The end of the file is signalled by the
link itself (``MavlinkLink.wait_finished``), not by a failure: the CLI waits on it, reads the link's
summary, stops the session and counts what the profile persisted.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from groundstation.cli.common import print_json, profile_name, runtime
from groundstation.domain.errors import InvalidError


def register(sub: Any) -> None:
    replay = sub.add_parser(
        "replay",
        help="replay a MAVLink .tlog as a session and print what it holds (opens the profile as its runtime: "
        "not while another runtime holds it)",
    )
    replay.add_argument("file", type=Path, help="the .tlog file")
    replay.add_argument("--profile", type=profile_name, required=True)
    replay.add_argument(
        "--speed", type=_speed, default="max", help="'max' (the default) or a multiple of real time (1, 10)"
    )
    replay.add_argument("--json", action="store_true", help="print the summary as JSON")
    replay.set_defaults(handler=_replay)


def _speed(text: str) -> str:
    if text == "max":
        return text
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed is 'max' or a number, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"speed must be greater than 0, got {text}")
    return text


async def replay_summary(services: Any, path: Path, speed: str = "max") -> dict[str, Any]:
    """Replay ``path`` as a new session of the opened profile and return the summary (used by the bench)."""
    from groundstation.adapters.mavlink import MavlinkLink
    from groundstation.domain.models import AdapterKind, SessionState

    name = f"replay {path.name} {datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%f}"[:64]
    url = f"tlog://{quote(str(path))}?speed={speed}"
    session = await services.sessions.start(name, AdapterKind.MAVLINK, url)
    if session.state is SessionState.FAILED:
        raise InvalidError(f"cannot replay {path}: {session.last_error}", field="file")
    link = services.sessions.live_link(session.id)
    if not isinstance(link, MavlinkLink):
        raise InvalidError(f"session {session.id} has no MAVLink link to replay through", field="file")
    result = await link.wait_finished()
    summary = link.summary()
    stats = link.stats()
    if services.sessions.live_state(session.id) is not None:
        # Still running (a finished replay stops its session on its own, and may already have).
        await services.sessions.stop(session.id)
    await services.hub.flush()
    persisted = await services.store.run(lambda uow: uow.telemetry.count(session.id))
    return {
        "file": str(path),
        "session_id": session.id,
        **summary,
        "lost_packets": stats.lost_packets,
        "packet_loss_pct": stats.packet_loss_pct,
        "replay_wall_s": round(result.wall_s, 3) if result is not None else None,
        "samples_persisted": persisted,
    }


async def _replay(args: argparse.Namespace) -> int:
    path = args.file.expanduser().resolve()
    if not path.is_file():
        raise InvalidError(f"no such file: {path}", field="file")
    rt = runtime()
    try:
        services = await rt.open_profile(args.profile)
        try:
            summary = await replay_summary(services, path, args.speed)
        except InvalidError as exc:
            if exc.field != "file":
                raise
            found = _found(path)
            said = found.endswith("empty file") and "empty" in exc.message  # the adapter said it already
            summary = {"file": str(path), "messages": 0, "error": exc.message if said else f"{exc.message} ({found})"}
    finally:
        await rt.close()
    if not summary["messages"]:
        # Nothing to summarize: say why in one line (and, for scripts, in the JSON) instead of an empty report.
        message = summary.get("error") or not_a_tlog(path, summary["bad_frames"])
        if args.json:
            print_json({**summary, "error": message})
        raise InvalidError(message, field="file")
    if args.json:
        print_json(summary)
    else:
        _print_text(summary)
    return 0


def not_a_tlog(path: Path, bad_frames: int) -> str:
    """Why a file gave no MAVLink message, with what it holds instead."""
    frames = f"{bad_frames} bad frame{'s' if bad_frames != 1 else ''}"
    return f"not a MAVLink tlog: {path} holds no MAVLink message ({_found(path)}, {frames})"


def _found(path: Path) -> str:
    """What a file holds, in a few words: "text, 3,120 bytes", "binary data, 12 bytes", "empty"."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if size == 0:
        return "found: an empty file"
    return f"found: {_what(head)}, {size:,} bytes"


def _what(head: bytes) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
    return "text" if printable >= 0.95 * len(text) else "binary data"


def _print_text(s: dict[str, Any]) -> None:
    print(f"{s['file']}: {s['messages']} messages, {s['bad_frames']} bad frames over {s['duration_s']:.1f} s")
    for v in s["vehicles"]:
        print(f"  system {v['sysid']} component {v['compid']}: {v['type']} ({v['autopilot']})")
    spans = ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in s["armed_intervals"]) or "never"
    print(f"  armed: {spans}")
    print(f"  modes: {' -> '.join(s['modes']) or 'none reported'}")
    print(f"  samples persisted: {s['samples_persisted']} (session {s['session_id']})")
