"""API tokens of a profile: issued once, stored as hashes, checked on every request, revoked for good.

A token is ``gs_`` and 32 random bytes (256 bits) in URL-safe base64. It names no profile: the server finds
the profile by the hash, so a leaked token says nothing about the tenant it belongs to. Only the SHA-256 of
the token is stored. A slow password hash (bcrypt, argon2) exists to make guessing low-entropy passwords
expensive; a 256-bit random secret cannot be guessed whatever the hash costs, so the slow hash would only
spend ~100 ms of CPU on every request and, being salted, would rule out finding the token by an index.

A token is looked up in the database (one indexed lookup) and a valid one is then remembered for
``AUTH_CACHE_S`` (one second), so that a client polling the API does not put a database read in front of
every request. A revocation through this service (hence through this process) counts from the next
request; a token revoked by another process (``groundstation tokens`` beside a running server) is refused
at the latest ``AUTH_CACHE_S`` later. A token created anywhere counts from the next request (only
successes are remembered).
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from groundstation.domain import actors
from groundstation.domain.errors import InvalidError, NotFoundError
from groundstation.domain.ids import new_id
from groundstation.domain.models import ApiToken, Role
from groundstation.domain.names import validate_display_name
from groundstation.domain.ports import ChangeCountingStore, Clock, ProfileStore, UnitOfWork
from groundstation.services.audit import AuditService, WriteScope

TOKEN_PREFIX = "gs_"
# ``last_used_at`` is bookkeeping for ``tokens list``: refreshed at most this often, so that reads through
# the API do not each become a database write.
TOUCH_INTERVAL = timedelta(seconds=60)
# How long a successful authentication is remembered (see the module's docstring): the longest a token
# revoked by another process may still be accepted.
AUTH_CACHE_S = 1.0
_AUTH_CACHE_MAX = 10_000


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_token(secret: str) -> bool:
    """A cheap shape check, so garbage never costs a database lookup."""
    return secret.startswith(TOKEN_PREFIX) and 20 <= len(secret) <= 200 and secret.isascii()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """What ``create`` returns: the stored record and the secret, which exists nowhere else."""

    token: ApiToken
    secret: str


@dataclass(frozen=True, slots=True)
class Authentication:
    """The outcome of presenting a token: the record if one matched, and whether it may be used."""

    token: ApiToken | None

    @property
    def valid(self) -> bool:
        return self.token is not None and self.token.revoked_at is None


class TokenService:
    def __init__(
        self,
        *,
        store: ProfileStore,
        audit: AuditService,
        clock: Clock,
        auth_cache_s: float = AUTH_CACHE_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock
        self._auth_cache_s = auth_cache_s
        self._monotonic = monotonic
        self._counter = store if isinstance(store, ChangeCountingStore) else None
        # token hash -> (remembered until, the store's change count of tokens then, the valid token)
        self._valid: dict[str, tuple[float, int | None, ApiToken]] = {}

    async def create(self, name: str, role: Role | str, *, actor: str = actors.OPERATOR) -> IssuedToken:
        detail = {"name": name, "role": str(role)}
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)

        def work(uow: UnitOfWork, scope: WriteScope) -> ApiToken:
            clean = validate_display_name(name, field="name")
            try:
                kind = Role(role)
            except ValueError:
                raise InvalidError(
                    f"unknown role {role!r} (expected one of {', '.join(r.value for r in Role)})", field="role"
                ) from None
            token = ApiToken(
                id=new_id("tok"), name=clean, role=kind, token_hash=hash_token(secret), created_at=self._clock()
            )
            uow.tokens.add(token)
            scope.detail["token_id"] = token.id
            return token

        token = await self._audit.write(actor=actor, action="token.create", target_id=None, work=work, detail=detail)
        return IssuedToken(token, secret)

    async def list(self) -> builtins.list[ApiToken]:
        return await self._store.run(lambda uow: uow.tokens.list())

    async def revoke(self, name_or_id: str, *, actor: str = actors.OPERATOR) -> ApiToken:
        """Revoke by name or id; revoking a revoked token changes nothing and is not an error."""

        def work(uow: UnitOfWork, scope: WriteScope) -> ApiToken:
            token = uow.tokens.get_by_name(name_or_id) or uow.tokens.get(name_or_id)
            if token is None:
                raise NotFoundError(f"no token {name_or_id!r} in profile '{self._store.profile.name}'")
            scope.detail["name"] = token.name
            if token.revoked_at is not None:
                scope.nothing_changed()
                return token
            now = self._clock()
            self._valid.pop(token.token_hash, None)
            uow.tokens.revoke(token.id, now)
            return ApiToken(
                token.id, token.name, token.role, token.token_hash, token.created_at, now, token.last_used_at
            )

        revoked = await self._audit.write(actor=actor, action="token.revoke", target_id=name_or_id, work=work)
        self._valid.pop(revoked.token_hash, None)
        return revoked

    async def authenticate(self, secret: str) -> Authentication:
        """Find the token ``secret`` hashes to (revoked ones too, so the caller can audit the attempt)."""
        if not looks_like_token(secret):
            return Authentication(None)
        digest = hash_token(secret)
        remembered = self._valid.get(digest)
        if remembered is not None:
            until, at_count, known = remembered
            if self._monotonic() < until and at_count == self._tokens_changed():
                return Authentication(known)
            self._valid.pop(digest, None)
        now = self._clock()

        def work(uow: UnitOfWork) -> tuple[int | None, ApiToken | None]:
            # The count is taken on the database thread before the read (see ``change_count``); a touch
            # below moves it, so the entry is re-read once, harmlessly, a minute at most.
            count = self._tokens_changed()
            token = uow.tokens.get_by_hash(digest)
            if token is None or token.revoked_at is not None or self._store.read_only:
                return count, token
            if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
                uow.tokens.touch(token.id, now)
            return count, token

        started = self._monotonic()
        found: tuple[int | None, ApiToken | None] = await self._store.run(work)
        count, token = found
        if token is not None and token.revoked_at is None and self._auth_cache_s > 0:
            if len(self._valid) >= _AUTH_CACHE_MAX:
                self._valid.clear()
            self._valid[digest] = (started + self._auth_cache_s, count, token)
        return Authentication(token)

    def _tokens_changed(self) -> int | None:
        return self._counter.change_count("tokens") if self._counter is not None else None


__all__ = ["Authentication", "IssuedToken", "TokenService", "hash_token", "looks_like_token"]
