"""pymavlink as a codec only: the MAVLink 2 dialect, an encoder with our ids, and a parser that never raises.

The dialect module is imported directly (not through ``mavutil``'s environment switch) so the process-wide
``MAVLINK20`` variable stays untouched; MAVLink 2's parser accepts MAVLink 1 frames as well.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

log = logging.getLogger(__name__)

__all__ = ["ENUMS", "BadData", "FrameParser", "enum_name", "mavlink2", "new_encoder"]

BadData = mavlink2.MAVLink_bad_data
ENUMS: dict[str, dict[int, Any]] = mavlink2.enums


def enum_name(enum: str, value: int, prefix: str) -> str:
    """A MAVLink enum value as its name without the prefix (``MAV_TYPE_QUADROTOR`` -> ``QUADROTOR``);
    unknown values stay readable as numbers instead of failing."""
    entry = ENUMS.get(enum, {}).get(value)
    if entry is None:
        return f"{enum}({value})"
    name: str = entry.name
    return name[len(prefix) :] if name.startswith(prefix) else name


class _Writer:
    """The ``file`` pymavlink's ``MAVLink.send`` writes to: hands each encoded frame to the link."""

    def __init__(self, sink: Callable[[bytes], None]) -> None:
        self._sink = sink

    def write(self, data: bytes) -> None:
        self._sink(bytes(data))


class _Encoder(mavlink2.MAVLink):  # type: ignore[misc]
    """pymavlink's ``MAVLink`` that shows, while ``send`` writes a frame, which message it is (``sending``),
    so the writer can tell whom a frame is for without parsing it again."""

    sending: Any = None

    def send(self, mavmsg: Any, force_mavlink1: bool = False) -> None:
        self.sending = mavmsg
        try:
            super().send(mavmsg, force_mavlink1=force_mavlink1)
        finally:
            self.sending = None


def new_encoder(src_system: int, src_component: int, out: Callable[[bytes], None] | None = None) -> Any:
    """A pymavlink ``MAVLink`` whose ``send`` hands frames to ``out``: clients encode with its
    ``xxx_encode`` methods and it keeps our outgoing sequence numbers. While ``out`` runs, the encoder's
    ``sending`` is the message being written."""
    mav = _Encoder(_Writer(out) if out is not None else None, srcSystem=src_system, srcComponent=src_component)
    mav.robust_parsing = True
    return mav


class FrameParser:
    """Bytes in, messages out, counting what is not a message. Exceptions never escape: a hostile or
    corrupt stream must cost a counter, not the link."""

    def __init__(self) -> None:
        self._mav = mavlink2.MAVLink(None, srcSystem=255, srcComponent=190)
        self._mav.robust_parsing = True
        self.messages = 0
        self.bad_frames = 0
        self.parser_errors = 0

    def feed(self, data: bytes) -> list[Any]:
        try:
            parsed = self._mav.parse_buffer(data)
        except Exception as exc:
            # robust_parsing covers CRC and length errors; this is for the rest (a struct error on a
            # truncated unknown message). Drop the parser's buffer so one bad frame does not stick.
            self.parser_errors += 1
            self.bad_frames += 1
            self._mav.buf = bytearray()
            self._mav.buf_index = 0
            self._mav.expected_length = mavlink2.HEADER_LEN_V1 + 2
            log.debug("MAVLink parser error: %s", exc)
            return []
        if not parsed:
            return []
        out = []
        for msg in parsed:
            if isinstance(msg, BadData):
                self.bad_frames += 1
            else:
                out.append(msg)
        self.messages += len(out)
        return out
