"""Vehicle commands over COMMAND_LONG / COMMAND_INT: ACK matching, retries, IN_PROGRESS, words.

An attempt waits ``timeout_s / attempts`` for its COMMAND_ACK (matched on the command id); a missing ACK
is resent with the ``confirmation`` field incremented, as the protocol asks. IN_PROGRESS stops the resends
and extends the wait for the final ACK. Every MAV_RESULT becomes a ``CommandOutcome`` and a sentence.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from groundstation.adapters.mavlink.codec import enum_name, mavlink2
from groundstation.domain.commands import CommandOutcome, CommandResult
from groundstation.domain.errors import InvalidError

# Newer than the ardupilotmega dialect pymavlink 2.4 ships; numbered as in MAVLink's common.xml.
MAV_RESULT_CANCELLED = 6
MAV_RESULT_COMMAND_UNSUPPORTED_MAV_FRAME = 9

_OUTCOMES: dict[int, tuple[CommandOutcome, str]] = {
    mavlink2.MAV_RESULT_ACCEPTED: (CommandOutcome.ACCEPTED, "accepted"),
    mavlink2.MAV_RESULT_TEMPORARILY_REJECTED: (
        CommandOutcome.TEMPORARILY_REJECTED,
        "temporarily rejected: the vehicle cannot do it now; try again",
    ),
    mavlink2.MAV_RESULT_DENIED: (CommandOutcome.DENIED, "denied by the vehicle"),
    mavlink2.MAV_RESULT_UNSUPPORTED: (CommandOutcome.UNSUPPORTED, "not supported by this vehicle"),
    mavlink2.MAV_RESULT_FAILED: (CommandOutcome.FAILED, "the vehicle tried and failed"),
    mavlink2.MAV_RESULT_IN_PROGRESS: (CommandOutcome.IN_PROGRESS, "in progress"),
    MAV_RESULT_CANCELLED: (CommandOutcome.FAILED, "cancelled by the vehicle"),
    mavlink2.MAV_RESULT_COMMAND_LONG_ONLY: (CommandOutcome.UNSUPPORTED, "the vehicle takes it as COMMAND_LONG only"),
    mavlink2.MAV_RESULT_COMMAND_INT_ONLY: (CommandOutcome.UNSUPPORTED, "the vehicle takes it as COMMAND_INT only"),
    MAV_RESULT_COMMAND_UNSUPPORTED_MAV_FRAME: (
        CommandOutcome.UNSUPPORTED,
        "the vehicle does not support that coordinate frame",
    ),
}


def outcome_of(result: int) -> tuple[CommandOutcome, str]:
    return _OUTCOMES.get(result, (CommandOutcome.FAILED, f"unknown result {result} from the vehicle"))


def command_label(command_id: int) -> str:
    return enum_name("MAV_CMD", command_id, "MAV_CMD_")


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One MAV_CMD with its seven parameters; ``as_int`` sends COMMAND_INT with ``frame`` (x, y scaled
    to degrees * 1e7 from params 5 and 6)."""

    command: int
    params: tuple[float, float, float, float, float, float, float]
    as_int: bool = False
    frame: int = mavlink2.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT


@dataclass(frozen=True, slots=True)
class Ack:
    outcome: CommandOutcome
    words: str
    result: int | None
    progress: int | None = None


class CommandClient:
    """Sends commands to one vehicle and matches its COMMAND_ACKs. ``on_ack`` is fed by the link."""

    def __init__(self, encoder: Any, send: Callable[[Any], None], target: Callable[[], tuple[int, int]]) -> None:
        self._mav = encoder
        self._send = send
        self._target = target
        self._waiters: dict[int, list[asyncio.Queue[Any]]] = {}

    def on_ack(self, msg: Any) -> None:
        for queue in self._waiters.get(msg.command, ()):
            queue.put_nowait(msg)

    async def run(self, spec: CommandSpec, *, timeout_s: float, attempts: int = 3) -> Ack:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        self._waiters.setdefault(spec.command, []).append(queue)
        try:
            deadline = loop.time() + timeout_s
            per_try = max(0.2, timeout_s / max(1, attempts))
            confirmation = 0
            as_int = spec.as_int
            progress: Ack | None = None
            while True:
                if progress is None:
                    self._send(self._encode(spec, confirmation, as_int))
                    wait_until = min(deadline, loop.time() + per_try)
                else:
                    wait_until = deadline
                remaining = wait_until - loop.time()
                ack = None
                if remaining > 0:
                    try:
                        ack = await asyncio.wait_for(queue.get(), remaining)
                    except TimeoutError:
                        ack = None
                if ack is not None:
                    result = int(ack.result)
                    if result == mavlink2.MAV_RESULT_IN_PROGRESS:
                        # The vehicle is working on it: no more resends, and the full wait again.
                        progress = Ack(CommandOutcome.IN_PROGRESS, _progress_words(ack), result, _progress(ack))
                        deadline = loop.time() + timeout_s
                        continue
                    if result == mavlink2.MAV_RESULT_COMMAND_INT_ONLY and not as_int:
                        as_int = True
                        continue
                    if result == mavlink2.MAV_RESULT_COMMAND_LONG_ONLY and as_int:
                        as_int = False
                        continue
                    outcome, words = outcome_of(result)
                    return Ack(outcome, words, result, _progress(ack))
                if loop.time() >= deadline:
                    if progress is not None:
                        return progress
                    return Ack(
                        CommandOutcome.NO_ANSWER,
                        f"no answer from the vehicle within {timeout_s:g} s ({confirmation + 1} attempts)",
                        None,
                    )
                confirmation = min(confirmation + 1, 255)
        finally:
            waiters = self._waiters.get(spec.command, [])
            if queue in waiters:
                waiters.remove(queue)
            if not waiters:
                self._waiters.pop(spec.command, None)

    def _encode(self, spec: CommandSpec, confirmation: int, as_int: bool) -> Any:
        system, component = self._target()
        p = spec.params
        if as_int:
            return self._mav.command_int_encode(
                system,
                component,
                spec.frame,
                spec.command,
                0,
                0,
                p[0],
                p[1],
                p[2],
                p[3],
                _scaled(p[4]),
                _scaled(p[5]),
                p[6],
            )
        return self._mav.command_long_encode(system, component, spec.command, confirmation, *p)


def _scaled(deg: float) -> int:
    return 0 if math.isnan(deg) else round(deg * 1e7)


def _progress(ack: Any) -> int | None:
    value = getattr(ack, "progress", 255)
    return None if value in (None, 255) else int(value)


def _progress_words(ack: Any) -> str:
    pct = _progress(ack)
    return "in progress" if pct is None else f"in progress ({pct}%)"


def result_of(ack: Ack, what: str) -> CommandResult:
    return CommandResult(ack.outcome, f"{what}: {ack.words}")


# ------------------------------------------------------------------------------------------ parameters
def number(params: dict[str, Any], name: str, *, low: float, high: float, unit: str) -> float:
    """A required finite number within bounds, or InvalidError naming ``params.<name>``."""
    field = f"params.{name}"
    if name not in params:
        raise InvalidError(f"{name} is required ({unit})", field=field)
    value = params[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidError(f"{name} must be a number ({unit}), got {value!r}", field=field)
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidError(f"{name} must be from {low:g} to {high:g} {unit}, got {value!r}", field=field)
    return float(value)


def flag(params: dict[str, Any], name: str) -> bool:
    value = params.get(name, False)
    if not isinstance(value, bool):
        raise InvalidError(f"{name} must be true or false, got {value!r}", field=f"params.{name}")
    return value
