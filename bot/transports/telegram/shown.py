"""Delivered prompts written in batches: one transaction fewer per answer.

After a prompt is delivered, its message id and "the update it answered is done" used to be written
in a transaction of their own, a thread hop and a commit per answer. They are now kept by the
conversation (``prompt_shown(later=True)``) and written by the participant's next event, in its own
transaction, or by this batch shortly after, whichever comes first. Until then the update stays
claimed by this process, which keeps handling the chat's next updates in order; another process
takes the chat only after the batch marked it done. What a crash can lose, and why that is safe,
is in bot/conversation.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.conversation import Conversation

log = logging.getLogger(__name__)
DELAY = 0.1  # seconds a delivered prompt may wait for a batch (another process waits this long for its chat)


class ShownLater:
    def __init__(self, conversation: Conversation, wake: Callable[[], None]) -> None:
        self.conversation = conversation
        self.wake = wake  # a chat's next update, stored but not claimed, may be claimable once its previous one is done
        self.delay = DELAY
        self._task: asyncio.Task[None] | None = None

    def record(self, participant_id: int, message_id: int, key: str, done_update: int | None) -> None:
        self.conversation.prompt_shown(participant_id, message_id, key, done_update=done_update, later=True)
        self._soon()

    def done(self, participant_id: int, update_id: int) -> None:
        """The participant's update was handled without a prompt (a tick): marked done in the same way."""
        self.conversation.handled_later(participant_id, update_id)
        self._soon()

    def _soon(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="shown-later")

    async def _run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.delay)
                try:
                    if await asyncio.to_thread(self.conversation.flush_shown):
                        self.wake()
                except Exception as exc:  # kept, and tried again with the next batch
                    log.error("could not record delivered prompts: %s", type(exc).__name__)
                if not self.conversation.shown_pending():
                    return
        finally:
            self._task = None

    async def close(self) -> None:
        """At shutdown, after the last update was handled: what is kept is written now."""
        if self._task is not None:
            self._task.cancel()
        try:
            await asyncio.to_thread(self.conversation.flush_shown)
        except Exception as exc:  # lost: the updates are claimed again at the next start, found applied
            log.error("could not record delivered prompts at shutdown: %s", type(exc).__name__)
