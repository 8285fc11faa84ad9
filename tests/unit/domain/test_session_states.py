from __future__ import annotations

import pytest

from groundstation.domain.models import SessionState as S

ALLOWED = {
    (S.STARTING, S.ACTIVE),
    (S.STARTING, S.LINK_LOST),  # nothing heard within the link timeout of opening
    (S.STARTING, S.STOPPING),
    (S.STARTING, S.FAILED),
    (S.STARTING, S.INTERRUPTED),
    (S.ACTIVE, S.LINK_LOST),
    (S.ACTIVE, S.STOPPING),
    (S.ACTIVE, S.FAILED),
    (S.ACTIVE, S.INTERRUPTED),
    (S.LINK_LOST, S.ACTIVE),
    (S.LINK_LOST, S.STOPPING),
    (S.LINK_LOST, S.FAILED),
    (S.LINK_LOST, S.INTERRUPTED),
    (S.STOPPING, S.STOPPED),
    (S.STOPPING, S.FAILED),
    (S.STOPPING, S.INTERRUPTED),
    (S.STOPPED, S.STARTING),
    (S.FAILED, S.STARTING),
    (S.INTERRUPTED, S.STARTING),
    (S.INTERRUPTED, S.STOPPED),
}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_transition_is_allowed_or_refused_as_designed(source: S, target: S) -> None:
    assert source.can_become(target) is ((source, target) in ALLOWED)


def test_live_states_hold_devices() -> None:
    assert {s for s in S if s.is_live} == {S.STARTING, S.ACTIVE, S.LINK_LOST, S.STOPPING}
