"""The endpoint claim: shared by sessions of one profile and adapter on a shareable endpoint, else exclusive."""

from __future__ import annotations

import pytest

from groundstation.domain.errors import ConflictError
from groundstation.domain.models import AdapterKind
from groundstation.services.endpoints import EndpointHolder, EndpointRegistry


def holder(
    sid: str, *, profile: str = "ops", adapter: AdapterKind | None = AdapterKind.MAVLINK, shareable: bool = True
) -> EndpointHolder:
    return EndpointHolder(profile, sid, f"name {sid}", adapter=adapter, shareable=shareable)


def test_sessions_of_one_profile_and_adapter_share_a_shareable_endpoint() -> None:
    registry = EndpointRegistry()
    registry.claim("udp:14550", holder("a"))
    registry.claim("udp:14550", holder("b"))
    assert [h.session_id for h in registry.holders("udp:14550")] == ["a", "b"]
    registry.release("udp:14550", "a")
    assert registry.holder("udp:14550") == holder("b")
    registry.release("udp:14550", "b")
    assert registry.holder("udp:14550") is None and registry.holders("udp:14550") == []


@pytest.mark.parametrize(
    "intruder",
    [
        holder("x", profile="other"),
        holder("x", adapter=AdapterKind.DJI),
        holder("x", adapter=None),
        holder("x", shareable=False),
    ],
)
def test_another_profile_adapter_or_an_exclusive_claim_is_refused_naming_the_first_holder(
    intruder: EndpointHolder,
) -> None:
    registry = EndpointRegistry()
    registry.claim("udp:14550", holder("a"))
    registry.claim("udp:14550", holder("b"))
    with pytest.raises(ConflictError, match="session 'name a'") as info:
        registry.claim("udp:14550", intruder)
    assert info.value.holder == "a"
    assert [h.session_id for h in registry.holders("udp:14550")] == ["a", "b"]


def test_an_exclusive_holder_refuses_even_its_own_profile() -> None:
    registry = EndpointRegistry()
    registry.claim("dji-gateway:GW1", holder("a", adapter=AdapterKind.DJI, shareable=False))
    with pytest.raises(ConflictError):
        registry.claim("dji-gateway:GW1", holder("b", adapter=AdapterKind.DJI, shareable=False))
    registry.claim("dji-gateway:GW1", holder("a", adapter=AdapterKind.DJI, shareable=False))  # a re-claim is fine
