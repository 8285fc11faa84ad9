"""The command line's answers to wrong input, missing things, read-only or damaged profiles and closed pipes:
each an exit code and one line that says what is wrong (real processes, real files)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli
from tests.immutable import immutable


@pytest.fixture
def acme(cli: Cli) -> Cli:
    assert cli.run("profiles", "create", "acme").returncode == 0
    return cli


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert lines, "nothing on stderr"
    assert "Traceback" not in done.stderr
    return lines[-1]


def test_replaying_a_file_that_is_not_a_tlog_says_so_and_what_it_found(acme: Cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("root:x:0:0:root:/root:/bin/bash\n" * 40)
    done = acme.run("replay", str(notes), "--profile", "acme", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["messages"] == 0
    assert "not a tlog" in report["error"] and "text" in report["error"] and f"{notes}" in report["error"]
    line = _last_line(done)
    assert line.startswith("groundstation: error:") and "not a tlog" in line and "text" in line


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_probing_rtp_with_no_sender_times_out_naming_the_port_and_still_prints_json(cli: Cli) -> None:
    port = _free_udp_port()
    url = f"rtp://0.0.0.0:{port}?open_timeout_ms=1000&read_timeout_ms=1000"
    done = cli.run("video", "probe", url, "--seconds", "1", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["state"] == "error"
    assert report["error"].startswith("cannot open")
    assert f"timed out: no RTP/H.264 video arrived on UDP port {port}" in report["error"]
    assert "no frame could be decoded" not in report["error"]
    assert f"UDP port {port}" in _last_line(done)


def test_probing_a_bad_url_prints_json_with_the_error(cli: Cli) -> None:
    done = cli.run("video", "probe", "gopher://camera", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["state"] == "error" and report["error"]
    assert _last_line(done).startswith("groundstation: error:")


_SINCE = ("--since", "2026-01-02T00:00:00Z")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("telemetry", "export", "--profile", "acme", "--session", "ses_x", *_SINCE, "--until", "2026-01-01"),
            "must be earlier than --until",
        ),
        (("audit", "list", "--profile", "acme", "--limit", "-1"), "--limit"),
        (("audit", "list", "--profile", "acme", "--limit", "0"), "--limit"),
        (("serve", "--profile", "acme", "--profile", "acme", "--duration", "1"), "--profile acme is given twice"),
    ],
)
def test_contradictory_or_out_of_range_arguments_exit_2(acme: Cli, args: tuple[str, ...], says: str) -> None:
    done = acme.run(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert says in _last_line(done)


def test_recordings_of_an_unknown_stream_is_an_error_not_an_empty_list(acme: Cli) -> None:
    done = acme.run("recordings", "list", "--profile", "acme", "--stream", "vid_nope")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "vid_nope" in _last_line(done) and "no video stream" in _last_line(done)


def test_a_missing_tls_file_is_named(acme: Cli) -> None:
    missing = "/nonexistent/cert.pem"
    done = acme.run("serve", "--profile", "acme", "--api", "--tls-cert", missing, "--tls-key", missing)
    assert done.returncode == 1
    line = _last_line(done)
    assert f"--tls-cert {missing}" in line and "No such file or directory" in line
    assert "profile 'acme' open" not in done.stderr  # refused before anything started


def test_output_into_a_closed_pipe_ends_quietly_with_141(acme: Cli) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes a byte: every write gets EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "groundstation", "sessions", "list", "--profile", "acme", "--json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=acme.env(),
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 141
    assert done.stderr == ""


def test_audit_list_shows_the_newest_first_unless_asked_for_the_oldest(acme: Cli) -> None:
    for name in ("first", "second", "third"):
        assert acme.run("tokens", "create", "--profile", "acme", "--name", name, "--role", "viewer").returncode == 0
    oldest_first = acme.json("audit", "list", "--profile", "acme", "--oldest-first")
    assert len(oldest_first) >= 3
    assert [e["at"] for e in oldest_first] == sorted(e["at"] for e in oldest_first)
    newest = acme.json("audit", "list", "--profile", "acme", "--limit", "2")
    assert [e["id"] for e in newest] == [e["id"] for e in reversed(oldest_first)][:2]
    oldest = acme.json("audit", "list", "--profile", "acme", "--limit", "1", "--oldest-first")
    assert [e["id"] for e in oldest] == [oldest_first[0]["id"]]


def test_a_truncated_profile_is_called_damaged_in_one_line(acme: Cli) -> None:
    db = acme.home / "profiles" / "acme" / "profile.db"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 20])
    for args in (("sessions", "list", "--profile", "acme"), ("serve", "--profile", "acme", "--duration", "1")):
        done = acme.run(*args)
        assert done.returncode == 1
        line = _last_line(done)
        assert line == (
            f"groundstation: error: cannot open {db}: the file is damaged (truncated or not a SQLite database); "
            "it was left as it is and a copy of it is safe to keep; restore the profile from a backup"
        )
        assert "sqlalche" not in done.stderr and "[SQL:" not in done.stderr
    assert db.stat().st_size == len(data) // 20


@pytest.fixture
def read_only_acme(acme: Cli) -> Iterator[Cli]:
    """acme with its directory and files immutable: read-only even for root, who runs the tests."""
    directory = acme.home / "profiles" / "acme"
    paths = [str(directory / "profile.db"), str(directory / "profile.lock"), str(directory)]
    with immutable(*paths):
        yield acme


def test_a_read_only_profile_is_listed_and_exported_but_not_served(read_only_acme: Cli) -> None:
    cli = read_only_acme
    assert cli.json("sessions", "list", "--profile", "acme") == []
    assert cli.json("audit", "list", "--profile", "acme") == []
    assert cli.json("recordings", "list", "--profile", "acme") == []
    db = cli.home / "profiles" / "acme" / "profile.db"
    for args in (
        ("serve", "--profile", "acme", "--duration", "1", "--no-video"),
        ("tokens", "create", "--profile", "acme", "--name", "ops", "--role", "viewer"),
    ):
        done = cli.run(*args)
        assert done.returncode == 1
        assert _last_line(done) == (
            f"groundstation: error: cannot open {db}: permission denied (the file or its directory is read-only)"
        )
