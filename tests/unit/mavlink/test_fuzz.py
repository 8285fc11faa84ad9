"""Random and mutated bytes into the parser and the link: nothing escapes, the counters move."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from groundstation.adapters.mavlink import MavlinkLink
from groundstation.adapters.mavlink.codec import FrameParser, new_encoder
from groundstation.domain.connections import parse_connection
from groundstation.domain.models import AdapterKind
from tests.conftest import SHARED_DATA
from tests.unit.mavlink.support import RecordingSink


def valid_frames() -> list[bytes]:
    out: list[bytes] = []
    mav = new_encoder(1, 1, out.append)
    mav.heartbeat_send(2, 3, 81, 4, 4)
    mav.attitude_send(1000, 0.1, -0.2, 1.5, 0, 0, 0)
    mav.global_position_int_send(1000, 473977000, 85456000, 500000, 20000, 100, -50, 10, 9000)
    mav.statustext_send(4, b"PreArm: Compass not calibrated")
    mav.sys_status_send(0, 0, 0, 500, 12600, 1500, 80, 0, 0, 0, 0, 0, 0)
    return out


FRAMES = valid_frames()


def mutate(rng: random.Random, frame: bytes) -> bytes:
    data = bytearray(frame)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.5 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.75 and data:
            del data[rng.randrange(len(data)) :]
        else:
            data[rng.randrange(len(data) + 1) : 0] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=300), st.sampled_from(FRAMES)), max_size=20))
def test_parser_never_raises(chunks: list[bytes]) -> None:
    parser = FrameParser()
    for chunk in chunks:
        parser.feed(chunk)
    assert parser.messages >= 0 and parser.bad_frames >= 0


async def test_a_megabyte_of_random_and_mutated_frames_into_a_link() -> None:
    rng = random.Random(20231104)
    sink = RecordingSink()
    link = MavlinkLink("ses_fuzz", parse_connection(AdapterKind.MAVLINK, "udpin://127.0.0.1:9"), sink)
    seed = SHARED_DATA.joinpath("ardusub_small.tlog").read_bytes()[:200_000]
    sent = 0
    while sent < 1_000_000:
        kind = rng.random()
        if kind < 0.3:
            chunk = rng.randbytes(rng.randint(1, 2048))
        elif kind < 0.7:
            chunk = b"".join(mutate(rng, rng.choice(FRAMES)) for _ in range(rng.randint(1, 20)))
        elif kind < 0.85:
            start = rng.randrange(len(seed) - 4096)
            chunk = mutate(rng, seed[start : start + rng.randint(64, 4096)])
        else:
            chunk = b"".join(rng.choice(FRAMES) for _ in range(rng.randint(1, 10)))
        link._on_bytes(chunk)  # the transports' entry point, without a socket in between
        sent += len(chunk)
    stats = link.stats()
    assert stats.messages_in > 1000
    assert stats.bad_frames > 100
    assert stats.bytes_in == sent
    assert not sink.failures
    await link.close()
