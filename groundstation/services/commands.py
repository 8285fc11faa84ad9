"""Vehicle commands: checked, sent through the session's live link, and audited with their outcome.

The outcome is the adapter's answer in words (accepted, denied with the vehicle's reason, no answer...);
a command that was sent but refused is a failed write in the audit log, with the reason.
"""

from __future__ import annotations

import asyncio
from typing import Any

from groundstation.domain import actors
from groundstation.domain.commands import CommandName, CommandOutcome, CommandResult, VehicleCommand
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError
from groundstation.domain.events import EventKind, Severity
from groundstation.domain.models import Outcome
from groundstation.domain.ports import UnitOfWork
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.sessions import SessionService

DEFAULT_TIMEOUT_S = 5.0


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
