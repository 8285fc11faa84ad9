from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundstation.domain.connections import adapter_for_url, parse_connection
from groundstation.domain.errors import InvalidError
from groundstation.domain.models import AdapterKind


@pytest.mark.parametrize(
    ("adapter", "url", "device", "endpoint"),
    [
        (AdapterKind.FAKE, "fake://alpha?seed=3", "fake:alpha", None),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:14550", "udpin:14550", "udp:14550"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:14550?sysid=3", "udpin:14550#sysid=3", "udp:14550"),
        (AdapterKind.MAVLINK, "udpout://10.0.0.2:14555", "udpout:10.0.0.2:14555", None),
        (AdapterKind.MAVLINK, "tcp://127.0.0.1:5760", "tcp:127.0.0.1:5760", "tcp:127.0.0.1:5760"),
        (AdapterKind.MAVLINK, "serial:///dev/ttyUSB0?baud=57600", "serial:/dev/ttyUSB0", "serial:/dev/ttyUSB0"),
        (AdapterKind.MAVLINK, "tlog:///data/a.tlog?speed=max", "tlog:/data/a.tlog", None),
        (AdapterKind.DJI, "dji://4TADK8C001?broker=mqtt://127.0.0.1:1883", "dji:4TADK8C001", "dji-gateway:4TADK8C001"),
    ],
)
def test_urls_give_the_keys_the_conflict_rules_compare(
    adapter: AdapterKind, url: str, device: str, endpoint: str | None
) -> None:
    spec = parse_connection(adapter, url)
    assert spec.device_key == device
    assert spec.endpoint_key == endpoint
    assert adapter_for_url(url) is adapter


def test_two_hosts_on_one_udp_port_are_the_same_endpoint() -> None:
    a = parse_connection(AdapterKind.MAVLINK, "udpin://0.0.0.0:14550")
    b = parse_connection(AdapterKind.MAVLINK, "udpin://127.0.0.1:14550")
    assert a.endpoint_key == b.endpoint_key


@pytest.mark.parametrize(
    ("adapter", "url", "words"),
    [
        (AdapterKind.FAKE, "", "empty"),
        (AdapterKind.FAKE, "alpha", "no scheme"),
        (AdapterKind.FAKE, "udpin://0.0.0.0:14550", "FAKE sessions take fake://"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0", "needs a port"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:99999", "port"),
        (AdapterKind.MAVLINK, "udpin://:14550", "needs a host"),
        (AdapterKind.MAVLINK, "udpin://0.0.0.0:14550?sysid=300", "sysid"),
        (AdapterKind.MAVLINK, "serial://", "names a device"),
        (AdapterKind.MAVLINK, "serial:///dev/ttyUSB0?baud=fast", "baud"),
        (AdapterKind.MAVLINK, "tlog:///a.tlog?speed=-1", "speed"),
        (AdapterKind.DJI, "dji://", "gateway serial"),
        (AdapterKind.FAKE, "fake://", "names one vehicle"),
    ],
)
def test_bad_urls_are_refused_with_the_field_and_a_reason(adapter: AdapterKind, url: str, words: str) -> None:
    with pytest.raises(InvalidError) as info:
        parse_connection(adapter, url)
    assert info.value.field == "connection.url"
    assert words in info.value.message


def test_unknown_scheme_has_no_adapter() -> None:
    with pytest.raises(InvalidError, match="unknown connection scheme 'ftp'"):
        adapter_for_url("ftp://x")


@pytest.mark.parametrize(
    "url",
    [
        "udpin://[::1:14550",
        "udpin://0.0.0.0:14550?sysid=\u00b2",
        "serial:///dev/ttyS0?baud=\u0663",
        "tcp://h:\uff11\uff12",
    ],
)
def test_malformed_urls_are_invalid_not_a_crash(url: str) -> None:
    adapter = AdapterKind.MAVLINK
    with pytest.raises(InvalidError):
        parse_connection(adapter, url)


@given(st.text(max_size=60))
def test_any_text_gives_a_spec_or_invalid(text: str) -> None:
    for adapter in AdapterKind:
        for url in (text, f"udpin://{text}", f"fake://{text}", f"tcp://{text}", f"serial://{text}"):
            with contextlib.suppress(InvalidError):
                parse_connection(adapter, url)
