"""Video streams of a profile: the registry of sources and their links to sessions.

A stream's live status and QoS are written by the decode pipeline; this service owns the operator's part
(name, URL, linked session, enabled) and the rules on it: unique names per profile, and a link only to a
session of the same profile (another profile's session id is "not found", never "forbidden": a tenant
must not learn that it exists).
"""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import Any

from groundstation.domain import actors
from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError
from groundstation.domain.events import EventKind
from groundstation.domain.ids import stream_id as new_stream_id
from groundstation.domain.models import StreamState, VideoStream
from groundstation.domain.names import validate_display_name
from groundstation.domain.ports import Clock, ProfileStore, UnitOfWork
from groundstation.domain.video_sources import validate_video_url
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.read_cache import PageCache

_EDITABLE = frozenset({"name", "url", "linked_session_id", "enabled"})
_UNSET: Any = object()


class VideoStreamService:
    def __init__(self, *, profile: str, store: ProfileStore, audit: AuditService, clock: Clock) -> None:
        self._profile = profile
        self._store = store
        self._audit = audit
        self._clock = clock
        # Pages of ``list`` by their arguments, with the store's change count they were read under: served
        # again only while no write to streams (this service's, the video pipeline's, a session deleted
        # under a link) has moved the count.
        self._pages: PageCache[VideoStream] = PageCache(store, "streams")

    async def list(
        self, *, linked_session_id: str | None = None, limit: int | None = None, after_id: str | None = None
    ) -> builtins.list[VideoStream]:
        return await self._pages.read(
            (linked_session_id, limit, after_id),
            lambda uow: uow.streams.list(linked_session_id=linked_session_id, limit=limit, after_id=after_id),
        )

    async def get(self, stream_id: str) -> VideoStream:
        found = await self._store.run(lambda uow: uow.streams.get(stream_id))
        if found is None:
            raise NotFoundError(f"no video stream {stream_id!r} in profile '{self._profile}'")
        return found

    async def create(
        self,
        name: str,
        url: str,
        *,
        linked_session_id: str | None = None,
        enabled: bool = True,
        actor: str = actors.OPERATOR,
    ) -> VideoStream:
        sid = new_stream_id()
        detail: dict[str, Any] = {"name": name, "url": url, "linked_session_id": linked_session_id, "enabled": enabled}

        def work(uow: UnitOfWork, scope: WriteScope) -> VideoStream:
            clean_name = validate_display_name(name, field="name")
            clean_url = validate_video_url(url)
            if not isinstance(enabled, bool):
                raise InvalidError("enabled must be true or false", field="enabled")
            self._check_name_free(uow, clean_name, None)
            self._check_link(uow, linked_session_id)
            now = self._clock()
            stream = VideoStream(
                id=sid,
                name=clean_name,
                url=clean_url,
                created_at=now,
                updated_at=now,
                linked_session_id=linked_session_id,
                enabled=enabled,
                state=StreamState.IDLE if enabled else StreamState.DISABLED,
            )
            uow.streams.add(stream)
            scope.emit(EventKind.STREAM_CREATED, sid, {"name": clean_name, "url": clean_url})
            return stream

        return await self._audit.write(actor=actor, action="stream.create", target_id=sid, work=work, detail=detail)

    async def update(
        self,
        stream_id: str,
        *,
        name: str = _UNSET,
        url: str = _UNSET,
        linked_session_id: str | None = _UNSET,
        enabled: bool = _UNSET,
        actor: str = actors.OPERATOR,
    ) -> VideoStream:
        """Change what the operator owns; only the fields given change."""
        given: dict[str, Any] = {
            key: value
            for key, value in {
                "name": name,
                "url": url,
                "linked_session_id": linked_session_id,
                "enabled": enabled,
            }.items()
            if value is not _UNSET
        }

        def work(uow: UnitOfWork, scope: WriteScope) -> VideoStream:
            current = uow.streams.get(stream_id)
            if current is None:
                raise NotFoundError(f"no video stream {stream_id!r} in profile '{self._profile}'")
            changes: dict[str, Any] = {}
            if "name" in given:
                changes["name"] = validate_display_name(given["name"], field="name")
                self._check_name_free(uow, changes["name"], stream_id)
            if "url" in given:
                changes["url"] = validate_video_url(given["url"])
            if "linked_session_id" in given:
                self._check_link(uow, given["linked_session_id"])
                changes["linked_session_id"] = given["linked_session_id"]
            if "enabled" in given:
                if not isinstance(given["enabled"], bool):
                    raise InvalidError("enabled must be true or false", field="enabled")
                changes["enabled"] = given["enabled"]
                if not given["enabled"]:
                    changes["state"] = StreamState.DISABLED
                elif current.state is StreamState.DISABLED:
                    changes["state"] = StreamState.IDLE
            scope.detail["changes"] = {k: v for k, v in changes.items() if k != "state"}
            updated = uow.streams.update(replace(current, updated_at=self._clock(), **changes))
            scope.emit(EventKind.STREAM_UPDATED, stream_id, {"name": updated.name, "changed": sorted(given)})
            return updated

        return await self._audit.write(
            actor=actor, action="stream.update", target_id=stream_id, work=work, detail={"requested": given}
        )

    async def delete(self, stream_id: str, *, actor: str = actors.OPERATOR) -> None:
        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            current = uow.streams.get(stream_id)
            if current is None:
                raise NotFoundError(f"no video stream {stream_id!r} in profile '{self._profile}'")
            scope.detail["name"] = current.name
            uow.streams.delete(stream_id)
            scope.emit(EventKind.STREAM_DELETED, stream_id, {"name": current.name})

        await self._audit.write(actor=actor, action="stream.delete", target_id=stream_id, work=work)

    @staticmethod
    def _check_name_free(uow: UnitOfWork, name: str, own_id: str | None) -> None:
        taken = uow.streams.get_by_name(name)
        if taken is not None and taken.id != own_id:
            raise ConflictError(f"stream name '{name}' is already used by stream {taken.id}", holder=taken.id)

    def _check_link(self, uow: UnitOfWork, session_id: str | None) -> None:
        if session_id is None:
            return
        if not isinstance(session_id, str) or uow.sessions.get(session_id) is None:
            raise InvalidError(
                f"linked session {session_id!r} not found in profile '{self._profile}'", field="linked_session_id"
            )


__all__ = ["VideoStreamService"]
