"""Per-profile settings: known keys with types, defaults and checks, each change audited.

Settings are few and typed on purpose: a typo in a key or a string where a number belongs is refused with
the key's name, instead of being stored and silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from groundstation.domain.errors import InvalidError
from groundstation.domain.ports import ProfileStore, UnitOfWork
from groundstation.services.audit import AuditService, WriteScope


@dataclass(frozen=True, slots=True)
class SettingSpec:
    default: Any
    kind: type
    check: Callable[[Any], bool] = lambda _value: True
    help: str = ""


SETTINGS: dict[str, SettingSpec] = {
    "sessions.auto_resume": SettingSpec(
        False, bool, help="resume sessions that a crash or kill left interrupted when the profile opens"
    ),
    "sessions.link_timeout_s": SettingSpec(
        3.5,
        float,
        lambda v: 0.5 <= v <= 60,
        "seconds without data before a session is link_lost (applies when the profile is next opened)",
    ),
    "telemetry.persist_interval_s": SettingSpec(
        1.0,
        float,
        lambda v: 1.0 <= v <= 60,
        "at most one stored sample per session per this many seconds (applies when the profile is next opened)",
    ),
}


def coerce_setting(key: str, value: Any) -> Any:
    spec = SETTINGS.get(key)
    if spec is None:
        raise InvalidError(f"unknown setting {key!r} (known: {', '.join(sorted(SETTINGS))})", field=key)
    if spec.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, spec.kind) or (spec.kind is not bool and isinstance(value, bool)):
        raise InvalidError(f"setting {key} takes a {spec.kind.__name__}, got {value!r}", field=key)
    if not spec.check(value):
        raise InvalidError(f"setting {key}: {value!r} is out of range ({spec.help})", field=key)
    return value


class SettingsService:
    def __init__(self, store: ProfileStore, audit: AuditService) -> None:
        self._store = store
        self._audit = audit

    async def get(self, key: str) -> Any:
        spec = SETTINGS.get(key)
        if spec is None:
            raise InvalidError(f"unknown setting {key!r}", field=key)
        stored = await self._store.run(lambda uow: uow.settings.get(key))
        return spec.default if stored is None else stored

    async def all(self) -> dict[str, Any]:
        stored = await self._store.run(lambda uow: uow.settings.all())
        return {key: stored.get(key, spec.default) for key, spec in SETTINGS.items()}

    async def set(self, key: str, value: Any, *, actor: str) -> Any:
        detail = {"key": key, "value": value}

        def work(uow: UnitOfWork, _scope: WriteScope) -> Any:
            clean = coerce_setting(key, value)
            uow.settings.set(key, clean)
            return clean

        return await self._audit.write(actor=actor, action="settings.set", target_id=key, work=work, detail=detail)
