"""Vehicle commands and their outcomes, in words an operator understands.

Every adapter answers a command with one of these outcomes; the protocol's own codes (MAVLink's MAV_RESULT,
DJI's result codes) never leak past the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class CommandName(StrEnum):
    ARM = "arm"
    DISARM = "disarm"
    TAKEOFF = "takeoff"
    LAND = "land"
    RTL = "rtl"
    SET_MODE = "set_mode"
    GOTO = "goto"
    CHANGE_SPEED = "change_speed"


# Commands that move a vehicle or cut its motors: the UI asks for confirmation before sending them.
DANGEROUS_COMMANDS = frozenset({CommandName.DISARM, CommandName.TAKEOFF, CommandName.GOTO})


class CommandOutcome(StrEnum):
    ACCEPTED = "accepted"
    DENIED = "denied"
    UNSUPPORTED = "unsupported"
    TEMPORARILY_REJECTED = "temporarily_rejected"
    FAILED = "failed"
    NO_ANSWER = "no_answer"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True, slots=True)
class VehicleCommand:
    name: CommandName
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CommandResult:
    outcome: CommandOutcome
    message: str

    @property
    def accepted(self) -> bool:
        return self.outcome is CommandOutcome.ACCEPTED
