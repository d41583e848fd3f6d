"""A clock the test moves by hand, for code that takes an injectable clock (now() and async sleep())."""

from __future__ import annotations

import asyncio


class ManualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.t = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []
        self._changed = asyncio.Condition()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.t + seconds, future))
        async with self._changed:
            self._changed.notify_all()
        await future

    def advance(self, seconds: float) -> None:
        """Move time on; every sleeper that is due wakes (in the order it would have)."""
        self.t += seconds
        due = sorted((s for s in self._sleepers if s[0] <= self.t + 1e-9), key=lambda s: s[0])
        self._sleepers = [s for s in self._sleepers if s[0] > self.t + 1e-9]
        for _, future in due:
            if not future.done():
                future.set_result(None)

    @property
    def sleeping(self) -> int:
        return len(self._sleepers)

    async def until_sleeping(self, count: int, timeout: float = 10.0) -> None:
        """Wait (in real time, bounded) until ``count`` coroutines sleep on this clock."""

        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self._sleepers) >= count)

        await asyncio.wait_for(wait(), timeout)
