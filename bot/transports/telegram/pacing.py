"""Telegram's flood limits, counted the way Telegram counts them, and the one place 429s are retried.

Telegram limits *new messages*: about one a second in a chat (a short burst is tolerated) and about
30 a second for the whole bot. Edits, answerCallbackQuery and getUpdates are not counted, so they
never wait here: a button press is always answered at once. Each counted call reserves its own
moment in its chat's bucket and sleeps until then, holding no lock, so a chat that is waiting for its
budget never holds another chat's call; then it takes its turn in the overall limit.

The overall limit is a queue, first come first served, released at the overall bucket's pace by one
task that sleeps until the bucket has room (nothing is held while it sleeps). One exception: the
messages of one reply keep their place. Within ``one_reply()`` (the handling of one update), a chat's
second and further new messages go before the messages that queued after its first one; otherwise a
reply of k messages (a notice and the prompt, a text over 4096 characters) queued k times behind
everyone else and waited k times as long (300 people at human pace: the two messages of a /start took
a p99 of 7.5 s against 4.2 s for one). Only the order changes: every message still goes at a moment
the bucket allows.

Written by hand rather than with PTB's AIORateLimiter (or aiolimiter) because those apply the overall
bucket to every chat-bound call, edits and callback answers included, have no per-private-chat limit,
stop every request on any 429, and cannot be driven by a test's clock.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# The methods that put a new message in a chat: what Telegram's limits count.
COUNTED = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVoice", "sendVideo", "sendVideoNote",
        "sendAnimation", "sendSticker", "sendMediaGroup", "sendLocation", "sendVenue", "sendContact", "sendPoll",
        "sendDice", "sendPaidMedia", "sendInvoice", "sendGame", "copyMessage", "copyMessages", "forwardMessage",
        "forwardMessages",
    }
)  # fmt: skip
OVERALL_PER_SECOND = 30.0
CHAT_BURST = 3  # a prompt and its notices may go at once; the sustained rate stays at the chat rate
GROUP_PER_SECOND = 20 / 60  # groups and channels: 20 messages a minute
LOG_PERIOD = 60.0  # seconds between two log lines about the overall limit
PRUNE_AT = 4096  # idle chat buckets are dropped once this many are kept: memory stays flat


# The chats of the reply being handled whose first new message has gone: their next ones keep the place.
_reply: ContextVar[set[int | str] | None] = ContextVar("reply", default=None)


@contextmanager
def one_reply() -> Iterator[None]:
    """Around everything said in answer to one update: its follow-up messages keep their place in the queue."""
    token = _reply.set(set())
    try:
        yield
    finally:
        _reply.reset(token)


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class Bucket:
    """A token bucket as a theoretical arrival time (GCRA): ``burst`` at once, then one per ``interval``."""

    interval: float
    burst: int
    tat: float = float("-inf")  # when the bucket is full again

    def next_free(self, now: float) -> float:
        """The next free moment, at ``now`` or later, without taking it."""
        return max(now, self.tat - (self.burst - 1) * self.interval)

    def reserve(self, now: float) -> float:
        """Take the next free moment, at ``now`` or later, and return it."""
        at = self.next_free(now)
        self.tat = max(self.tat, now) + self.interval
        return at

    def hold_until(self, moment: float) -> None:
        """Nothing more goes before ``moment`` (Telegram said so with a 429)."""
        self.tat = max(self.tat, moment + (self.burst - 1) * self.interval)


class TelegramRateLimiter(BaseRateLimiter[int]):
    """Per-chat and overall limits on new messages; 429 answers waited out and retried (``max_retries``).

    ``rate_limit_args`` (PTB's per-call argument) is the number of retries for that call, if given."""

    def __init__(
        self,
        *,
        per_chat_per_second: float = 1.0,
        overall_per_second: float = OVERALL_PER_SECOND,
        max_retries: int = 3,
        clock: Clock | None = None,
    ) -> None:
        self._chat_interval = 1 / per_chat_per_second
        self._overall = Bucket(1 / overall_per_second, max(1, int(overall_per_second)))
        self._overall_rate = overall_per_second
        self._chats: dict[int | str, Bucket] = {}
        # Messages waiting for the overall limit: (0 a reply's follow-up, else 1; arrival; released when set).
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()
        self._releaser: asyncio.Task[None] | None = None
        self._max_retries = max_retries
        self._clock: Clock = clock or MonotonicClock()
        self._held = 0  # messages the overall limit delayed since the last log line
        self._longest = 0.0
        self._logged_at = float("-inf")

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _chat(self, chat_id: int | str) -> Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= PRUNE_AT:
                now = self._clock.now()
                self._chats = {key: b for key, b in self._chats.items() if b.tat > now}
            private = isinstance(chat_id, int) and chat_id > 0
            interval = self._chat_interval if private else 1 / GROUP_PER_SECOND
            bucket = self._chats[chat_id] = Bucket(interval, CHAT_BURST)
        return bucket

    async def _wait_for_budget(self, chat_id: int | str, follow_up: bool) -> None:
        clock = self._clock
        at = self._chat(chat_id).reserve(clock.now())
        if at > clock.now():
            await clock.sleep(at - clock.now())
        # Only after the chat's own wait: no place in the overall queue is held for a waiting chat.
        now = clock.now()
        if not self._queue and self._overall.next_free(now) <= now:
            self._overall.reserve(now)
            return
        self._note_overall_wait(now, self._overall.next_free(now) - now + len(self._queue) * self._overall.interval)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._queue, (0 if follow_up else 1, next(self._arrivals), turn))
        if self._releaser is None:
            self._releaser = asyncio.create_task(self._release(), name="telegram-overall-limit")
        await turn  # cancelled while waiting: the releaser passes over it

    async def _release(self) -> None:
        """Lets the queued messages go, the first in line each time the overall bucket has room."""
        clock = self._clock
        try:
            while self._queue:
                now = clock.now()
                at = self._overall.next_free(now)
                if at > now:
                    await clock.sleep(at - now)
                    continue
                _, _, turn = heapq.heappop(self._queue)
                if not turn.done():
                    self._overall.reserve(now)
                    turn.set_result(None)
        finally:
            self._releaser = None

    def _note_overall_wait(self, now: float, wait: float) -> None:
        self._held += 1
        self._longest = max(self._longest, wait)
        if now - self._logged_at >= LOG_PERIOD:
            log.info(
                "Telegram's overall limit (%g messages a second) is holding replies back: "
                "%d delayed since the last report, the longest by %.1f s",
                self._overall_rate,
                self._held,
                self._longest,
            )
            self._logged_at = now
            self._held = 0
            self._longest = 0.0

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        counted = endpoint in COUNTED and isinstance(chat_id, int | str)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        reply = _reply.get()
        for attempt in range(retries + 1):
            if counted:
                await self._wait_for_budget(chat_id, reply is not None and chat_id in reply)  # type: ignore[arg-type]
            try:
                result = await callback(*args, **kwargs)
                if counted and reply is not None:
                    reply.add(chat_id)  # type: ignore[arg-type]
                return result
            except RetryAfter as exc:  # 429: the message was refused, so sending it again cannot duplicate it
                if attempt == retries:
                    raise
                wait = exc.retry_after if isinstance(exc.retry_after, int | float) else exc.retry_after.total_seconds()
                log.warning("%s: Telegram asks to wait %.1f s (retry %d)", endpoint, wait, attempt + 1)
                if counted:
                    self._chat(chat_id).hold_until(self._clock.now() + wait)  # type: ignore[arg-type]
                else:
                    await self._clock.sleep(wait)
        raise AssertionError("unreachable")
