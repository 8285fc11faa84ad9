"""``groundstation serve``: the headless runtime."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from groundstation.cli.common import positive_float, profile_name, runtime
from groundstation.domain.profiles import DEMO_PROFILE


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run sessions headless (no window)")
    serve.add_argument("--profile", type=profile_name, action="append", required=True, dest="profiles")
    serve.add_argument("--demo", action="store_true", help="start the demo fleet of FAKE vehicles")
    serve.add_argument("--scenario", type=Path, help="a scenario file (TOML) scripting a FAKE fleet")
    serve.add_argument("--connect", action="append", default=[], metavar="URL", help="start a session for URL")
    serve.add_argument("--duration", type=positive_float, metavar="S", help="stop after S seconds")
    serve.set_defaults(handler=_serve)


async def _serve(args: argparse.Namespace) -> int:
    from groundstation.bootstrap import ensure_demo_profile
    from groundstation.headless import ServeOptions, serve

    rt = runtime()
    if DEMO_PROFILE in args.profiles:
        await ensure_demo_profile(rt)
    options = ServeOptions(
        profiles=list(dict.fromkeys(args.profiles)),
        demo=args.demo,
        scenario=args.scenario,
        connect=args.connect,
        duration_s=args.duration,
    )
    return await serve(options, rt)
