"""``groundstation serial list``: the serial ports this computer has, to find the name a radio got.

A telemetry radio shows up as whatever the OS hands it (``/dev/ttyUSB0``, ``/dev/cu.usbserial-0001``,
``COM7``) and the name changes with the socket it is plugged into; the USB id and manufacturer printed beside
each port tell which one is the radio. Each line carries the ``serial://`` URL to paste into a session.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from groundstation.cli.common import Parser, print_json
from groundstation.domain.connections import DEFAULT_BAUD, SerialPortInfo, serial_url


def register(sub: Any) -> None:
    group = sub.add_parser("serial", help="serial ports for MAVLink radios")
    ssub = group.add_subparsers(dest="action", required=True, parser_class=Parser)
    listing = ssub.add_parser("list", help="list the serial ports found, with their USB ids and session URLs")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=_list)


async def _list(args: argparse.Namespace) -> int:
    # Imported here: the adapter pulls in pymavlink, which other commands should not pay for.
    from groundstation.adapters.mavlink.serial_link import list_serial_ports

    ports = list_serial_ports()
    if args.json:
        print_json(port_records(ports))
        return 0
    if not ports:
        print("no serial ports found (is the radio plugged in? on Linux, see dmesg for the name it got)")
        return 0
    for line in port_lines(ports):
        print(line)
    return 0


def port_records(ports: Sequence[SerialPortInfo]) -> list[dict[str, Any]]:
    """One object per port: what the OS says of it and the URL a session would use."""
    return [
        {
            "device": p.device,
            "description": p.description or None,
            "usb_id": p.usb_id,
            "vid": p.vid,
            "pid": p.pid,
            "manufacturer": p.manufacturer,
            "serial_number": p.serial_number,
            "url": serial_url(p.device, DEFAULT_BAUD),
        }
        for p in ports
    ]


def port_lines(ports: Sequence[SerialPortInfo]) -> list[str]:
    """Aligned columns: device, description, USB id and manufacturer (``-`` when unknown), URL."""
    rows = [
        (p.device, p.description or "-", p.usb_id or "-", p.manufacturer or "-", serial_url(p.device, DEFAULT_BAUD))
        for p in ports
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)), row[4]]) for row in rows]
