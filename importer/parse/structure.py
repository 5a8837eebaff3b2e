"""Splitting a directive's text into numbered items, lettered sub-items, preamble and closing."""

import re

from .lexicon import fold_chars

_NUMBERED = re.compile(r"^(\d{1,2})\s?[.)/]\s*(?=\S)")
_LETTERED = re.compile(r"^([a-zđ])\s?\)\s*(?=\S)")
_CLOSING = re.compile(
    r"^(?:giam doc|thu truong|chu tich (?:ubnd|uy ban)|yeu cau|cac so, ban, nganh|noi nhan"
    r"|kt\.? chu tich|tm\.? uy ban|chi thi nay)"
)


def _lines(text: str) -> list[tuple[int, int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line), line))
        pos += len(line) + 1
    return out


def split(text: str) -> tuple[list[dict], int, int, list[dict]]:
    """Items (with content spans), end of the preamble, start of the closing, warnings."""
    lines = _lines(text)
    markers = []  # (line index, number label, letter or None, content start)
    last, seen, warnings = 0, set(), []
    parent = ""  # the label of the last numbered item
    for i, (start, _end, line) in enumerate(lines):
        found = _NUMBERED.match(line)
        if found:
            n = int(found.group(1))
            if (last == 0 and n == 1) or (last and last <= n <= last + 2):
                label = str(n)
                if label in seen:
                    label = f"{n}-2"
                    warnings.append({"code": "duplicate_number", "item": label, "text": line[:40]})
                seen.add(label)
                last, parent = n, label
                markers.append((i, label, None, start + found.end()))
                continue
        found = _LETTERED.match(line)
        if found and last:
            label = f"{parent}.{found.group(1)}"
            if label in seen:
                label += "2"
                warnings.append({"code": "duplicate_letter", "item": label, "text": line[:40]})
            seen.add(label)
            markers.append((i, label, parent, start + found.end()))
    if not markers:
        return [], len(text), len(text), warnings
    closing_line = len(lines)
    for i in range(markers[-1][0] + 1, len(lines)):
        if _CLOSING.match(fold_chars(lines[i][2])):
            closing_line = i
            break
    items = []
    for k, (_i, label, parent, content_start) in enumerate(markers):
        last_line = (markers[k + 1][0] if k + 1 < len(markers) else closing_line) - 1
        end = lines[last_line][1]
        while end > content_start and text[end - 1] in "\n ":
            end -= 1
        items.append({"number": label, "parent": parent, "span": [content_start, end]})
    preamble_end = lines[markers[0][0]][0]
    closing_start = lines[closing_line][0] if closing_line < len(lines) else len(text)
    return items, preamble_end, closing_start, warnings
