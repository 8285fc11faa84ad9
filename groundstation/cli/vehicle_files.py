"""``groundstation params diff`` and ``groundstation mission convert``: planner files, no running vehicle needed.

They work on files alone, so they open no profile and can run beside a runtime or on a laptop with no link:
compare a vehicle's saved parameters against a reference before a flight, or turn a QGroundControl ``.plan``
into Mission Planner's ``.waypoints`` (and back).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from groundstation.cli.common import EXIT_FAILURE, Parser, print_json


def register(sub: Any) -> None:
    params = sub.add_parser("params", help="vehicle parameter files (.param, Mission Planner or QGroundControl)")
    psub = params.add_subparsers(dest="params_command", required=True, parser_class=Parser)
    diff = psub.add_parser(
        "diff",
        help="what loading FILE_B onto a vehicle holding FILE_A would change",
        description="Compare two parameter files by name; reals are compared at the float32 precision a vehicle "
        "stores. Exit status 0 when they hold the same settings, 1 when they differ.",
    )
    diff.add_argument("file_a", type=Path, metavar="FILE_A")
    diff.add_argument("file_b", type=Path, metavar="FILE_B")
    diff.add_argument("--json", action="store_true", help="print the differences as JSON")
    diff.set_defaults(handler=_params_diff)

    mission = sub.add_parser("mission", help="mission files (.plan, .waypoints)")
    msub = mission.add_subparsers(dest="mission_command", required=True, parser_class=Parser)
    convert = msub.add_parser(
        "convert",
        help="convert between QGroundControl .plan and .waypoints (QGC WPL 110)",
        description="Read IN (.plan or .waypoints, told apart by content) and write OUT in the format its suffix "
        "names (.plan, .waypoints or .txt).",
    )
    convert.add_argument("source", type=Path, metavar="IN")
    convert.add_argument("target", type=Path, metavar="OUT")
    convert.set_defaults(handler=_mission_convert)


async def _params_diff(args: argparse.Namespace) -> int:
    # Imported here so that `groundstation --help` does not load pymavlink.
    from groundstation.adapters.mavlink.param_files import load_params
    from groundstation.domain.parameters import diff_params

    changes = diff_params(load_params(args.file_a), load_params(args.file_b))
    if args.json:
        print_json(
            {
                "added": {p.name: p.value for p in changes.added},
                "removed": {p.name: p.value for p in changes.removed},
                "changed": {c.name: {"old": c.old, "new": c.new} for c in changes.changed},
            }
        )
    else:
        for p in changes.added:
            print(f"+ {p.name} = {p.value}  (only in {args.file_b.name})")
        for p in changes.removed:
            print(f"- {p.name} = {p.value}  (only in {args.file_a.name})")
        for c in changes.changed:
            print(f"~ {c.name}: {c.old} -> {c.new}")
        if changes.is_empty:
            print("the files hold the same settings", file=sys.stderr)
    return 0 if changes.is_empty else EXIT_FAILURE


async def _mission_convert(args: argparse.Namespace) -> int:
    from groundstation.adapters.mavlink.mission_files import load_mission, save_mission

    mission = load_mission(args.source)
    save_mission(mission, args.target)
    print(f"wrote {len(mission.items)} items to {args.target}", file=sys.stderr)
    return 0
