"""``groundstation sim mavlink``: the FAKE fleet as ArduCopters on a MAVLink link, for testers and other GCSs.

It runs without a profile or storage: it is a stand-in for vehicles, not a ground station, so QGroundControl,
Mission Planner, MAVProxy or our own ``serve --connect`` can connect to it exactly as to real copters.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Any

from groundstation.cli.common import Parser, positive_float


def register(sub: Any) -> None:
    sim = sub.add_parser("sim", help="run simulated vehicles that other software connects to")
    ssub = sim.add_subparsers(dest="kind", required=True, parser_class=Parser)
    mav = ssub.add_parser(
        "mavlink",
        help="FAKE vehicles speaking MAVLink as ArduCopter (system ids 1..N on one link)",
        description="Run N simulated ArduCopters. Connect a GCS: QGroundControl listens on UDP 14550 "
        "(--udpout 127.0.0.1:14550); MAVProxy or our serve connect to --tcp-listen 5760 as tcp:HOST:5760.",
    )
    mav.add_argument("--vehicles", type=_vehicle_count, metavar="N", help="how many (default 1, or the scenario's)")
    link = mav.add_mutually_exclusive_group(required=True)
    link.add_argument("--udpout", type=_host_port, metavar="HOST:PORT", help="send to a GCS listening there")
    link.add_argument("--tcp-listen", type=_listen, metavar="[HOST:]PORT", help="accept GCS clients on this port")
    mav.add_argument("--seed", type=int, default=1, help="seed of the fleet's randomness (default 1)")
    mav.add_argument("--scenario", type=Path, metavar="FILE", help="a FAKE scenario file (TOML): vehicles, events")
    mav.add_argument("--speed", type=positive_float, default=1.0, metavar="F", help="simulated time runs F x wall")
    mav.add_argument("--duration", type=positive_float, metavar="S", help="stop after S seconds")
    mav.add_argument(
        "--param-rate",
        type=positive_float,
        metavar="HZ",
        help="send a requested parameter list at HZ values a second, as a slow radio would (default: at once)",
    )
    mav.set_defaults(handler=_mavlink)


async def _mavlink(args: argparse.Namespace) -> int:
    # Imported here so that `groundstation --help` does not load pymavlink.
    from groundstation.adapters.mavlink_sim import MavlinkSimulator, SimOptions, TcpListen, UdpOut, build_fleet

    fleet = build_fleet(SimOptions(vehicles=args.vehicles, seed=args.seed, scenario=args.scenario, speed=args.speed))
    transport = UdpOut(*args.udpout) if args.udpout else TcpListen(*args.tcp_listen)
    simulator = MavlinkSimulator(fleet, transport, speed=args.speed, param_rate_hz=args.param_rate)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await simulator.run(stop, args.duration)
    finally:
        for sig in signals:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
    return 0


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be from 0 to 65535, got {port}")
    return port


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]"), _port(port)


def _listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    return (host.strip("[]") or "0.0.0.0") if sep else "0.0.0.0", _port(port)


def _vehicle_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of vehicles: {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {count}")
    return count
