"""Process-wide claims on operating-system endpoints (UDP/TCP ports, serial devices, DJI gateways).

Profiles are separate databases, but they share one process and one network stack: two profiles must not
both listen on UDP 14550. The claim is taken before a link opens, so the loser gets a conflict that names
the holder instead of an "address already in use" from deep inside an adapter.

One endpoint may carry several vehicles (a MAVLink radio, a router's UDP port), each its own session: such
sessions share the claim when all of them come from the same profile and adapter and their endpoint is
shareable (``ConnectionSpec.shares_endpoint``); the adapter then shares the socket among them. Any other
claimant is refused, naming the first holder.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundstation.domain.errors import ConflictError
from groundstation.domain.models import AdapterKind


@dataclass(frozen=True, slots=True)
class EndpointHolder:
    profile: str
    session_id: str
    session_name: str
    adapter: AdapterKind | None = None
    shareable: bool = False

    def describe(self) -> str:
        return f"session '{self.session_name}' ({self.session_id}) of profile '{self.profile}'"

    def may_share_with(self, other: EndpointHolder) -> bool:
        return (
            self.shareable
            and other.shareable
            and self.adapter is not None
            and self.adapter == other.adapter
            and self.profile == other.profile
        )


class EndpointRegistry:
    def __init__(self) -> None:
        # endpoint key -> session id -> holder, in claim order (the first holder is the one named).
        self._claims: dict[str, dict[str, EndpointHolder]] = {}

    def claim(self, endpoint_key: str, holder: EndpointHolder) -> None:
        holders = self._claims.get(endpoint_key, {})
        for current in holders.values():
            if current.session_id != holder.session_id and not holder.may_share_with(current):
                raise ConflictError(
                    f"endpoint {endpoint_key} is held by {current.describe()}", holder=current.session_id
                )
        self._claims.setdefault(endpoint_key, {})[holder.session_id] = holder

    def release(self, endpoint_key: str, session_id: str) -> None:
        holders = self._claims.get(endpoint_key)
        if holders is not None:
            holders.pop(session_id, None)
            if not holders:
                del self._claims[endpoint_key]

    def holder(self, endpoint_key: str) -> EndpointHolder | None:
        """The first session holding the endpoint, or None."""
        holders = self._claims.get(endpoint_key)
        return next(iter(holders.values())) if holders else None

    def holders(self, endpoint_key: str) -> list[EndpointHolder]:
        return list(self._claims.get(endpoint_key, {}).values())
