"""Telegram's flood limits: PTB's AIORateLimiter, plus about one message a second in each private chat.

AIORateLimiter keeps the overall limit (30 a second) and the one for groups, and retries 429s; it
leaves private chats alone. Telegram asks for about one message a second there, which matters
when a summary of many messages goes to one facilitator.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

PACED = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
BURST = 3  # a prompt and its notices may go at once; the sustained rate stays at `rate` a second
MAX_CHATS = 10_000  # limiters kept for the most recently active chats


class ChatPacedRateLimiter(AIORateLimiter):
    def __init__(self, *, per_chat_per_second: float = 1.0, max_retries: int = 3) -> None:
        super().__init__(max_retries=max_retries)
        self._rate = per_chat_per_second
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.pop(chat_id, None) or AsyncLimiter(BURST, BURST / self._rate)
        self._chats[chat_id] = limiter  # most recent last
        while len(self._chats) > MAX_CHATS:
            self._chats.popitem(last=False)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        if endpoint in PACED and isinstance(chat_id, int) and chat_id > 0:  # a private chat
            async with self._chat_limiter(chat_id):
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
