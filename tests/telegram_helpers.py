"""Telegram users for the tests: they send updates to the fake Bot API and read what the bot sent."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.config import Settings
from bot.engine import Kind
from bot.flows import flow_by_id
from bot.transports.telegram.runtime import Runtime
from storage import Database
from tests.fake_bot_api import BOT_USER, Call, FakeBotApi

TOKEN = "123456:TEST-TOKEN-never-logged"
_callback_ids = itertools.count(1)


def settings_for(api: FakeBotApi, db: Database, admins: frozenset[int], **extra: object) -> Settings:
    # Walks answer instantly, faster than any person: pace private chats only where a test asks to.
    extra.setdefault("chat_messages_per_second", 1000.0)
    return Settings(token=TOKEN, api_url=api.base_url, database_url=db.url, admins=admins, **extra)


async def start_app(
    api: FakeBotApi,
    db: Database,
    admins: frozenset[int],
    *,
    rate_limit: bool = True,
    poll: bool = True,
    rate_limiter: BaseRateLimiter | None = None,
    **extra: object,
) -> Runtime:
    """The bot as `python -m bot run` runs it (intake into the inbox, dispatcher), in this event loop.
    ``poll=False``: a second worker that takes no updates from Telegram (it still handles stored ones and jobs)."""
    runtime = Runtime(settings_for(api, db, admins, **extra), db, rate_limit=rate_limit, intake=poll, rate_limiter=rate_limiter)
    await runtime.start()
    return runtime


async def stop_app(runtime: Runtime) -> None:
    await runtime.stop()


def buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def is_prompt(call: Call) -> bool:
    found = buttons(call)
    delivered = isinstance(call.result, dict) and "message_id" in call.result  # not a send that Telegram refused
    # "a|": a step's buttons; "j|": the consent of someone not in the workshop yet (nothing stored).
    return call.method == "sendMessage" and delivered and bool(found) and found[0]["callback_data"].startswith(("a|", "j|"))


def is_closing(call: Call) -> bool:
    """The one message that ends the preparation: no buttons, and how to look back."""
    return call.method == "sendMessage" and not buttons(call) and "/myanswers" in call.params.get("text", "")


def _option(data: str) -> str:
    """The option a button answers: "a|step|option[|page]", or "j|code|language|option" before joining."""
    parts = data.split("|")
    return parts[3] if parts[0] == "j" else parts[2]


@dataclass
class Prompt:
    call: Call
    key: str
    message_id: int

    @property
    def text(self) -> str:
        return self.call.params["text"]

    @property
    def data(self) -> list[str]:
        return [b["callback_data"] for b in buttons(self.call)]

    def option_ids(self) -> list[str]:
        return [_option(d) for d in self.data if d.startswith(("a|", "j|")) and not _option(d).startswith("_")]

    def ticked(self) -> list[str]:
        return [
            b["callback_data"].split("|")[2]
            for b in buttons(self.call)
            if b["text"].startswith("✅") and b["callback_data"].startswith("a|")
        ]

    def button(self, option: str) -> str:
        """The callback data of one option (a step's, or the consent's before joining)."""
        return next(d for d in self.data if d.startswith(("a|", "j|")) and _option(d) == option)

    def kind(self) -> Kind:
        flow_id, step_id = self.key.split(".", 1)
        return next(s.kind for s in flow_by_id(flow_id).steps if s.id == step_id)


class Phone:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, api: FakeBotApi, user_id: int, language_code: str = "nl", name: str = "Test") -> None:
        self.api = api
        self.id = user_id
        self.user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": language_code}
        self.chat = {"id": user_id, "type": "private", "first_name": name}

    def mark(self) -> int:
        return len(self.api.calls)

    async def send(self, text: str) -> int:
        mark = self.mark()
        message: dict[str, Any] = {"message_id": self.api.next_message_id(self.id), "date": int(time.time()), "chat": self.chat, "from": self.user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        await self.api.push({"message": message})
        return mark

    async def send_media(self, kind: str) -> int:
        mark = self.mark()
        media = {
            "sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False},
            "photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}],
            "voice": {"file_id": "v", "file_unique_id": "v", "duration": 2},
        }[kind]
        await self.api.push({"message": {"message_id": self.api.next_message_id(self.id), "date": int(time.time()), "chat": self.chat, "from": self.user, kind: media}})
        return mark

    async def send_voice(
        self, file_id: str, seconds: int, content: bytes | None = None, *, kind: str = "voice", mime: str = "audio/wav", size: int | None = None
    ) -> int:
        """A voice note (or an audio file, ``kind="audio"``); ``content`` is what the fake serves for it."""
        if content is not None:
            self.api.add_file(file_id, content, f"{kind}/{file_id}.wav")
        mark = self.mark()
        media: dict[str, Any] = {"file_id": file_id, "file_unique_id": "u" + file_id, "duration": seconds, "mime_type": mime}
        media["file_size"] = size if size is not None else len(content or b"")
        message = {"message_id": self.api.next_message_id(self.id), "date": int(time.time()), "chat": self.chat, "from": self.user, kind: media}
        await self.api.push({"message": message})
        return mark

    async def press(self, data: str, message_id: int) -> int:
        mark = self.mark()
        message = {"message_id": message_id, "date": int(time.time()), "chat": self.chat, "from": BOT_USER, "text": "…"}
        await self.api.push({"callback_query": {"id": f"cb{next(_callback_ids)}", "from": self.user, "chat_instance": "ci", "data": data, "message": message}})
        return mark

    async def prompt(self, after: int, timeout: float = 10.0) -> Prompt:
        call = await self.api.wait_for(lambda c: is_prompt(c) and c.params.get("chat_id") == self.id, after=after, timeout=timeout)
        data = buttons(call)[0]["callback_data"]
        key = "intro.consent" if data.startswith("j|") else data.split("|")[1]
        return Prompt(call, key, call.result["message_id"])

    async def prompt_or_closing(self, after: int) -> Prompt | None:
        """The next prompt, or None when the bot sent the closing message instead."""
        call = await self.api.wait_for(
            lambda c: c.params.get("chat_id") == self.id and (is_prompt(c) or is_closing(c)), after=after
        )
        if is_closing(call):
            return None
        key = buttons(call)[0]["callback_data"].split("|")[1]
        return Prompt(call, key, call.result["message_id"])

    async def closing(self, after: int) -> Call:
        """The closing message: sent once at the end, with no buttons to press."""
        return await self.api.wait_for(lambda c: c.params.get("chat_id") == self.id and is_closing(c), after=after)

    async def reply(self, after: int, method: str = "sendMessage") -> Call:
        return await self.api.wait_for(lambda c: c.method == method and c.params.get("chat_id") == self.id, after=after)

    async def callback_answer(self, after: int) -> Call:
        return await self.api.wait_for(lambda c: c.method == "answerCallbackQuery", after=after)


ROLE_FOR_SIDE = {"formal": "formal", "informal": "volunteer"}


async def walk(phone: Phone, prompt: Prompt, side: str, tag: str) -> dict[str, object]:
    """Answer every step with buttons and text until the review is finished."""
    given: dict[str, object] = {}
    for _ in range(400):
        key, kind = prompt.key, prompt.kind()
        if kind is Kind.REVIEW:
            mark = await phone.press(f"a|{key}|finish", prompt.message_id)
            await phone.closing(mark)
            return given
        if kind is Kind.INFO:
            mark = await phone.press(f"a|{key}|_next", prompt.message_id)
        elif kind is Kind.TEXT:
            text = f"{tag} {key} <b>&</b> antwoord"
            given[key] = text
            mark = await phone.send(text)
        elif kind is Kind.YESNO:
            given[key] = "yes"
            mark = await phone.press(prompt.button("yes"), prompt.message_id)
        elif kind is Kind.CHOICE:
            option = ROLE_FOR_SIDE[side] if key == "intro.role" else prompt.option_ids()[-1]
            given[key] = option
            mark = await phone.press(f"a|{key}|{option}", prompt.message_id)
        elif kind is Kind.MULTI and prompt.ticked():
            given[key] = prompt.ticked()  # earlier choices already ticked: kept with one tap
            mark = await phone.press(f"a|{key}|_done", prompt.message_id)
        elif kind is Kind.MULTI:
            picked = prompt.option_ids()[:2]
            given[key] = picked
            for option in picked:
                mark = await phone.press(f"a|{key}|{option}", prompt.message_id)
                await phone.reply(mark, "editMessageReplyMarkup")
            mark = await phone.press(f"a|{key}|_done", prompt.message_id)
        elif kind is Kind.LIST:
            items = [f"{tag} {key} punt één", f"{tag} {key} punt twee"]
            given[key] = items
            for item in items:
                mark = await phone.send(item)
                prompt = await phone.prompt(mark)
            mark = await phone.press(f"a|{key}|_done", prompt.message_id)
        else:
            raise AssertionError(kind)
        found = await phone.prompt_or_closing(mark)
        if found is None:  # the short preparation ends at once, with the closing message
            return given
        prompt = found
    raise AssertionError("the walk did not finish")
