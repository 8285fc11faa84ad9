"""Who performs a write, as the audit log names them."""

from __future__ import annotations

OPERATOR = "operator"
SYSTEM = "system"


def api_actor(token_name: str) -> str:
    return f"api:{token_name}"
