"""The command line as a user runs it: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli


def test_no_arguments_without_a_display_says_so_in_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    done = cli.run()
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "no display" in done.stderr
    assert "groundstation serve --profile demo --demo" in done.stderr


def test_profiles_create_list_delete(cli: Cli) -> None:
    assert cli.run("profiles", "create", "acme").returncode == 0
    assert (cli.home / "profiles" / "acme" / "profile.db").is_file()
    assert [p["name"] for p in cli.json("profiles", "list")] == ["acme"]
    again = cli.run("profiles", "create", "acme")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    refused = cli.run("profiles", "delete", "acme")
    assert refused.returncode == 1
    assert "--yes" in refused.stderr
    assert (cli.home / "profiles" / "acme").is_dir()
    assert cli.run("profiles", "delete", "acme", "--yes").returncode == 0
    assert cli.json("profiles", "list") == []


@pytest.mark.parametrize(
    "args",
    [
        ("profiles", "create", "../etc"),
        ("profiles", "create", "Bad Name"),
        ("sessions", "list", "--profile", "a/b"),
        ("serve", "--profile", "x", "--duration", "-1"),
        ("audit", "list", "--profile", "x", "--since", "yesterday"),
        ("frobnicate",),
    ],
)
def test_bad_arguments_exit_2_with_one_line_and_no_traceback(cli: Cli, args: tuple[str, ...]) -> None:
    done = cli.run(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert not (cli.home / "etc").exists()
    assert not (cli.home / "profiles" / "..").resolve().joinpath("etc").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("sessions", "list", "--profile", "nobody"),
        ("audit", "list", "--profile", "nobody"),
        ("serve", "--profile", "nobody", "--duration", "1"),
        ("telemetry", "export", "--profile", "nobody", "--session", "ses_x"),
    ],
)
def test_failures_exit_1_with_one_clear_line(cli: Cli, args: tuple[str, ...]) -> None:
    done = cli.run(*args)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("groundstation: error:")
    assert "nobody" in lines[-1]
    assert "Traceback" not in done.stderr


def test_debug_shows_the_traceback(cli: Cli) -> None:
    done = cli.run("--debug", "sessions", "list", "--profile", "nobody")
    assert done.returncode == 1
    assert "Traceback" in done.stderr


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(cli: Cli) -> None:
    assert cli.run("profiles", "create", "acme").returncode == 0
    db = cli.home / "profiles" / "acme" / "profile.db"
    db.write_bytes(b"these are my field notes, not a database\n" * 10)
    before = db.read_bytes()
    done = cli.run("sessions", "list", "--profile", "acme")
    assert done.returncode == 1
    assert "not a SQLite database" in done.stderr
    done = cli.run("serve", "--profile", "acme", "--duration", "1")
    assert done.returncode == 1
    assert db.read_bytes() == before
