"""Vehicle commands: checked, sent through the session's live link, and audited with their outcome.

The outcome is the adapter's answer in words (accepted, denied with the vehicle's reason, no answer...);
a command that was sent but refused is a failed write in the audit log, with the reason.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any, Literal

from groundstation.domain import actors
from groundstation.domain.commands import CommandName, CommandOutcome, CommandResult, VehicleCommand
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError
from groundstation.domain.events import EventKind, Severity
from groundstation.domain.models import Outcome
from groundstation.domain.ports import UnitOfWork
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.sessions import SessionService

DEFAULT_TIMEOUT_S = 5.0
MAX_MODE_CHARS = 32


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter of a command as every adapter accepts it: its JSON type, whether it must be given, and
    for numbers the range (inclusive) in ``unit``. A vehicle may still refuse a value inside the range (a
    FAKE vehicle takes off to 1-500 m; a mode name it does not fly): that is its answer, ``denied``."""

    name: str
    kind: Literal["number", "boolean", "string"]
    required: bool
    description: str
    unit: str = ""
    low: float | None = None
    high: float | None = None

    def describe(self) -> str:
        bounds = f" {self.low:g} to {self.high:g}" if self.low is not None and self.high is not None else ""
        unit = f" {self.unit}" if self.unit else ""
        need = "required" if self.required else "optional"
        return f"`{self.name}` ({self.kind}{bounds}{unit}, {need}): {self.description}"


_FORCE = ParamSpec("force", "boolean", False, "skip the vehicle's checks (arming checks; disarm in flight)")

COMMAND_PARAMS: dict[CommandName, tuple[ParamSpec, ...]] = {
    CommandName.ARM: (_FORCE,),
    CommandName.DISARM: (_FORCE,),
    CommandName.TAKEOFF: (ParamSpec("alt_m", "number", True, "altitude to climb to", "m above home", 0.5, 10_000.0),),
    CommandName.LAND: (),
    CommandName.RTL: (),
    CommandName.SET_MODE: (
        ParamSpec("mode", "string", True, f"the vehicle's mode name, e.g. GUIDED, LOITER (1-{MAX_MODE_CHARS} chars)"),
    ),
    CommandName.GOTO: (
        ParamSpec("lat", "number", True, "target latitude", "degrees", -90.0, 90.0),
        ParamSpec("lon", "number", True, "target longitude", "degrees", -180.0, 180.0),
        ParamSpec("alt_m", "number", True, "target altitude", "m above home", -1_000.0, 10_000.0),
    ),
    CommandName.CHANGE_SPEED: (ParamSpec("speed_mps", "number", True, "ground speed to fly at", "m/s", 0.1, 100.0),),
}
"""Every command's parameters (what the API documents and ``check_params`` enforces)."""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_params(command: CommandName, params: dict[str, Any] | None) -> dict[str, Any]:
    """``params`` checked against ``COMMAND_PARAMS``: a missing required one, one of the wrong JSON type,
    a number out of range or not finite, or a name the command does not take is an ``InvalidError`` naming
    ``params.<name>``. Returns the params (a set_mode's mode stripped)."""
    given = dict(params or {})
    specs = {spec.name: spec for spec in COMMAND_PARAMS[command]}
    for key in given:
        if key not in specs:
            takes = ", ".join(specs) or "no parameters"
            raise InvalidError(
                f"{command.value}: bad parameter {_shown(key)}; it takes {takes}", field=f"params.{str(key)[:64]}"
            )
    checked: dict[str, Any] = {}
    for name, spec in specs.items():
        field = f"params.{name}"
        if name not in given:
            if spec.required:
                raise InvalidError(f"{command.value} needs {spec.describe()}", field=field)
            continue
        value = given[name]
        if spec.kind == "boolean":
            if not isinstance(value, bool):
                raise InvalidError(f"{name} must be true or false, got {_shown(value)}", field=field)
        elif spec.kind == "string":
            if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_MODE_CHARS:
                raise InvalidError(f"{name} must be {spec.description}, got {_shown(value)}", field=field)
            value = value.strip()
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidError(f"{name} must be a number ({spec.unit}), got {_shown(value)}", field=field)
            assert spec.low is not None and spec.high is not None
            if not math.isfinite(value) or not spec.low <= value <= spec.high:
                raise InvalidError(
                    f"{name} must be from {spec.low:g} to {spec.high:g} {spec.unit}, got {_shown(value)}",
                    field=field,
                )
        checked[name] = value
    return checked


class CommandService:
    def __init__(self, *, sessions: SessionService, audit: AuditService, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._sessions = sessions
        self._audit = audit
        self._timeout_s = timeout_s

    async def send(
        self,
        session_id: str,
        command: str | CommandName,
        params: dict[str, Any] | None = None,
        *,
        actor: str = actors.OPERATOR,
    ) -> CommandResult:
        detail: dict[str, Any] = {"command": str(command), "params": dict(params or {})}
        try:
            name = CommandName(command)
        except ValueError:
            error = InvalidError(
                f"unknown command {command!r} (expected one of {', '.join(c.value for c in CommandName)})",
                field="command",
            )
            await self._audit.record_failure(
                actor=actor, action="command.send", target_id=session_id, detail={**detail, "error": error.message}
            )
            raise error from None
        try:
            params = check_params(name, params)
        except InvalidError as exc:
            await self._audit.record_failure(
                actor=actor, action="command.send", target_id=session_id, detail={**detail, "error": exc.message}
            )
            raise
        try:
            session = await self._sessions.get(session_id)
        except NotFoundError as exc:
            await self._audit.record_failure(
                actor=actor, action="command.send", target_id=session_id, detail={**detail, "error": exc.message}
            )
            raise
        link = self._sessions.live_link(session_id)
        if link is None:
            refused = ConflictError(
                f"session '{session.name}' is {session.state.value}; commands need a running session",
                holder=session.id,
            )
            await self._audit.record_failure(
                actor=actor, action="command.send", target_id=session_id, detail={**detail, "error": refused.message}
            )
            raise refused
        try:
            result = await link.command(VehicleCommand(name, dict(params or {})), timeout_s=self._timeout_s)
        except TimeoutError:
            result = CommandResult(CommandOutcome.NO_ANSWER, f"no answer within {self._timeout_s:g} s")
        except asyncio.CancelledError:
            raise
        except InvalidError as exc:
            await self._audit.record_failure(
                actor=actor, action="command.send", target_id=session_id, detail={**detail, "error": exc.message}
            )
            raise
        outcome = Outcome.SUCCESS if result.accepted else Outcome.FAILURE

        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            if uow.sessions.get(session_id) is None:
                raise NotFoundError(f"session {session_id!r} was deleted while the command ran")
            scope.detail.update({"result": result.outcome.value, "message": result.message})
            scope.emit(
                EventKind.COMMAND_SENT,
                session_id,
                {
                    "name": session.name,
                    "command": name.value,
                    "outcome": result.outcome.value,
                    "message": result.message,
                },
                Severity.INFO if result.accepted else Severity.WARNING,
            )

        await self._audit.write(
            actor=actor, action="command.send", target_id=session_id, work=work, detail=detail, outcome=outcome
        )
        return result
