"""The HTTP requests to the Bot API: a few kept-alive connections, and the requests waiting for them
queued here rather than inside httpcore.

httpcore's pool re-examines every waiting request and every connection each time a request starts or
ends (an idle connection's check is a getpeername system call, through anyio). With hundreds of chats
handled at once most requests wait, so that work grew with the queue: in a closed-loop profile the
HTTP stack cost the project ~2 ms of CPU per answer more than the fair floor for the same calls. Here a
semaphore lets at most as many requests into httpx as there are connections; the rest wait in order,
at no cost, and still give up after ``pool_timeout`` like a request that found no connection.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from telegram.error import TimedOut
from telegram.request import HTTPXRequest


class QueuedRequest(HTTPXRequest):
    def __init__(self, connections: int, pool_timeout: float) -> None:
        super().__init__(connection_pool_size=connections, pool_timeout=pool_timeout)
        self._gate = asyncio.Semaphore(connections)
        self._wait = pool_timeout

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            if self._gate.locked():  # only a waiting request pays for a timer
                async with asyncio.timeout(self._wait):
                    await self._gate.acquire()
            else:
                await self._gate.acquire()
        except TimeoutError:  # as httpx says it: the request never left, sending it again is safe
            raise TimedOut("Pool timeout: all connections busy") from httpx.PoolTimeout("no free connection")
        try:
            return await super().do_request(*args, **kwargs)
        finally:
            self._gate.release()
