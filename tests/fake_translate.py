"""Fakes of the two translation providers' documented HTTP APIs on 127.0.0.1, owned by the tests.

LibreTranslate: ``GET /languages``, ``POST /translate`` (JSON: q as a list, source, target,
format="text", api_key when the server wants one) answering ``{"translatedText": [...]}``.
DeepL: ``POST /v2/translate`` (header ``Authorization: DeepL-Auth-Key KEY``; JSON: text as a list
of at most 50, target_lang, optional source_lang) answering ``{"translations": [{"text", ...}]}``.
Both check the request's shape, record it, and translate from a phrase book (or mark the text).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

LIBRE_LANGUAGES = ("nl", "en", "tr", "ar", "fa", "pl", "uk")  # as a typical server: no Somali or Tigrinya


@dataclass
class Request:
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeTranslator:
    def __init__(self, phrases: Mapping[tuple[str, str], str] | None = None, api_key: str | None = None) -> None:
        self.phrases = dict(phrases or {})  # (target, original) -> translation
        self.api_key = api_key
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self.fail_with: int | None = None  # answer translations with this HTTP status
        self.hang = False  # never answer translations (a timeout)
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def translations(self) -> list[Request]:
        return [r for r in self.requests if r.path in ("/translate", "/v2/translate")]

    def texts(self) -> list[str]:
        """Every text sent for translation."""
        return [t for r in self.translations for t in (r.body.get("q") or r.body.get("text") or [])]

    def render(self, text: str, target: str) -> str:
        return self.phrases.get((target.lower()[:2], text), f"[{target.lower()[:2]}] {text}")

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/languages", self._languages)
        app.router.add_post("/translate", self._libre)
        app.router.add_post("/v2/translate", self._deepl)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _gate(self) -> web.Response | None:
        if self.hang:
            await self._release.wait()  # until the test ends: the client's timeout fires first
        if self.fail_with is not None:
            return web.json_response({"error": "failing on purpose"}, status=self.fail_with)
        return None

    async def _languages(self, request: web.Request) -> web.Response:
        self.requests.append(Request("/languages", {}))
        return web.json_response(
            [{"code": c, "name": c, "targets": [t for t in LIBRE_LANGUAGES if t != c]} for c in LIBRE_LANGUAGES]
        )

    async def _libre(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(Request("/translate", body))
        q, source, target = body.get("q"), body.get("source"), body.get("target")
        if not (isinstance(q, list) and all(isinstance(x, str) for x in q) and q):
            self.violations.append("q must be a non-empty list of texts")
        if source not in LIBRE_LANGUAGES or target not in LIBRE_LANGUAGES or source == target:
            self.violations.append(f"unsupported pair {source}->{target}")
        if body.get("format") != "text":
            self.violations.append("format must be text")
        if self.api_key is not None and body.get("api_key") != self.api_key:
            return web.json_response({"error": "Invalid API key"}, status=403)
        failed = await self._gate()
        if failed is not None:
            return failed
        return web.json_response({"translatedText": [self.render(x, target) for x in q or []]})

    async def _deepl(self, request: web.Request) -> web.Response:
        headers = dict(request.headers)
        body = await request.json()
        self.requests.append(Request("/v2/translate", body, headers))
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {self.api_key}":
            return web.json_response({"message": "Wrong auth"}, status=403)
        text, target = body.get("text"), body.get("target_lang")
        if not (isinstance(text, list) and 0 < len(text) <= 50 and all(isinstance(x, str) for x in text)):
            self.violations.append("text must be a list of 1 to 50 texts")
        if not isinstance(target, str) or target != target.upper():
            self.violations.append("target_lang must be an upper-case code")
        source = body.get("source_lang")
        if source is not None and source != source.upper():
            self.violations.append("source_lang must be an upper-case code")
        failed = await self._gate()
        if failed is not None:
            return failed
        detected = source or "EN"
        return web.json_response(
            {"translations": [{"detected_source_language": detected, "text": self.render(x, target)} for x in text or []]}
        )
