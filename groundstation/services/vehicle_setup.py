"""A vehicle's parameters and mission, read and written through its running session, every write audited.

The protocol work (MAVLink's parameter and mission microservices) belongs to the link, reached through the
domain's ``VehicleConfigurator`` port; file formats come through ``VehicleFileFormats``; this module adds what
an operator's action needs around them: the session must be running, a write is audited with its actor and
outcome (also when the vehicle refuses or never answers), and a transfer's progress is visible while it runs
(and how it ended, afterwards) to any caller, not only the one waiting for it.
Files travel as text, so the API, the CLI and the GUI decide where they live.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from groundstation.domain import actors
from groundstation.domain.errors import (
    ConflictError,
    ErrorCode,
    GroundstationError,
    InvalidError,
    NotFoundError,
    UnsupportedError,
)
from groundstation.domain.missions import Mission
from groundstation.domain.models import Outcome
from groundstation.domain.parameters import ParamChange, ParamDiff, Parameter, ParamSet, diff_params
from groundstation.domain.ports import UnitOfWork, VehicleConfigurator, VehicleFileFormats
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.sessions import SessionService

T = TypeVar("T")


class TransferState(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """How far a download, upload or batch of writes is: ``done`` of ``total`` (total 0 until the vehicle says).

    The last one of a session stays readable after it ended (``finished`` or ``failed``, with the counts it
    reached), so a caller polling from elsewhere, such as an API client beside a blocking download, sees how it
    ended and not just that it stopped.
    """

    operation: str
    done: int
    total: int
    state: TransferState = TransferState.RUNNING

    @property
    def running(self) -> bool:
        return self.state is TransferState.RUNNING


@dataclass(frozen=True, slots=True)
class ParamOutcome:
    """One parameter of a batch of writes: what was asked and what the vehicle did about it.

    ``confirmed`` is the parameter as the vehicle echoed it; otherwise ``refusal`` says why not, in words,
    with its error ``code`` (``invalid``: a value the parameter's type cannot hold, or the vehicle kept another;
    ``timeout``: no answer; ``conflict``: the session stopped, and the write was not sent).
    """

    name: str
    requested: float | int
    confirmed: Parameter | None = None
    refusal: str | None = None
    code: ErrorCode | None = None

    @property
    def ok(self) -> bool:
        return self.confirmed is not None


class _Base:
    def __init__(self, *, sessions: SessionService, audit: AuditService, files: VehicleFileFormats | None) -> None:
        self._sessions = sessions
        self._audit = audit
        self._files = files
        self._progress: dict[str, TransferProgress] = {}

    def progress(self, session_id: str) -> TransferProgress | None:
        """The transfer running on this session now, or else the last one that ran (finished or failed)."""
        return self._progress.get(session_id)

    async def transfer(self, session_id: str) -> TransferProgress | None:
        """``progress`` for a caller that must learn about unknown ids (``NotFoundError``); any state is fine,
        since reading how far a transfer got touches no vehicle."""
        await self._sessions.get(session_id)
        return self._progress.get(session_id)

    def files(self) -> VehicleFileFormats:
        if self._files is None:
            raise UnsupportedError("no planner file formats are available in this build")
        return self._files

    async def _configurator(self, session_id: str) -> VehicleConfigurator:
        session = await self._sessions.get(session_id)  # NotFoundError for unknown ids
        link = self._sessions.live_link(session_id)
        if link is None:
            raise ConflictError(
                f"session '{session.name}' is {session.state.value}; the vehicle's setup needs a running session",
                holder=session.id,
            )
        if not isinstance(link, VehicleConfigurator):
            raise UnsupportedError(f"{session.adapter.value} vehicles have no parameters or mission to configure")
        return link

    async def _configurator_for_write(
        self, session_id: str, action: str, detail: dict[str, Any], actor: str
    ) -> VehicleConfigurator:
        try:
            return await self._configurator(session_id)
        except GroundstationError as exc:
            await self._audit.record_failure(
                actor=actor, action=action, target_id=session_id, detail={**detail, "error": exc.message}
            )
            raise

    async def _tracked(
        self, session_id: str, operation: str, run: Callable[[Callable[[int, int], None]], Awaitable[T]]
    ) -> T:
        """Run a transfer, ``run(update)``, with its progress kept under ``operation``; leave its end state."""
        self._progress[session_id] = TransferProgress(operation, 0, 0)

        def update(done: int, total: int) -> None:
            self._progress[session_id] = TransferProgress(operation, done, total)

        state = TransferState.FAILED
        try:
            result = await run(update)
            state = TransferState.FINISHED
            return result
        finally:
            last = self._progress.get(session_id)
            if last is not None and last.operation == operation and last.running:
                self._progress[session_id] = TransferProgress(operation, last.done, last.total, state)

    async def _audited(
        self,
        session_id: str,
        action: str,
        detail: dict[str, Any],
        actor: str,
        run: Callable[[], Awaitable[T]],
        describe: Callable[[T], dict[str, Any]],
    ) -> T:
        """Run a write on the vehicle, then audit it: success with what the vehicle confirmed, or failure
        with the reason (then re-raised), so a refused or unanswered write is in the log too."""
        try:
            result = await run()
        except GroundstationError as exc:
            await self._audit.record_failure(
                actor=actor,
                action=action,
                target_id=session_id,
                detail={**detail, "error": exc.message, "code": exc.code.value},
            )
            raise

        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            if uow.sessions.get(session_id) is None:
                raise NotFoundError(f"session {session_id!r} was deleted while {action} ran")
            scope.detail.update(describe(result))

        await self._audit.write(
            actor=actor, action=action, target_id=session_id, work=work, detail=detail, outcome=Outcome.SUCCESS
        )
        return result


class ParameterService(_Base):
    """Download (with progress), read, write, save, load and diff a running session's parameters."""

    def __init__(self, *, sessions: SessionService, audit: AuditService, files: VehicleFileFormats | None) -> None:
        super().__init__(sessions=sessions, audit=audit, files=files)
        self._cache: dict[str, ParamSet] = {}

    def cached(self, session_id: str) -> ParamSet | None:
        """The last full download of this session's parameters, updated by every confirmed write."""
        return self._cache.get(session_id)

    async def download(self, session_id: str, *, timeout_s: float = 60.0) -> ParamSet:
        link = await self._configurator(session_id)
        params = await self._tracked(
            session_id, "parameters.download", lambda update: link.parameters().download_all(update, timeout_s)
        )
        self._cache[session_id] = params
        return params

    async def get(self, session_id: str, name: str) -> Parameter:
        link = await self._configurator(session_id)
        return await link.parameters().get(name)

    def check_name(self, session_id: str, name: str, *, field: str = "name") -> None:
        """Refuse a name the session's full cached list lacks (``InvalidError`` naming ``field``), with a
        "did you mean" for a name that differs only in case (parameter names are case-sensitive). Without a
        cached list nothing is known, so nothing is refused here."""
        known = self._cache.get(session_id)
        if known is None or name in known:
            return
        message = f"the vehicle has no parameter {_shown(name)}"
        folded = {p.casefold(): p for p in known}
        match = folded.get(name.casefold())
        if match is not None:
            message += f"; did you mean {match}? (names are case-sensitive)"
        raise InvalidError(message, field=field)

    async def set(
        self, session_id: str, name: str, value: float | int, *, actor: str = actors.OPERATOR, field: str = "name"
    ) -> Parameter:
        """Write one parameter; returns it as the vehicle confirmed it. Audited either way.

        A name missing from the full cached list is refused at once (``check_name``). Without a list, the
        vehicle is asked; ArduPilot never answers a write of a name it lacks, so when the write times out the
        list is downloaded to tell "no such parameter" (``InvalidError``) from a vehicle that did not answer."""
        known = self._cache.get(session_id)
        old = known[name].value if known is not None and name in known else None
        detail = {"name": name, "value": value, "old": old}
        try:
            self.check_name(session_id, name, field=field)
        except InvalidError as exc:
            await self._audit.record_failure(
                actor=actor,
                action="parameter.set",
                target_id=session_id,
                detail={**detail, "error": exc.message, "code": exc.code.value},
            )
            raise
        link = await self._configurator_for_write(session_id, "parameter.set", detail, actor)
        client = link.parameters()
        param_type = known[name].type if known is not None and name in known else None

        async def run() -> Parameter:
            return await client.set(name, value, param_type)

        try:
            confirmed = await self._audited(
                session_id, "parameter.set", detail, actor, run, lambda p: {"confirmed": p.value}
            )
        except GroundstationError as exc:
            if exc.code is not ErrorCode.TIMEOUT or known is not None:
                raise
            await self._explain_timeout(session_id, name, field)
            raise
        self._remember(session_id, confirmed)
        return confirmed

    async def _explain_timeout(self, session_id: str, name: str, field: str) -> None:
        """After an unanswered write without a cached list: download it; a name it lacks is an InvalidError
        (raised from the timeout), else the caller re-raises the timeout."""
        try:
            await self.download(session_id)
        except GroundstationError:
            return
        self.check_name(session_id, name, field=field)

    async def set_many(
        self, session_id: str, values: dict[str, float | int], *, actor: str = actors.OPERATOR
    ) -> list[Parameter]:
        """Write several parameters in order, each audited; stops at the first the vehicle does not confirm.

        Every name is checked against the full list before anything is written (downloading it first when
        none is cached), so an unknown or miscased name is refused at once, as field ``values.<name>``,
        with nothing written."""
        if values and self._cache.get(session_id) is None:
            await self.download(session_id)
        for name in values:
            try:
                self.check_name(session_id, name, field=f"values.{name}")
            except InvalidError as exc:
                await self._audit.record_failure(
                    actor=actor,
                    action="parameter.set",
                    target_id=session_id,
                    detail={"name": name, "value": values[name], "error": exc.message, "code": exc.code.value},
                )
                raise
        return [
            await self.set(session_id, name, value, actor=actor, field=f"values.{name}")
            for name, value in values.items()
        ]

    async def apply(
        self,
        session_id: str,
        changes: Sequence[ParamChange],
        *,
        actor: str = actors.OPERATOR,
        on_outcome: Callable[[ParamOutcome], None] | None = None,
    ) -> list[ParamOutcome]:
        """Write approved changes in order, each audited, going on past the ones the vehicle refuses or leaves
        unanswered: they are independent settings, and the operator needs to know which did not take, not to
        be stopped at the first. If the session stops meanwhile the rest are not sent (each says why).

        ``on_outcome`` hears each answer as it comes (a window shows them row by row); progress runs as
        ``parameters.apply``. Refuses the whole batch up front when the session is not running.
        """
        await self._configurator(session_id)

        async def write_all(update: Callable[[int, int], None]) -> list[ParamOutcome]:
            outcomes: list[ParamOutcome] = []
            stopped: GroundstationError | None = None
            update(0, len(changes))
            for change in changes:
                if stopped is not None:
                    outcome = ParamOutcome(change.name, change.new, None, f"not sent: {stopped.message}", stopped.code)
                else:
                    try:
                        confirmed = await self.set(session_id, change.name, change.new, actor=actor)
                        outcome = ParamOutcome(change.name, change.new, confirmed)
                    except GroundstationError as exc:
                        if isinstance(exc, ConflictError | NotFoundError):
                            stopped = exc  # the session ended: every later write would fail the same way
                        outcome = ParamOutcome(change.name, change.new, None, exc.message, exc.code)
                outcomes.append(outcome)
                update(len(outcomes), len(changes))
                if on_outcome is not None:
                    on_outcome(outcome)
            return outcomes

        return await self._tracked(session_id, "parameters.apply", write_all)

    async def diff_text(self, session_id: str, text: str) -> ParamDiff:
        """What loading a parameter file would change on the vehicle (downloading first if needed)."""
        file_params = self.files().parse_params(text)
        current = self._cache.get(session_id) or await self.download(session_id)
        return diff_params(current, file_params)

    async def load_text(self, session_id: str, text: str, *, actor: str = actors.OPERATOR) -> list[Parameter]:
        """Write the values of a parameter file that differ from the vehicle's; parameters the vehicle does
        not have are left out (they would be refused one by one). Returns what the vehicle confirmed."""
        changes = await self.diff_text(session_id, text)
        return await self.set_many(session_id, {c.name: c.new for c in changes.changed}, actor=actor)

    async def export_text(self, session_id: str, file_format: str) -> str:
        """The vehicle's parameters as a planner's file (the last download, or a fresh one)."""
        current = self._cache.get(session_id) or await self.download(session_id)
        session = await self._sessions.get(session_id)
        return self.files().format_params(current, file_format, system_id=session.identity.system_id or 1)

    def forget(self, session_id: str) -> None:
        self._cache.pop(session_id, None)

    def _remember(self, session_id: str, confirmed: Parameter) -> None:
        known = self._cache.get(session_id)
        if known is None or confirmed.name not in known:
            return
        updated = [
            Parameter(p.name, confirmed.value, p.type, p.index) if p.name == confirmed.name else p
            for p in known.values()
        ]
        self._cache[session_id] = ParamSet.of(updated)


def _shown(name: str, limit: int = 40) -> str:
    """A name as quoted in a message, cut short: what a client sent is not echoed at any length."""
    return repr(name if len(name) <= limit else name[:limit] + "...")


class MissionService(_Base):
    """Download, upload, clear and step a running session's mission; import and export planner files."""

    async def download(self, session_id: str, *, timeout_s: float = 30.0) -> Mission:
        link = await self._configurator(session_id)
        return await self._tracked(
            session_id, "mission.download", lambda update: link.missions().download(update, timeout_s)
        )

    async def upload(
        self, session_id: str, mission: Mission, *, actor: str = actors.OPERATOR, timeout_s: float = 30.0
    ) -> None:
        detail = {"items": len(mission.items)}
        link = await self._configurator_for_write(session_id, "mission.upload", detail, actor)

        async def run() -> None:
            await self._tracked(
                session_id, "mission.upload", lambda update: link.missions().upload(mission, update, timeout_s)
            )

        await self._audited(session_id, "mission.upload", detail, actor, run, lambda _r: {})

    async def clear(self, session_id: str, *, actor: str = actors.OPERATOR) -> None:
        link = await self._configurator_for_write(session_id, "mission.clear", {}, actor)
        await self._audited(session_id, "mission.clear", {}, actor, lambda: link.missions().clear(), lambda _r: {})

    async def set_current(self, session_id: str, seq: int, *, actor: str = actors.OPERATOR) -> int:
        """Ask for item ``seq``; returns the item the vehicle went to, which may differ (ArduPilot skips a DO
        item to the next navigation item, and restarts at 1 when asked for 0)."""
        detail = {"seq": seq}
        link = await self._configurator_for_write(session_id, "mission.set_current", detail, actor)
        return await self._audited(
            session_id,
            "mission.set_current",
            detail,
            actor,
            lambda: link.missions().set_current(seq),
            lambda current: {"current": current},
        )

    def import_text(self, text: str) -> Mission:
        """A ``.plan`` or ``.waypoints`` file's mission (told apart by content)."""
        return self.files().parse_mission(text)

    def export_text(self, mission: Mission, file_format: str) -> str:
        return self.files().format_mission(mission, file_format)
