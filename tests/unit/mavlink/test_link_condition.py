"""The transport condition reports: one per distinct condition within an outage, in words."""

from __future__ import annotations

import errno
import socket

import pytest

from groundstation.adapters.mavlink.link_condition import (
    ConditionReporter,
    LinkCondition,
    LinkState,
    describe_os_error,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def reporter(*, announce_connect: bool = True) -> tuple[ConditionReporter, list[LinkCondition], Clock]:
    got: list[LinkCondition] = []
    clock = Clock()
    status = ConditionReporter("tcp://10.0.0.5:5760", got.append, announce_connect=announce_connect, clock=clock)
    return status, got, clock


def test_a_long_outage_is_one_lost_and_one_reconnecting_report_however_many_attempts() -> None:
    status, got, clock = reporter()
    assert status.up()
    assert status.lost("connection lost (connection reset by the other end)")
    delay = 0.25
    for _ in range(50):
        status.retrying("connection refused", delay, 5.0)
        delay = min(delay * 2, 5.0)
        clock.now += delay
    assert [c.state for c in got] == [LinkState.CONNECTED, LinkState.LOST, LinkState.RECONNECTING]
    assert got[2].next_try_s == 0.25  # the first failed attempt's delay: the report is not repeated later
    assert status.up()
    assert got[-1].state is LinkState.BACK
    assert got[-1].down_s == pytest.approx(clock.now - 100.0)
    assert not status.up(), "a second 'up' without a loss in between is no news"
    assert len(got) == 4


def test_a_new_reason_within_an_outage_is_news_but_an_old_one_coming_back_is_not() -> None:
    status, got, _ = reporter()
    status.retrying("connection refused", 0.25, 5.0)
    status.retrying("no answer within 10 s", 0.5, 5.0)
    status.retrying("connection refused", 1.0, 5.0)
    status.retrying("no answer within 10 s", 2.0, 5.0)
    assert [c.reason for c in got] == ["connection refused", "no answer within 10 s"]
    assert status.current is not None and status.current.reason == "no answer within 10 s"
    assert status.current.next_try_s == 2.0  # the condition of now, though its report was held back


def test_the_next_outage_is_reported_again() -> None:
    status, got, clock = reporter()
    for _ in range(3):
        status.up()
        status.lost("connection lost (connection reset by the other end)")
        status.lost("connection lost (connection reset by the other end)")
        clock.now += 61
    # CONNECTED, then per outage one LOST and (from the second on) one BACK.
    assert [c.state for c in got] == [
        LinkState.CONNECTED,
        LinkState.LOST,
        LinkState.BACK,
        LinkState.LOST,
        LinkState.BACK,
        LinkState.LOST,
    ]


def test_a_flapping_link_is_reported_once_a_minute_not_once_a_cycle() -> None:
    status, got, clock = reporter()
    for _ in range(120):  # a server that accepts and closes at once, every half second for a minute
        status.up()
        status.lost("connection closed by the other end")
        status.retrying("connection refused", 0.25, 5.0)
        clock.now += 0.5
    assert [c.state for c in got] == [LinkState.CONNECTED, LinkState.LOST, LinkState.RECONNECTING, LinkState.BACK]
    assert status.current is not None and status.current.state is LinkState.RECONNECTING
    status.up()
    status.lost("connection closed by the other end")  # a minute after the first report: news again
    assert [c.state for c in got][-1] is LinkState.LOST
    assert len(got) == 5


def test_a_transport_that_does_not_announce_connecting_still_reports_coming_back() -> None:
    status, got, _ = reporter(announce_connect=False)
    assert not status.up()
    assert got == []
    status.lost("nothing is listening there (ICMP port unreachable)")
    status.up()
    assert [c.state for c in got] == [LinkState.LOST, LinkState.BACK]


@pytest.mark.parametrize("announce_connect", [True, False])
def test_down_before_ever_up_is_reported_and_the_first_up_answers_it(announce_connect: bool) -> None:
    status, got, clock = reporter(announce_connect=announce_connect)
    status.retrying("connection refused", 0.25, 5.0)
    clock.now += 3
    status.up()
    assert [c.text for c in got] == [
        "tcp://10.0.0.5:5760: connection refused (reconnecting, next try in 0.25 s, then every 5 s)",
        "tcp://10.0.0.5:5760: connected",
    ]
    status.lost("connection lost (connection reset by the other end)")
    clock.now += 3
    status.up()
    assert got[-1].text == "tcp://10.0.0.5:5760: connected again after 3 s"


def test_texts_say_what_an_operator_needs() -> None:
    link = "tcp://10.0.0.5:5760"
    assert LinkCondition(link, LinkState.CONNECTED).text == "tcp://10.0.0.5:5760: connected"
    assert (
        LinkCondition(link, LinkState.RECONNECTING, "connection refused", 0.5, 5.0).text
        == "tcp://10.0.0.5:5760: connection refused (reconnecting, next try in 0.5 s, then every 5 s)"
    )
    assert (
        LinkCondition(link, LinkState.RECONNECTING, "connection refused", 2.0, 2.0).text
        == "tcp://10.0.0.5:5760: connection refused (reconnecting, every 2 s)"
    )
    assert LinkCondition("serial /dev/ttyUSB0", LinkState.LOST, "device unplugged").text == (
        "serial /dev/ttyUSB0: device unplugged"
    )
    assert LinkCondition(link, LinkState.BACK, down_s=42.4).text == "tcp://10.0.0.5:5760: connected again after 42 s"
    assert not LinkCondition(link, LinkState.LOST, "x").up and LinkCondition(link, LinkState.BACK).up


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"), "connection refused"),
        (ConnectionRefusedError(10061, "WSAECONNREFUSED"), "connection refused"),  # Windows' code, same words
        (ConnectionResetError(errno.ECONNRESET, "reset"), "connection reset by the other end"),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "host unreachable"),
        (OSError(errno.EIO, "Input/output error"), "input/output error"),
        (TimeoutError(), "no answer (timed out)"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "cannot resolve the host name"),
        (OSError(errno.EPROTO, "Protocol error."), "Protocol error"),
    ],
)
def test_os_errors_in_words(exc: OSError, words: str) -> None:
    assert describe_os_error(exc).startswith(words)
