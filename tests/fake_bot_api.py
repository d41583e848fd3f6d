"""A small fake Telegram Bot API server on 127.0.0.1, owned by the tests.

It speaks the Bot API's JSON over HTTP to the real python-telegram-bot client: a queue behind
getUpdates, messages with ids for sendMessage and friends, and a record of every call, checked
against the machine-readable Bot API spec (method exists, required fields present).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

SPEC = json.loads((Path(__file__).parent / "data" / "bot-api-spec.json").read_text(encoding="utf-8"))
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Vruchtbare Bodem", "username": "VruchtbareBodemBot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None
    at: float = field(default_factory=time.monotonic)  # when the server received it

    @property
    def filename(self) -> str | None:
        return self.params.get("_filename")


class FakeBotApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        # In a private chat the person's and the bot's messages share one rising sequence of ids, as on Telegram.
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._changed = asyncio.Condition()
        self._failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._holds: dict[str, asyncio.Event] = {}
        self.held: dict[str, int] = {}  # calls now waiting behind a hold, by method
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes), served by getFile
        self.downloads: list[str] = []  # file paths fetched from /file/bot<token>/<path>
        self.delays: dict[str, float] = {}  # method -> seconds the server takes to answer it
        self.webhook: tuple[str, str | None] | None = None  # (url, secret) once deliver_to() is called
        self.last_update_id = 0

    # --- server ---------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # the port the OS chose
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for file_path, content in self.files.values():
            if file_path == path:
                self.downloads.append(path)
                return web.Response(body=content, content_type="application/octet-stream")
        return web.Response(status=404, text="Not Found")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await self._params(request)
        self._check_spec(method, params, files)
        gate = self._holds.get(method)
        if gate is not None and not gate.is_set():
            self.held[method] = self.held.get(method, 0) + 1
            async with self._changed:
                self._changed.notify_all()
            await gate.wait()  # held by the test: this call is answered (and recorded) once released
            self.held[method] -= 1
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])  # a slow Telegram, not synchronisation
        failures = self._failures.get(method)
        if failures:
            status, body = failures.pop(0)
            self.calls.append(Call(method, params, files, result=body))
            async with self._changed:
                self._changed.notify_all()
            return web.json_response(body, status=status)
        if method == "getUpdates":
            result = await self._get_updates(params)
        elif method == "getFile" and params.get("file_id") not in self.files:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            self.calls.append(Call(method, params, files, result=body))
            return web.json_response(body, status=400)
        else:
            result = self._answer(method, params, files)
        self.calls.append(Call(method, params, files, result))
        async with self._changed:
            self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        if request.content_type == "application/json":
            return await request.json(), {}
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:
                    files[part.name] = await part.read()
                    params["_filename"] = part.filename  # kept aside: not a Bot API field
                else:
                    params[part.name] = await part.text()
        else:
            params.update(await request.post())
        for key, value in list(params.items()):
            if isinstance(value, str) and value[:1] in "[{":
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        for key in ("chat_id", "message_id", "offset", "timeout", "limit"):
            if isinstance(params.get(key), str) and params[key].lstrip("-").isdigit():
                params[key] = int(params[key])
        return params, files

    def _check_spec(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> None:
        spec = SPEC["methods"].get(method)
        if spec is None:
            self.violations.append(f"{method}: no such Bot API method")
            return
        known = {f["name"] for f in spec.get("fields", [])}
        for f in spec.get("fields", []):
            if f["required"] and f["name"] not in params and f["name"] not in files:
                self.violations.append(f"{method}: required field {f['name']} missing")
        for name in (set(params) | set(files)) - {"_filename"}:
            if name not in known:
                self.violations.append(f"{method}: unknown field {name}")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 2.0)
        async with self._changed:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or time.monotonic() >= deadline:
                    return self._updates[:100]
                try:
                    await asyncio.wait_for(self._changed.wait(), timeout=max(0.01, deadline - time.monotonic()))
                except TimeoutError:
                    pass

    def _answer(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getFile":
            file_id = params["file_id"]
            path, content = self.files[file_id]
            return {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": len(content), "file_path": path}
        if method in ("sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendAudio"):
            return self._message(params, files, method)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            message = {
                "message_id": params.get("message_id"),
                "date": int(time.time()),
                "chat": {"id": params.get("chat_id"), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", "…"),
            }
            if params.get("reply_markup"):
                message["reply_markup"] = params["reply_markup"]
            return message
        return True  # answerCallbackQuery, setMyCommands, deleteWebhook, ...

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(int(chat_id), itertools.count(1)))

    def _message(self, params: dict[str, Any], files: dict[str, bytes], method: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.next_message_id(params["chat_id"]),
            "date": int(time.time()),
            "chat": {"id": params["chat_id"], "type": "private"},
            "from": BOT_USER,
        }
        if method == "sendMessage":
            message["text"] = params["text"]
        if method == "sendPhoto":
            message["photo"] = [{"file_id": "p1", "file_unique_id": "p1", "width": 10, "height": 10}]
        if method == "sendDocument":
            message["document"] = {"file_id": "d1", "file_unique_id": "d1"}
        if method in ("sendVoice", "sendAudio"):
            field = "voice" if method == "sendVoice" else "audio"
            file_id = params.get(field) if isinstance(params.get(field), str) else "uploaded"
            message[field] = {"file_id": file_id, "file_unique_id": "u" + str(file_id), "duration": 1}
        if "caption" in params:
            message["caption"] = params["caption"]
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    # --- what the tests do ----------------------------------------------------------

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> None:
        """A file a user sent: getFile describes it and /file/bot<token>/<path> serves it."""
        self.files[file_id] = (file_path or f"voice/{file_id}.oga", content)

    def fail_next(self, method: str, status: int, body: dict[str, Any]) -> None:
        self._failures.setdefault(method, []).append((status, body))

    def hold(self, method: str) -> asyncio.Event:
        """Calls of ``method`` wait until the returned event is set: a slow Bot API, on the test's command."""
        gate = asyncio.Event()
        self._holds[method] = gate
        return gate

    async def wait_held(self, method: str, count: int, timeout: float = 30.0) -> None:
        """Until ``count`` calls of ``method`` wait behind its hold."""

        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self.held.get(method, 0) >= count)

        await asyncio.wait_for(enough(), timeout)

    def fail_next_429(self, method: str, retry_after: int = 1) -> None:
        body = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}", "parameters": {"retry_after": retry_after}}
        self.fail_next(method, 429, body)

    def fail_next_403(self, method: str) -> None:
        self.fail_next(method, 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})

    def deliver_to(self, url: str, secret: str | None) -> None:
        """From now on updates are POSTed to ``url`` (a webhook), as Telegram does after setWebhook."""
        self.webhook = (url, secret)

    async def push(self, update: dict[str, Any], update_id: int | None = None) -> int:
        """Queue an update for getUpdates, or POST it to the webhook (retried until a 200, as Telegram does).
        ``update_id``: deliver an update again under the id it had (a duplicate delivery)."""
        update_id = next(self._update_ids) if update_id is None else update_id
        self.last_update_id = max(self.last_update_id, update_id)
        if self.webhook is not None:
            await self._post_webhook({"update_id": update_id, **update})
            return update_id
        async with self._changed:
            self._updates.append({"update_id": update_id, **update})
            self._changed.notify_all()
        return update_id

    async def _post_webhook(self, update: dict[str, Any]) -> None:
        import aiohttp

        url, secret = self.webhook or ("", None)
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with aiohttp.ClientSession() as client:
            for _attempt in range(50):
                try:
                    async with client.post(url, json=update, headers=headers) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)  # Telegram's retry of a failed delivery
        raise AssertionError(f"webhook never accepted update {update['update_id']}")

    async def wait_for(self, predicate: Callable[[Call], bool], *, after: int = 0, timeout: float = 10.0) -> Call:
        """The first call from index ``after`` on that matches; fails loudly after ``timeout`` seconds."""

        async def find() -> Call:
            async with self._changed:
                while True:
                    for call in self.calls[after:]:
                        if predicate(call):
                            return call
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(find(), timeout)
        except TimeoutError:
            seen = [c.method for c in self.calls[after:]]
            raise AssertionError(f"no matching Bot API call within {timeout}s; calls seen: {seen}") from None

    def sent_to(self, chat_id: int, after: int = 0) -> list[Call]:
        return [c for c in self.calls[after:] if c.method.startswith("send") and c.params.get("chat_id") == chat_id]
