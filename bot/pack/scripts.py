"""Which writing system a character belongs to, for choosing a font and comparing words."""

from __future__ import annotations

LATIN = "latin"  # and everything Noto Sans covers: Cyrillic, Greek, digits, punctuation, spaces
ARABIC = "arabic"  # Arabic and Persian
ETHIOPIC = "ethiopic"  # Tigrinya and Amharic

_RANGES = (
    (0x0600, 0x06FF, ARABIC),
    (0x0750, 0x077F, ARABIC),
    (0x0870, 0x08FF, ARABIC),
    (0xFB50, 0xFDFF, ARABIC),
    (0xFE70, 0xFEFF, ARABIC),
    (0x1200, 0x139F, ETHIOPIC),
    (0x2D80, 0x2DDF, ETHIOPIC),
    (0xAB00, 0xAB2F, ETHIOPIC),
    (0x1E7E0, 0x1E7FF, ETHIOPIC),
)


def script_of(char: str) -> str:
    code = ord(char)
    for low, high, script in _RANGES:
        if low <= code <= high:
            return script
    return LATIN
