"""Opaque page cursors for lists read in time order (the audit log, a session's telemetry history).

A cursor names a position in the order ``(time, tie-break)``: for the audit log the entry's ``(at, id)``;
for telemetry, whose samples have no id outside storage, ``(time, n)``: n samples at exactly ``time`` were
already returned (so a page that ends inside a run of equal times resumes after those, with no gap and no
repeat). It also names its list and its order, so a cursor of one is a 422 on another. The text is base64url
of ``<list>.<order>.<microseconds since 1970 UTC>.<key>``: opaque to clients, who pass back the
``next_cursor`` they were given; anything else is a 422 naming ``cursor``, like every paged route.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta
from typing import Literal

from groundstation.domain.errors import InvalidError

Order = Literal["asc", "desc"]
ORDER_DESCRIPTION = "`asc` oldest first (the default), `desc` newest first; `next_cursor` pages on in that order"
CURSOR_DESCRIPTION = "`next_cursor` of the previous page, read with the same `order`"
MAX_CURSOR_LENGTH = 200

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_PAYLOAD = re.compile(r"(audit|telemetry)\.(asc|desc)\.(-?[0-9]{1,19})\.([A-Za-z0-9_-]{1,64})")
_TEXT = re.compile(r"[A-Za-z0-9_-]{1,200}")
_COUNT = re.compile(r"[0-9]{1,9}")


def _refuse(reason: str = "") -> InvalidError:
    return InvalidError(
        "cursor is not a next_cursor this API gave" + reason + "; leave it out to start from the first page",
        field="cursor",
    )


def encode(kind: str, order: Order, at: datetime, key: str) -> str:
    payload = f"{kind}.{order}.{(at - _EPOCH) // _US}.{key}"
    return base64.urlsafe_b64encode(payload.encode("ascii")).decode("ascii").rstrip("=")


def _decode(text: str, kind: str, order: Order) -> tuple[datetime, str]:
    if not _TEXT.fullmatch(text):  # b64decode would skip characters outside the alphabet
        raise _refuse()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _refuse() from None
    match = _PAYLOAD.fullmatch(raw)
    if match is None or match[1] != kind:
        raise _refuse()
    if match[2] != order:
        raise _refuse(f" for order={order} (it pages order={match[2]})")
    try:
        at = _EPOCH + int(match[3]) * _US
    except OverflowError:
        raise _refuse() from None
    return at, match[4]


def audit_position(text: str | None, order: Order) -> tuple[datetime, str] | None:
    """``(at, id)`` of the last entry of the previous page."""
    if text is None or text == "":
        return None
    return _decode(text, "audit", order)


def audit_cursor(order: Order, at: datetime, entry_id: str) -> str:
    return encode("audit", order, at, entry_id)


def telemetry_position(text: str | None, order: Order) -> tuple[datetime, int] | None:
    """``(time, n)``: the previous pages returned n samples at exactly ``time``, the last page's last time."""
    if text is None or text == "":
        return None
    at, count = _decode(text, "telemetry", order)
    if not _COUNT.fullmatch(count) or int(count) < 1:
        raise _refuse()
    return at, int(count)


def telemetry_cursor(order: Order, page_times: list[datetime], previous: tuple[datetime, int] | None) -> str:
    """The position after a page whose samples have ``page_times`` (in the page's order, not empty)."""
    last = page_times[-1]
    seen = sum(1 for t in page_times if t == last)
    if previous is not None and previous[0] == last:
        seen += previous[1]  # the run of equal times began on an earlier page
    return encode("telemetry", order, last, str(seen))
