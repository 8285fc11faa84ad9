"""Opaque identifiers with a prefix that tells a person what kind of record an id names."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def session_id() -> str:
    return new_id("ses")


def stream_id() -> str:
    return new_id("vid")


def audit_id() -> str:
    return new_id("aud")


def event_id() -> str:
    return new_id("evt")


def recording_id() -> str:
    return new_id("rec")
