"""Find the line of a value in a TOML document, because ``tomllib`` forgets where values came from.

A scenario author who mistypes a fault name deserves "line 14", not a hunt through the file. This is a
small scanner, not a parser: it finds the n-th ``[[array]]`` header, a key inside that block, an item of
an array value and a key inside an inline table. It copes with comments, quoted strings and values that
span lines; when it cannot follow a path to the end it returns the deepest line it did find.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def _blank_comments(text: str) -> str:
    """The text with every comment replaced by spaces, so offsets and line numbers stay as they were."""
    out: list[str] = []
    for line in text.split("\n"):
        quote: str | None = None
        cut = len(line)
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                cut = i
                break
        out.append(line[:cut] + " " * (len(line) - cut))
    return "\n".join(out)


def format_path(path: Sequence[str | int]) -> str:
    """``("event", 2, "fault")`` as ``event[2].fault``: the name a person finds in the message."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class TomlLocator:
    def __init__(self, text: str) -> None:
        self._text = _blank_comments(text)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The 1-based line of ``path`` (as ``("vehicle", 0, "home", "lat")``), or its deepest found part."""
        text = self._text
        parts = list(path)
        best: int | None = None
        start, end = 0, len(text)
        first_header = _HEADER.search(text)
        if len(parts) >= 2 and isinstance(parts[0], str) and isinstance(parts[1], int):
            header = self._array_header(parts[0], parts[1])
            if header is not None:
                best = self._line(header)
                start = text.index("\n", header) + 1 if "\n" in text[header:] else len(text)
                following = _HEADER.search(text, start)
                end = following.start() if following else len(text)
                parts = parts[2:]
        elif first_header is not None:
            end = first_header.start()
        for part in parts:
            found = self._key(part, start, end) if isinstance(part, str) else self._item(part, start, end)
            if found is None:
                break
            start, end = found
            best = self._line(start)
        return best

    def _line(self, offset: int) -> int:
        return self._text.count("\n", 0, offset) + 1

    def _array_header(self, name: str, index: int) -> int | None:
        pattern = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(name)}[ \t]*\]\]", re.MULTILINE)
        for n, match in enumerate(pattern.finditer(self._text)):
            if n == index:
                return match.start()
        return None

    def _key(self, key: str, start: int, end: int) -> tuple[int, int] | None:
        """Where ``key = value`` sits between ``start`` and ``end``: (start of the key, end of its value)."""
        pattern = re.compile(rf"(?:^|(?<=[\s{{,]))([\"']?){re.escape(key)}\1[ \t]*=[ \t]*", re.MULTILINE)
        match = pattern.search(self._text, start, end)
        if match is None:
            return None
        return match.start(), self._value_end(match.end(), end)

    def _item(self, index: int, start: int, end: int) -> tuple[int, int] | None:
        """The ``index``-th item of the array value that begins at ``start`` (just after ``key =``)."""
        text = self._text
        eq = text.find("=", start, end)
        pos = text.find("[", eq if eq >= 0 else start, end)
        if pos < 0:
            return None
        pos += 1
        count = 0
        while pos < end:
            ch = text[pos]
            if ch in " \t\r\n,":
                pos += 1
                continue
            if ch == "]":
                return None
            item_end = self._value_end(pos, end)
            if count == index:
                return pos, item_end
            count += 1
            pos = max(item_end, pos + 1)
        return None

    def _value_end(self, pos: int, limit: int) -> int:
        """The offset just past the value starting at ``pos``: brackets matched, strings skipped."""
        text = self._text
        if pos >= limit or text[pos] not in "[{":
            newline = text.find("\n", pos, limit)
            comma = text.find(",", pos, limit)
            ends = [e for e in (newline, comma) if e >= 0]
            return min(ends) if ends else limit
        depth = 0
        quote: str | None = None
        i = pos
        while i < limit:
            ch = text[i]
            if quote:
                if ch == "\\" and quote == '"':
                    i += 1
                elif ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return limit
