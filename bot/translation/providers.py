"""Machine translation providers behind one interface: a self-hosted LibreTranslate server or DeepL.

Each speaks its documented HTTP API through httpx (already the Telegram library's HTTP client):
- LibreTranslate: ``POST /translate`` with ``q`` (a list of texts), ``source``, ``target``,
  ``format=text`` and an optional ``api_key``; ``GET /languages`` tells which pairs the server has.
- DeepL: ``POST /v2/translate`` with ``text`` (a list of up to 50 texts), ``source_lang`` and
  ``target_lang``, authorised by the header ``Authorization: DeepL-Auth-Key ...``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import httpx

DEEPL_FREE_URL = "https://api-free.deepl.com"  # keys of the free plan end in ":fx"
DEEPL_PRO_URL = "https://api.deepl.com"
TIMEOUT = 20.0  # seconds per request: a summary waits for this, so a slow provider must not hold it long


class TranslationError(Exception):
    """The provider did not give a usable answer (error status, timeout, unexpected body)."""


class Provider(Protocol):
    name: str
    batch_size: int  # texts per request
    timeout: float

    async def languages(self, client: httpx.AsyncClient) -> Mapping[str, frozenset[str]]:
        """Source language -> the target languages it can be translated into (bot language codes)."""
        ...

    async def translate(self, client: httpx.AsyncClient, texts: Sequence[str], source: str, target: str) -> list[str]:
        """The texts translated, in the same order."""
        ...


def _json(response: httpx.Response) -> object:
    if response.status_code != 200:
        raise TranslationError(f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError as exc:
        raise TranslationError("not JSON") from exc


class LibreTranslate:
    name = "libretranslate"
    batch_size = 50

    def __init__(self, url: str, api_key: str | None = None, timeout: float = TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    async def languages(self, client: httpx.AsyncClient) -> Mapping[str, frozenset[str]]:
        body = _json(await client.get(f"{self.url}/languages", timeout=self.timeout))
        if not isinstance(body, list):
            raise TranslationError("unexpected languages")
        return {str(lang["code"]): frozenset(str(t) for t in lang.get("targets", ())) for lang in body}

    async def translate(self, client: httpx.AsyncClient, texts: Sequence[str], source: str, target: str) -> list[str]:
        payload: dict[str, object] = {"q": list(texts), "source": source, "target": target, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        body = _json(await client.post(f"{self.url}/translate", json=payload, timeout=self.timeout))
        found = body.get("translatedText") if isinstance(body, dict) else None
        if not isinstance(found, list) or len(found) != len(texts) or not all(isinstance(x, str) for x in found):
            raise TranslationError("unexpected translation")
        return found


# DeepL's documented languages among the bot's (nl, en, tr, ar, fa, pl, uk, so, ti): Persian, Somali
# and Tigrinya are not among them, so their answers stay untranslated with their language named.
_DEEPL_SOURCE = {"nl": "NL", "en": "EN", "tr": "TR", "ar": "AR", "pl": "PL", "uk": "UK"}
_DEEPL_TARGET = {**_DEEPL_SOURCE, "en": "EN-GB"}  # a target needs the variant; the hand-out is European


class DeepL:
    name = "deepl"
    batch_size = 50  # the documented maximum of texts per request

    def __init__(self, api_key: str, url: str | None = None, timeout: float = TIMEOUT) -> None:
        self.api_key = api_key
        self.url = (url or (DEEPL_FREE_URL if api_key.endswith(":fx") else DEEPL_PRO_URL)).rstrip("/")
        self.timeout = timeout

    async def languages(self, client: httpx.AsyncClient) -> Mapping[str, frozenset[str]]:
        targets = frozenset(_DEEPL_TARGET)
        return {source: targets - {source} for source in _DEEPL_SOURCE}

    async def translate(self, client: httpx.AsyncClient, texts: Sequence[str], source: str, target: str) -> list[str]:
        payload = {"text": list(texts), "source_lang": _DEEPL_SOURCE[source], "target_lang": _DEEPL_TARGET[target]}
        headers = {"Authorization": f"DeepL-Auth-Key {self.api_key}"}
        response = await client.post(f"{self.url}/v2/translate", json=payload, headers=headers, timeout=self.timeout)
        body = _json(response)
        found = body.get("translations") if isinstance(body, dict) else None
        if not isinstance(found, list) or len(found) != len(texts):
            raise TranslationError("unexpected translation")
        try:
            return [str(item["text"]) for item in found]
        except (KeyError, TypeError) as exc:
            raise TranslationError("unexpected translation") from exc
