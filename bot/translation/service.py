"""Which answers still need a translation into a reader's language, fetched in batches and stored once."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.config import Settings
from bot.engine.model import Kind
from bot.flows import all_flows
from bot.translation.providers import DeepL, LibreTranslate, Provider, TranslationError
from storage import Answer, Database, Participant
from storage import repository as repo

log = logging.getLogger(__name__)

CONCURRENT = 4  # requests in flight at once: a self-hosted server is one machine
MAX_CHARS = 30_000  # characters per request, well within DeepL's 128 KiB and a small server's patience
# Typed answers of the exercises; the introduction's name and organisation are names, not prose.
TYPED_KEYS = frozenset(
    flow.key(step) for flow in all_flows() if flow.letter for step in flow.steps if step.kind in (Kind.TEXT, Kind.LIST)
)


def provider_from_settings(settings: Settings) -> Provider | None:
    """The configured provider: LibreTranslate when TRANSLATE_URL is set, else DeepL with DEEPL_API_KEY."""
    if settings.translate_url:
        return LibreTranslate(settings.translate_url, settings.translate_api_key)
    if settings.deepl_api_key:
        return DeepL(settings.deepl_api_key, settings.deepl_api_url)
    return None


@dataclass(frozen=True)
class _Missing:
    answer_id: int
    value: str | list[str]
    source: str


def _missing(db: Database, workshop_id: int, target: str) -> list[_Missing]:
    with db.session() as session:
        query = (
            select(Answer)
            .join(Participant, col(Participant.id) == col(Answer.participant_id))
            .where(Participant.workshop_id == workshop_id, Answer.language != target)
        )
        rows = [a for a in session.exec(query) if f"{a.exercise}.{a.step}" in TYPED_KEYS and a.id is not None]
        done = repo.translations_of(session, [a.id for a in rows if a.id is not None], target)
        return [_Missing(a.id, a.value, a.language) for a in rows if a.id not in done and a.id is not None]


def _spoken(db: Database, workshop_id: int, target: str) -> list[tuple[int, str, str]]:
    with db.session() as session:
        return repo.transcript_sources(session, workshop_id, target)


def _store_spoken(db: Database, made: list[tuple[int, str, str]], target: str) -> int:
    with db.session() as session:
        for audio_id, transcript, text in made:
            repo.save_transcript_translation(session, audio_id, transcript, target, text)
    return len(made)


def _batches(texts: Sequence[str], size: int) -> list[list[str]]:
    batches: list[list[str]] = []
    current: list[str] = []
    chars = 0
    for text in texts:
        if current and (len(current) >= size or chars + len(text) > MAX_CHARS):
            batches.append(current)
            current, chars = [], 0
        current.append(text)
        chars += len(text)
    if current:
        batches.append(current)
    return batches


async def translate_missing(db: Database, workshop_id: int, target: str, provider: Provider | None) -> int:
    """Translate the workshop's typed answers and automatic transcripts that have no translation into
    ``target`` yet, and store them. Never raises for a failing provider: the summary then shows the
    originals. Returns how many answers and transcripts got a translation."""
    if provider is None:
        return 0  # nothing leaves the machine
    missing = await asyncio.to_thread(_missing, db, workshop_id, target)
    spoken = await asyncio.to_thread(_spoken, db, workshop_id, target)
    if not missing and not spoken:
        return 0
    by_source: dict[str, list[_Missing]] = defaultdict(list)
    for item in missing:
        by_source[item.source].append(item)
    stored = 0
    try:
        async with httpx.AsyncClient() as client:
            pairs = await provider.languages(client)
            limit = asyncio.Semaphore(CONCURRENT)

            async def one(texts: list[str], source: str) -> list[str]:
                async with limit:
                    return await provider.translate(client, texts, source, target)

            for source, items in by_source.items():
                if target not in pairs.get(source, ()):
                    continue  # this provider cannot: the original is shown with its language named
                # Each distinct text once: list items and repeated answers are common.
                texts = list(dict.fromkeys(t for i in items for t in _texts(i.value) if t.strip()))
                if not texts:
                    continue
                results = await asyncio.gather(*(one(b, source) for b in _batches(texts, provider.batch_size)))
                found = dict(zip(texts, (r for batch in results for r in batch), strict=True))
                made = [(i.answer_id, i.value, _translated(i.value, found)) for i in items]
                stored += await asyncio.to_thread(_store, db, made, target, provider.name)
            # Automatic transcripts of voice answers: translated the same way, kept on their recording.
            by_language: dict[str, list[tuple[int, str]]] = defaultdict(list)
            for audio_id, transcript, source in spoken:
                by_language[source].append((audio_id, transcript))
            for source, found in by_language.items():
                if target not in pairs.get(source, ()):
                    continue
                texts = list(dict.fromkeys(text for _id, text in found))
                results = await asyncio.gather(*(one(b, source) for b in _batches(texts, provider.batch_size)))
                done = dict(zip(texts, (r for batch in results for r in batch), strict=True))
                stored += await asyncio.to_thread(_store_spoken, db, [(i, text, done[text]) for i, text in found], target)
    except (httpx.HTTPError, TranslationError) as exc:
        # No answer text in the log: only what went wrong and where.
        log.warning("translation into %s via %s failed: %s", target, provider.name, type(exc).__name__ + f" {exc}")
    if stored:
        log.info("stored %d machine translations into %s via %s", stored, target, provider.name)
    return stored


def _texts(value: object) -> list[str]:
    """The typed text items of an answer; a voice answer (a dict) is not text to send."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def _translated(value: object, found: dict[str, str]) -> object:
    """The translation in the answer's own shape; a voice item keeps its place, untranslated ("")."""
    if isinstance(value, list):
        return [found.get(v, v) if isinstance(v, str) else "" for v in value]
    return found.get(value, value) if isinstance(value, str) else ""


def _store(db: Database, made: list[tuple[int, str | list[str], str | list[str]]], target: str, provider: str) -> int:
    try:
        with db.session() as session:
            return repo.save_translations(session, made, target, provider)
    except IntegrityError:
        return 0  # another worker stored these translations first: theirs are as good
