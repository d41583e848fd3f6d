"""The Unicode bidirectional algorithm (UAX #9) for one line of plain text, with mirroring.

Pillow's basic layout draws characters left to right as given. Its raqm layout would do this
work, but Pillow's wheels load FriBiDi from the system and a plain ``pip install`` on a machine
without libfribidi has no raqm. python-bidi 0.5+ (Rust) reorders but skips rule L4, so brackets
in Arabic text come out facing the wrong way (python-bidi issue #25). Answers carry no explicit
embeddings, so this covers the implicit rules: W1-W7, N0 (paired brackets), N1-N2, I1-I2, L1,
L2 and L4, plus isolates (``bot.i18n.isolate``), each laid out on its own as one neutral
character of the line around it. Embeddings and overrides are dropped.
"""

from __future__ import annotations

import unicodedata

_EXPLICIT = frozenset("\u202a\u202b\u202c\u202d\u202e")
_ISOLATES = {"\u2066": 0, "\u2067": 1, "\u2068": None}  # LRI, RLI, FSI: the direction inside
_PDI = "\u2069"
_PLACEHOLDER = "\ufffc"  # a neutral character (class ON) that stands for an isolate in the outer line
_MARKS = frozenset("\u200e\u200f\u061c")  # LRM, RLM, ALM: steer the algorithm, drawn as nothing
_OPENING = {"(": ")", "[": "]", "{": "}", "\u2045": "\u2046", "\u207d": "\u207e", "\u208d": "\u208e"}
_CLOSING = {close: open_ for open_, close in _OPENING.items()}
_PAIRS = "()[]{}<>«»‹›⁅⁆⁽⁾₍₎≤≥"
MIRROR = {a: b for a, b in zip(_PAIRS[0::2], _PAIRS[1::2], strict=True)} | {
    b: a for a, b in zip(_PAIRS[0::2], _PAIRS[1::2], strict=True)
}
_STRONG_R = frozenset({"R", "EN", "AN"})  # numbers count as right-to-left for the neutral rules
_NEUTRAL = frozenset({"B", "S", "WS", "ON", "BN"})


def base_level(text: str) -> int:
    """0 (left to right) or 1 (right to left): the direction of the first strong character (P2, P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return 0
        if kind in ("R", "AL"):
            return 1
    return 0


def _weak_types(types: list[str], sos: str) -> None:
    """Rules W1 to W7, in place."""
    prev = sos
    for i, kind in enumerate(types):  # W1: a mark takes the type of what it sits on
        if kind == "NSM":
            types[i] = prev
        prev = types[i]
    strong = sos
    for i, kind in enumerate(types):  # W2: European digits after Arabic letters are Arabic numbers
        if kind in ("L", "R", "AL"):
            strong = kind
        elif kind == "EN" and strong == "AL":
            types[i] = "AN"
    for i, kind in enumerate(types):  # W3
        if kind == "AL":
            types[i] = "R"
    for i in range(1, len(types) - 1):  # W4: one separator between two numbers of a kind
        before, kind, after = types[i - 1], types[i], types[i + 1]
        if kind == "ES" and before == after == "EN":
            types[i] = "EN"
        elif kind == "CS" and before == after and before in ("EN", "AN"):
            types[i] = before
    i = 0
    while i < len(types):  # W5: currency and percent signs next to European digits
        if types[i] != "ET":
            i += 1
            continue
        end = i
        while end < len(types) and types[end] == "ET":
            end += 1
        if (i > 0 and types[i - 1] == "EN") or (end < len(types) and types[end] == "EN"):
            types[i:end] = ["EN"] * (end - i)
        i = end
    for i, kind in enumerate(types):  # W6
        if kind in ("ES", "ET", "CS"):
            types[i] = "ON"
    strong = sos
    for i, kind in enumerate(types):  # W7: European digits in left-to-right text are left to right
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            types[i] = "L"


def _direction(kind: str) -> str | None:
    if kind == "L":
        return "L"
    if kind in _STRONG_R:
        return "R"
    return None


def _bracket_pairs(text: str, types: list[str]) -> list[tuple[int, int]]:
    """BD16: matching bracket pairs among the neutral brackets, sorted by the opening one."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, char in enumerate(text):
        if types[i] != "ON":
            continue
        if char in _OPENING:
            if len(stack) == 63:
                break
            stack.append((_OPENING[char], i))
        elif char in _CLOSING:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == char:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    return sorted(pairs)


def _paired_brackets(text: str, types: list[str], sos: str, embedding: str) -> None:
    """N0: a bracket pair takes the direction of the text it encloses, in place."""
    for start, end in _bracket_pairs(text, types):
        inside = {_direction(kind) for kind in types[start + 1 : end]} - {None}
        if not inside:
            continue
        if embedding in inside:
            resolved = embedding
        else:  # only the opposite direction inside: it wins when the text before the pair has it too
            resolved = next((d for d in map(_direction, reversed(types[:start])) if d), sos)
        types[start] = types[end] = resolved


def _neutral_types(types: list[str], sos: str, eos: str, embedding: str) -> None:
    """N1 and N2, in place: runs of neutrals between two strong types of one direction take it."""
    i = 0
    while i < len(types):
        if types[i] not in _NEUTRAL:
            i += 1
            continue
        end = i
        while end < len(types) and types[end] in _NEUTRAL:
            end += 1
        before = _direction(types[i - 1]) if i > 0 else sos
        after = _direction(types[end]) if end < len(types) else eos
        resolved = before if before == after else embedding
        types[i:end] = [resolved] * (end - i)
        i = end


def levels(text: str, base: int) -> list[int]:
    """The resolved embedding level of each character of one line."""
    types = [unicodedata.bidirectional(c) or "L" for c in text]
    sos = eos = "R" if base else "L"
    _weak_types(types, sos)
    _paired_brackets(text, types, sos, sos)
    _neutral_types(types, sos, eos, sos)
    result = []
    for kind in types:  # I1, I2
        if base == 0:
            result.append(1 if kind == "R" else 2 if kind in ("AN", "EN") else 0)
        else:
            result.append(2 if kind in ("L", "AN", "EN") else 1)
    original = [unicodedata.bidirectional(c) for c in text]
    i = len(text)
    while i > 0 and original[i - 1] in ("WS", "S", "B"):  # L1: trailing white space at the line's level
        i -= 1
        result[i] = base
    return result


def _split_isolates(text: str) -> tuple[str, dict[int, str]]:
    """The line with each outermost isolate replaced by a placeholder, and the isolates drawn on
    their own, by the placeholder's position."""
    outer: list[str] = []
    pieces: dict[int, str] = {}
    depth, start, direction = 0, 0, None
    for i, char in enumerate(text):
        if char in _ISOLATES:
            if depth == 0:
                start, direction = i + 1, _ISOLATES[char]
            depth += 1
        elif char == _PDI and depth:
            depth -= 1
            if depth == 0:
                pieces[len(outer)] = visual(text[start:i], direction)
                outer.append(_PLACEHOLDER)
        elif depth == 0 and char != _PDI:  # a stray PDI outside any isolate is dropped
            outer.append(char)
    if depth:  # an isolate left open runs to the end of the line
        pieces[len(outer)] = visual(text[start:], direction)
        outer.append(_PLACEHOLDER)
    return "".join(outer), pieces


def visual(text: str, base: int | None = None) -> str:
    """One logical line in left-to-right drawing order, mirrored where it runs right to left."""
    text, pieces = _split_isolates("".join(c for c in text if c not in _EXPLICIT))
    if base is None:
        base = base_level(text)
    resolved = levels(text, base)
    chars = [MIRROR.get(c, c) if level % 2 else c for c, level in zip(text, resolved, strict=True)]  # L4
    for index, piece in pieces.items():
        chars[index] = piece
    order = list(range(len(chars)))
    top = max(resolved, default=0)
    lowest_odd = min((lv for lv in resolved if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):  # L2: reverse every run at this level or above
        i = 0
        while i < len(order):
            if resolved[order[i]] < level:
                i += 1
                continue
            end = i
            while end < len(order) and resolved[order[end]] >= level:
                end += 1
            order[i:end] = reversed(order[i:end])
            i = end
    return "".join(chars[i] for i in order if chars[i] not in _MARKS)
