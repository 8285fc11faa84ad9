"""Who is calling: a bearer token, the profile it belongs to, and whether its role may do what it asks.

Tokens carry no profile name; the profile is found by the token's hash in the profiles this process has
open (remembered per hash after the first success, then re-checked in that profile's database on every
request so that a revocation by another process counts at once). Refusals are recorded where someone can
see them: a revoked token or a role that may not is audited in the token's own profile (actor
``api:<name>``); an unknown token belongs to no profile and is logged. Whatever the outcome, the token
matched is noted in the request's scope for its access record (``access.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from groundstation.api.access import note_token
from groundstation.api.context import ApiProfile, ApiRuntime
from groundstation.domain.actors import api_actor
from groundstation.domain.errors import ForbiddenError, UnauthorizedError
from groundstation.domain.models import ApiToken, Role
from groundstation.services.tokens import Authentication, hash_token, looks_like_token

log = logging.getLogger(__name__)

_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}
_OWNER_CACHE_MAX = 10_000

bearer = HTTPBearer(auto_error=False, description="A token from `groundstation tokens create`.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: the tenant it acts in and the token that speaks for it."""

    profile: ApiProfile
    token: ApiToken

    @property
    def actor(self) -> str:
        return api_actor(self.token.name)

    def may(self, role: Role) -> bool:
        return _RANK[self.token.role] >= _RANK[role]


@dataclass(frozen=True, slots=True)
class Presented:
    """A presented token matched to a record (possibly revoked) in one profile."""

    profile: ApiProfile
    token: ApiToken


class TokenResolver:
    def __init__(self, runtime: ApiRuntime) -> None:
        self._runtime = runtime
        self._owner: dict[str, str] = {}

    async def find(self, secret: str) -> Presented | None:
        if not looks_like_token(secret):
            return None
        key = hash_token(secret)
        profiles = dict(self._runtime.profiles)
        owner = self._owner.get(key)
        if owner is not None and owner in profiles:
            found = await _authenticate(profiles[owner], secret)
            if found is not None:
                return found
            self._owner.pop(key, None)
        results = await asyncio.gather(*(_authenticate(p, secret) for p in profiles.values()))
        for found in results:
            if found is not None:
                if len(self._owner) >= _OWNER_CACHE_MAX:
                    self._owner.clear()
                self._owner[key] = found.profile.name
                return found
        return None

    async def authenticate(self, secret: str | None, *, method: str, path: str, client: str) -> Caller:
        """The caller a token speaks for, or UnauthorizedError (audited in the token's profile if known)."""
        found = await self.find(secret) if secret else None
        return await self.admit(secret, found, method=method, path=path, client=client)

    async def admit(
        self, secret: str | None, found: Presented | None, *, method: str, path: str, client: str
    ) -> Caller:
        """``authenticate`` for a token already looked up with ``find`` (the caller also needed the match)."""
        if not secret:
            raise UnauthorizedError("this endpoint needs a bearer token (Authorization: Bearer gs_...)")
        if found is None:
            log.warning("API: refused an unknown token from %s for %s %s", client, method, path)
            raise UnauthorizedError("the token is not valid")
        if found.token.revoked_at is not None:
            await found.profile.audit.record_failure(
                actor=api_actor(found.token.name),
                action="api.auth",
                target_id=found.token.id,
                detail={"reason": "revoked token", "method": method, "path": path, "client": client},
            )
            raise UnauthorizedError("the token was revoked")
        return Caller(found.profile, found.token)


async def _authenticate(profile: ApiProfile, secret: str) -> Presented | None:
    try:
        result: Authentication = await profile.tokens.authenticate(secret)
    except Exception:
        # A profile closing under the request must not turn a valid token of another profile into an error.
        log.debug("token lookup in profile %s failed", profile.name, exc_info=True)
        return None
    return None if result.token is None else Presented(profile, result.token)


def resolver_of(request: Request) -> TokenResolver:
    resolver: TokenResolver = request.app.state.tokens
    return resolver


def client_of(request: Request) -> str:
    return f"{request.client.host}:{request.client.port}" if request.client is not None else "unknown"


def require(role: Role) -> Callable[..., Awaitable[Caller]]:
    """A dependency: the authenticated caller, refused with 401 (no or bad token) or 403 (role too low)."""

    async def dependency(request: Request, credentials: Credentials) -> Caller:
        secret = credentials.credentials if credentials is not None else None
        path = request.url.path
        resolver = resolver_of(request)
        found = await resolver.find(secret) if secret else None
        # The access record of this request (api/access.py) goes to the token's profile, refused or not.
        note_token(request.scope, found.profile if found else None, found.token if found else None)
        caller = await resolver.admit(secret, found, method=request.method, path=path, client=client_of(request))
        if not caller.may(role):
            await caller.profile.audit.record_failure(
                actor=caller.actor,
                action="api.forbidden",
                target_id=None,
                detail={"method": request.method, "path": path, "role": caller.token.role.value, "needs": role.value},
            )
            raise ForbiddenError(f"the role {caller.token.role.value} may not do this; it needs {role.value}")
        return caller

    return dependency


viewer = require(Role.VIEWER)
operator = require(Role.OPERATOR)
admin = require(Role.ADMIN)
