"""Process-wide claims on operating-system endpoints (UDP/TCP ports, serial devices, DJI gateways).

Profiles are separate databases, but they share one process and one network stack: two profiles must not
both listen on UDP 14550. The claim is taken before a link opens, so the loser gets a conflict that names
the holder instead of an "address already in use" from deep inside an adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

from groundstation.domain.errors import ConflictError


@dataclass(frozen=True, slots=True)
class EndpointHolder:
    profile: str
    session_id: str
    session_name: str

    def describe(self) -> str:
        return f"session '{self.session_name}' ({self.session_id}) of profile '{self.profile}'"


class EndpointRegistry:
    def __init__(self) -> None:
        self._claims: dict[str, EndpointHolder] = {}

    def claim(self, endpoint_key: str, holder: EndpointHolder) -> None:
        current = self._claims.get(endpoint_key)
        if current is not None and current.session_id != holder.session_id:
            raise ConflictError(f"endpoint {endpoint_key} is held by {current.describe()}", holder=current.session_id)
        self._claims[endpoint_key] = holder

    def release(self, endpoint_key: str, session_id: str) -> None:
        current = self._claims.get(endpoint_key)
        if current is not None and current.session_id == session_id:
            del self._claims[endpoint_key]

    def holder(self, endpoint_key: str) -> EndpointHolder | None:
        return self._claims.get(endpoint_key)
