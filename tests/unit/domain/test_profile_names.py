"""The profile-name rule is the only gate between typed text and a directory: test it exhaustively."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundstation.domain.errors import InvalidError
from groundstation.domain.profiles import is_valid_profile_name, validate_profile_name

RULE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


@given(st.text(max_size=80))
def test_any_text_is_accepted_exactly_when_it_matches_the_rule(name: str) -> None:
    expected = RULE.fullmatch(name) is not None and "\n" not in name and name not in RESERVED
    assert is_valid_profile_name(name) is expected


@given(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,63}", fullmatch=True))
def test_valid_names_are_single_safe_path_components(name: str) -> None:
    if name in RESERVED:
        return
    assert validate_profile_name(name) == name
    for forbidden in ("/", "\\", "..", ":"):
        assert forbidden not in name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "..",
        ".",
        "../etc",
        "a/b",
        "a\\b",
        "Demo",
        "-x",
        "_x",
        "a" * 65,
        "con",
        "COM1",
        "lpt9",
        "c:",
        "demo\n",
        " demo",
        "dé",
        "a.b",
        "a b",
    ],
)
def test_bad_names_are_refused_with_a_reason(name: str) -> None:
    with pytest.raises(InvalidError) as info:
        validate_profile_name(name)
    assert info.value.field == "profile"
    assert "profile name" in info.value.message


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidError):
        validate_profile_name(None)
