"""Join attempts: which input counts as a try at a code, and when someone must wait.

Only input shaped like a join code (16 letters and digits) counts, so a person typing "hello"
before joining gets a hint, not a lock-out; an attacker trying codes is slowed down (the
95-bit codes make guessing impractical anyway)."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.repository import CODE_ALPHABET, CODE_LENGTH

MAX_FAILED_JOINS = 5
JOIN_COOLDOWN = timedelta(minutes=10)
_ALPHABET = frozenset(CODE_ALPHABET)


def looks_like_code(text: str) -> bool:
    text = text.strip()
    return len(text) == CODE_LENGTH and set(text) <= _ALPHABET


def wait_minutes(failed: int, last_failed: datetime | None, now: datetime) -> int | None:
    """Minutes to wait before the next attempt, or None when one may be made now."""
    if last_failed is None or failed < MAX_FAILED_JOINS:
        return None
    if last_failed.tzinfo is None:
        last_failed = last_failed.replace(tzinfo=now.tzinfo)
    left = JOIN_COOLDOWN - (now - last_failed)
    if left <= timedelta(0):
        return None
    return max(1, int(left.total_seconds() // 60) + 1)
