"""Voice answers through the real PTB Application and the fake Bot API: stored, refused, replaced,
heard by the facilitator (chat summary, meeting pack), erased, and transcribed only when configured."""

from __future__ import annotations

import csv
import io
import math
import re
import struct
import wave
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import select

from bot.conversation import Conversation
from bot.engine import Kind, Pick, Show
from bot.engine.runner import PLAY
from bot.engine.voice import MAX_BYTES
from bot.i18n import strip_isolates
from bot.pack import write_pack
from bot.transcribe import Transcriber
from bot.transcripts import transcribe_missing
from bot.transports.terminal import render
from storage import Answer, Audio, Database, Participant, Position
from storage import repository as repo
from tests.fake_bot_api import Call, FakeBotApi
from tests.fake_translate import FakeTranslator
from tests.telegram_helpers import Phone, Prompt, start_app, stop_app
from tests.test_telegram import ADMIN, FORMAL, INFORMAL, create_workshop, join, walk_until

TRANSCRIPT = "ሓገዝ ንስድራቤታት ብቋንቋኦም"  # Tigrinya: help for families in their own language


def wav(seconds: float = 0.5, pitch: float = 440.0) -> bytes:
    """A real, playable WAV file: a short tone (no speech engine needed)."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * pitch * i / rate))) for i in range(int(rate * seconds))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


class FakeTranscriber:
    """An OpenAI-compatible /v1/audio/transcriptions server on 127.0.0.1, owned by the tests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _transcribe(self, request: web.Request) -> web.Response:
        fields: dict[str, Any] = {"authorization": request.headers.get("Authorization")}
        async for part in await request.multipart():
            fields[part.name] = await part.read() if part.filename else await part.text()
            if part.filename:
                fields["filename"] = part.filename
        self.requests.append(fields)
        if "file" not in fields or "model" not in fields:
            return web.json_response({"error": {"message": "file and model are required"}}, status=400)
        return web.json_response({"text": TRANSCRIPT})


@pytest.fixture
async def stt() -> AsyncIterator[FakeTranscriber]:
    server = FakeTranscriber()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def app(api: FakeBotApi, db: Database):
    application = await start_app(api, db, frozenset({ADMIN}))
    yield application
    await stop_app(application)


def stored(db: Database) -> tuple[dict[str, object], list[Audio]]:
    with db.session() as session:
        participant = session.exec(select(Participant)).first()
        answers = repo.load_progress(session, participant.id).answers if participant else {}
        return answers, list(session.exec(select(Audio).order_by(Audio.id)))


async def test_a_voice_answer_is_saved_advances_and_can_be_replaced(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, FORMAL, "en", "Anna")
    await walk_until(phone, await join(api, phone, code), "a.seek")
    assert "voice message" in (await _help(phone)).lower()

    first = wav(0.5)
    mark = await phone.send_voice("v-first", 42, first)
    following = await phone.prompt(mark)
    assert following.key != "a.seek" and "Voice answer saved (0:42)" in following.text
    answers, audio = stored(db)
    assert [(a.file_id, a.data, a.answer_key, a.seconds) for a in audio] == [("v-first", first, "a.seek", 42)]
    assert answers["a.seek"] == {"voice": str(audio[0].id), "seconds": 42}
    assert api.downloads == ["voice/v-first.wav"]  # fetched through getFile and the file URL

    # Back at the step: the answer is listed, can be heard again (by file id) and a typed line added.
    mark = await phone.send("/back")
    back = await phone.prompt(mark)
    assert back.key == "a.seek" and "voice message (0:42)" in back.text
    assert f"a|a.seek|{PLAY}" in back.data
    mark = await phone.press(f"a|a.seek|{PLAY}", back.message_id)
    played = await phone.reply(mark, "sendVoice")
    assert played.params["voice"] == "v-first" and played.files == {}  # re-sent by file id, nothing uploaded
    again = await phone.prompt(mark)
    mark = await phone.send("Wijkteam Noord")
    await phone.prompt(mark)
    answers, audio = stored(db)
    assert answers["a.seek"] == {"voice": str(audio[0].id), "seconds": 42, "text": "Wijkteam Noord"}

    # A new recording replaces the old one, which is deleted; the typed line stays.
    mark = await phone.send("/back")
    assert (await phone.prompt(mark)).key == "a.seek"
    second = wav(0.3, 660)
    mark = await phone.send_voice("v-second", 7, second, kind="audio", mime="audio/wav")
    await phone.prompt(mark)
    answers, audio = stored(db)
    assert [(a.file_id, a.kind, a.data) for a in audio] == [("v-second", "audio", second)]
    assert answers["a.seek"] == {"voice": str(audio[0].id), "seconds": 7, "text": "Wijkteam Noord"}
    assert again.key == "a.seek"


async def _help(phone: Phone) -> str:
    mark = await phone.send("/help")
    return (await phone.reply(mark)).params["text"]


async def test_too_long_too_big_or_video_is_refused_and_nothing_changes(api: FakeBotApi, app, db: Database) -> None:
    code = await create_workshop(api)
    phone = Phone(api, FORMAL, "en")
    await walk_until(phone, await join(api, phone, code), "a.seek")
    before = stored(db)

    mark = await phone.send_voice("long", 200, wav())
    again = await phone.prompt(mark)
    assert again.key == "a.seek" and "3:20 long; at most 3 minutes fit" in again.text
    mark = await phone.send_voice("big", 60, wav(), size=MAX_BYTES + 1)
    again = await phone.prompt(mark)
    assert again.key == "a.seek" and "too large: at most 5 MB" in again.text
    mark = await phone.send_voice("lies", 60, b"x" * (MAX_BYTES + 10), size=1000)  # declared small, is not
    again = await phone.prompt(mark)
    assert again.key == "a.seek" and "too large" in again.text
    await api.push({"message": {"message_id": 9001, "date": 0, "chat": phone.chat, "from": phone.user,
                                "video_note": {"file_id": "vn", "file_unique_id": "vn", "length": 240, "duration": 3}}})
    again = await api.wait_for(lambda c: "Videos are not saved" in str(c.params.get("text")), after=mark)
    assert again.params["chat_id"] == FORMAL
    assert stored(db) == before  # no answer, no recording
    assert not [c for c in api.calls if c.method == "getFile" and c.params.get("file_id") in ("long", "big")]


async def _to_exercise_b_by_voice(api: FakeBotApi, phone: Phone, code: str) -> list[str]:
    """A Tigrinya key figure: onboarding typed, exercise A typed, every text and list step of B by voice."""
    prompt: Prompt = await join(api, phone, code)
    sent: list[str] = []
    for _ in range(200):
        kind, key = prompt.kind(), prompt.key
        if key.startswith("c."):
            return sent
        if kind is Kind.INFO:
            mark = await phone.press(f"a|{key}|_next", prompt.message_id)
        elif kind is Kind.YESNO:
            mark = await phone.press(prompt.button("yes"), prompt.message_id)  # the consent: before joining
        elif kind is Kind.CHOICE:
            option = "keyfigure" if key == "intro.role" else prompt.option_ids()[0]
            mark = await phone.press(f"a|{key}|{option}", prompt.message_id)
        elif kind is Kind.MULTI:
            mark = await phone.press(f"a|{key}|{prompt.option_ids()[0]}", prompt.message_id)
            await phone.reply(mark, "editMessageReplyMarkup")
            mark = await phone.press(f"a|{key}|_done", prompt.message_id)
        elif key.startswith("b."):
            file_id = f"tg-{key}"
            mark = await phone.send_voice(file_id, 30 + len(sent), wav(0.2, 300 + 40 * len(sent)))
            sent.append(file_id)
            if kind is Kind.LIST:
                prompt = await phone.prompt(mark)
                assert prompt.key == key and "ናይ ድምጺ መልሲ ተዓቂቡ (0:" in prompt.text  # "Voice answer saved (0:31)"
                assert "🎤 ናይ ድምጺ መልእኽቲ (0:" in prompt.text  # the list so far, in Tigrinya
                mark = await phone.press(f"a|{key}|_done", prompt.message_id)
        elif kind is Kind.TEXT:
            mark = await phone.send("Selam" if key == "intro.name" else f"ጽሑፍ {key}")
        elif kind is Kind.LIST:
            mark = await phone.send(f"ጽሑፍ {key}")
            prompt = await phone.prompt(mark)
            mark = await phone.press(f"a|{key}|_done", prompt.message_id)
        else:
            raise AssertionError(kind)
        prompt = await phone.prompt(mark)
        if key.startswith("b.") and kind is Kind.TEXT:
            assert "ናይ ድምጺ መልሲ ተዓቂቡ (0:" in prompt.text  # confirmed in Tigrinya, then the next question
    raise AssertionError("did not reach exercise C")


async def test_tigrinya_key_figure_answers_b_by_voice_and_the_facilitator_hears_it(
    api: FakeBotApi, app, db: Database, tmp_path
) -> None:
    code = await create_workshop(api)
    with db.session() as session:
        repo.workshop_by_code(session, code).length = "full"  # every text and list step of B
    phone = Phone(api, INFORMAL, "ti", "Selam")
    sent = await _to_exercise_b_by_voice(api, phone, code)
    assert len(sent) >= 5

    # The participant hears their answers again from /myanswers.
    mark = await phone.send("/myanswers")
    overview = await phone.prompt(mark)
    mark = await phone.press(f"a|{overview.key}|_play", overview.message_id)
    await api.wait_for(lambda c: c.method == "sendVoice" and c.params.get("voice") == sent[-1], after=mark)
    played = [c for c in api.sent_to(INFORMAL, mark) if c.method == "sendVoice"]
    assert [c.params["voice"] for c in played] == sent
    assert all(c.params.get("caption") and c.files == {} for c in played)  # each with its question, by file id

    # The facilitator's summary re-sends every one by file id, grouped per question, with who spoke.
    admin = Phone(api, ADMIN, "en")
    mark = await admin.send(f"/summary {code}")
    await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark)
    voices = [c for c in api.sent_to(ADMIN, mark) if c.method == "sendVoice"]
    assert [c.params["voice"] for c in voices] == sent
    assert all(c.files == {} and "Selam" in c.params["caption"] and "Informal workers" in c.params["caption"] for c in voices)
    headers = [c.params["text"] for c in api.sent_to(ADMIN, mark) if c.method == "sendMessage" and c.params["text"].startswith("🎤")]
    assert len(headers) == len(sent) and all(h.startswith("🎤 B. ") for h in headers)  # one per question of B
    summary = next(c for c in api.calls[mark:] if c.method == "sendDocument" and c.filename == "summary.txt")
    assert "🎤 voice message (0:30)" in summary.files["document"].decode()

    # The meeting pack folder holds every recording, and the page has a player pointing at each.
    with db.session() as session:
        data = repo.workshop_answers(session, repo.workshop_by_code(session, code))
        recordings = repo.audio_data(session, data.audio)
    written = write_pack(data, tmp_path, "en", recordings)
    page = (tmp_path / "pack.html").read_text(encoding="utf-8")
    csv_text = (tmp_path / "answers.csv").read_text(encoding="utf-8-sig")
    assert len(recordings) == len(sent)
    for ref, audio in data.audio.items():
        name = f"voice-{ref}.wav"
        assert (tmp_path / name).read_bytes() == recordings[ref] and (tmp_path / name) in written
        assert f'<audio controls preload="none" src="{name}"></audio>' in page
        assert f"🎤 {name} (0:" in csv_text
        assert audio.file_id in sent


async def test_the_pack_page_plays_the_recording_in_a_browser(db: Database, tmp_path) -> None:
    from tests.test_browser import CHROMIUM, FLAGS

    if CHROMIUM is None:
        pytest.skip("no chromium found (Debian: apt-get install chromium; .ci/run does that)")
    playwright = pytest.importorskip("playwright.async_api", reason="the test extra installs playwright")
    conversation, _pid = _participant_at_a_text_step(db)
    incoming = repo.IncomingAudio("voice", "f1", "u1", "audio/wav", 2, 0, wav(2.0))
    reply = conversation.handle_voice("term:p1", incoming)
    assert reply is not None and reply.outcome.accepted
    with db.session() as session:
        data = repo.workshop_answers(session, session.get(repo.Workshop, reply.workshop_id))
        write_pack(data, tmp_path, "en", repo.audio_data(session, data.audio))
    async with playwright.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = await browser.new_page()
        await page.goto((tmp_path / "pack.html").as_uri())
        length = await page.evaluate(
            """() => new Promise((ok, fail) => { const a = document.querySelector('audio');
                 a.addEventListener('loadedmetadata', () => ok(a.duration)); a.addEventListener('error', () => fail('error'));
                 a.preload = 'metadata'; a.load(); })"""
        )
        await browser.close()
    assert abs(length - 2.0) < 0.1  # the browser read the file beside the page


def _participant_at_a_text_step(db: Database, user: str = "p1") -> tuple[Conversation, int]:
    with db.session() as session:
        workshop = repo.create_workshop(session, "Wijk Noord", "term:fac", exercises=["a"], length="full")
        participant = repo.join(session, workshop, f"term:{user}", language="en")
        pid = participant.id
    conversation = Conversation(db)
    view = conversation.handle(pid, Show()).outcome.view
    from tests.test_conversation import go_to

    go_to(lambda e: conversation.handle(pid, e).outcome.view, view, "a.who")
    return conversation, pid


def test_lists_take_voice_items_and_choices_refuse_them(db: Database) -> None:
    conversation, pid = _participant_at_a_text_step(db)
    incoming = repo.IncomingAudio("voice", "f1", "u1", "audio/ogg", 5, 0, b"OggS1")
    assert conversation.handle_voice("term:p1", incoming).outcome.view.key != "a.who"
    handle = lambda e: conversation.handle(pid, e).outcome.view  # noqa: E731
    from tests.test_conversation import go_to

    view = go_to(handle, handle(Show()), "a.focus")  # a choice
    reply = conversation.handle_voice("term:p1", repo.IncomingAudio("voice", "f2", "u2", "audio/ogg", 5, 0, b"OggS2"))
    assert not reply.outcome.accepted and reply.outcome.view.notice == "Please choose one of the options."
    view = go_to(handle, view, "a.owngoals")  # a list
    assert view.voice and view.kind is Kind.LIST
    reply = conversation.handle_voice("term:p1", repo.IncomingAudio("voice", "f3", "u3", "audio/ogg", 65, 0, b"OggS3"))
    assert reply.outcome.view.key == "a.owngoals" and "Voice answer saved (1:05)" in reply.outcome.view.notice
    assert "🎤 voice message (1:05)" in reply.outcome.view.text
    assert conversation.handle(pid, Pick(PLAY, at="a.owngoals")).outcome.play == (reply.outcome.changes["a.owngoals"][0]["voice"],)
    _answers, audio = stored(db)
    assert [a.file_id for a in audio] == ["f1", "f3"]  # the refused one was not kept
    conversation.handle(pid, Pick("_clear", at="a.owngoals"))  # emptying the list deletes its recording
    assert [a.file_id for a in stored(db)[1]] == ["f1"]
    assert "Voice answers need Telegram" in render(view, "en")
    # The closing review offers to listen to every voice answer again.
    review = go_to(handle, handle(Show()), "review.overview")
    listen = next(o for o in review.options if o.id == PLAY)
    assert conversation.handle(pid, Pick(listen.id, at=review.key)).outcome.play == (str(stored(db)[1][0].id),)


def test_erasure_removes_the_recordings(db: Database) -> None:
    conversation, pid = _participant_at_a_text_step(db, "p1")
    conversation.handle_voice("term:p1", repo.IncomingAudio("voice", "f1", "u1", "audio/ogg", 5, 0, b"OggS1"))
    other, other_pid = _participant_at_a_text_step(db, "p2")
    other.handle_voice("term:p2", repo.IncomingAudio("voice", "f2", "u2", "audio/ogg", 5, 0, b"OggS2"))
    with db.session() as session:
        assert repo.delete_audio_for_participant(session, pid) == 1
    assert [a.file_id for a in stored(db)[1]] == ["f2"]
    with db.session() as session:
        workshop_id = session.get(Participant, other_pid).workshop_id
        assert repo.delete_audio_for_workshop(session, workshop_id) == 1
    assert stored(db)[1] == []
    # Deleting the participant (as /forget and retention do) takes their recordings with it.
    third, third_pid = _participant_at_a_text_step(db, "p3")
    third.handle_voice("term:p3", repo.IncomingAudio("voice", "f3", "u3", "audio/ogg", 5, 0, b"OggS3"))
    with db.session() as session:
        for row in session.exec(select(Answer).where(Answer.participant_id == third_pid)):
            session.delete(row)
        session.delete(session.get(Position, third_pid))
        repo.account_for(session, "term:p3").active_participant_id = None
        session.flush()
        session.delete(session.get(Participant, third_pid))
    with db.session() as session:
        assert list(session.exec(select(Audio))) == []


async def test_transcription_only_with_a_provider(db: Database, stt: FakeTranscriber) -> None:
    conversation, _pid = _participant_at_a_text_step(db)
    conversation.handle_voice("term:p1", repo.IncomingAudio("voice", "f1", "u1", "audio/ogg", 5, 0, b"OggS-bytes"))
    assert await transcribe_missing(db, None) == 0  # no provider: nothing leaves the machine
    assert stt.requests == []
    transcriber = Transcriber(url=stt.url, model="whisper-large-v3", api_key="secret-key")
    assert await transcribe_missing(db, transcriber) == 1
    [request] = stt.requests
    assert request["file"] == b"OggS-bytes" and request["model"] == "whisper-large-v3"
    assert request["filename"].endswith(".ogg") and request["authorization"] == "Bearer secret-key"
    assert await transcribe_missing(db, transcriber) == 0  # made once
    [audio] = stored(db)[1]
    assert audio.transcript == TRANSCRIPT and audio.transcribed_at is not None


async def test_the_summary_shows_automatic_transcripts_when_configured(api: FakeBotApi, db: Database, stt: FakeTranscriber) -> None:
    for configured in (False, True):
        extra = {"transcribe_url": stt.url} if configured else {}
        application = await start_app(api, db, frozenset({ADMIN}), **extra)
        try:
            code = await create_workshop(api, f"Ronde {configured}")
            phone = Phone(api, FORMAL + configured, "en")
            await walk_until(phone, await join(api, phone, code), "a.seek")
            mark = await phone.send_voice(f"v{configured}", 12, wav(0.2))
            await phone.prompt(mark)
            admin = Phone(api, ADMIN, "en")
            mark = await admin.send(f"/summary {code}")
            voice = await admin.reply(mark, "sendVoice")
            summary = await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark)
        finally:
            await stop_app(application)
        text = summary.files["document"].decode()
        if configured:
            assert f"automatic transcript: {TRANSCRIPT}" in strip_isolates(voice.params["caption"])
            assert f"automatic transcript: {TRANSCRIPT}" in strip_isolates(text) and stt.requests
        else:
            assert "automatic transcript" not in text and "caption" in voice.params
            assert stt.requests == []  # not configured: the recording never left the machine


DUTCH = "hulp voor gezinnen in hun eigen taal"


async def _dutch_workshop(api: FakeBotApi, title: str) -> str:
    admin = Phone(api, ADMIN, "nl")  # a Dutch facilitator reads the summary in Dutch
    reply = await admin.reply(await admin.send(f"/new {title}"))
    match = re.search(r"\?start=([A-Za-z0-9]+)", reply.params["text"])
    assert match, reply.params["text"]
    return match.group(1)


async def _dutch_summary(api: FakeBotApi, code: str) -> tuple[Call, dict[str, bytes]]:
    """The facilitator's /summary in Dutch: the voice answer's caption and the documents."""
    admin = Phone(api, ADMIN, "nl")
    mark = await admin.send(f"/summary {code}")
    voice = await admin.reply(mark, "sendVoice")
    await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", after=mark, timeout=60)
    return voice, {c.filename: c.files["document"] for c in api.sent_to(ADMIN, mark) if c.method == "sendDocument"}


async def test_transcripts_are_translated_once_for_the_reader_only_with_a_provider(
    api: FakeBotApi, db: Database, stt: FakeTranscriber
) -> None:
    translator = FakeTranslator({("nl", TRANSCRIPT): DUTCH})
    await translator.start()
    try:
        for configured in (False, True):
            extra = {"transcribe_url": stt.url} | ({"translate_url": translator.url} if configured else {})
            application = await start_app(api, db, frozenset({ADMIN}), **extra)
            try:
                code = await _dutch_workshop(api, f"Ronde {configured}")
                phone = Phone(api, INFORMAL + configured, "ar")  # speaks Arabic: the transcript is in Arabic
                await walk_until(phone, await join(api, phone, code), "a.seek")
                await phone.prompt(await phone.send_voice(f"ar{configured}", 12, wav(0.2)))
                voice, files = await _dutch_summary(api, code)
                caption = strip_isolates(voice.params["caption"])
                if not configured:
                    assert translator.requests == []  # no provider: nothing left the machine
                    assert f"automatische transcriptie: {TRANSCRIPT} (Arabisch)" in caption  # as typed answers
                    continue
                asked = len(translator.translations)
                again, _files = await _dutch_summary(api, code)  # stored once: nothing new is asked
                assert len(translator.translations) == asked
            finally:
                await stop_app(application)
    finally:
        await translator.stop()
        assert translator.violations == [], translator.violations
    assert translator.texts().count(TRANSCRIPT) == 1 and {r.body["source"] for r in translator.translations} == {"ar"}
    # The chat caption: marked as automatic transcript, the translation beside it marked 🌐 (machine translation).
    assert f"automatische transcriptie: {TRANSCRIPT} 🌐 {DUTCH}" in caption
    assert f"{TRANSCRIPT} 🌐 {DUTCH}" in strip_isolates(again.params["caption"])
    assert f"automatische transcriptie: {TRANSCRIPT} 🌐 {DUTCH}" in strip_isolates(files["summary.txt"].decode())
    page = files["meeting-pack.html"].decode()
    assert "automatische transcriptie:" in page and f'title="machinevertaling">🌐 {DUTCH}</span>' in page
    table = list(csv.reader(io.StringIO(files["answers.csv"].decode("utf-8-sig"))))
    [row] = [r for r in table if TRANSCRIPT in r[7]]
    assert f"automatische transcriptie: {TRANSCRIPT}" in row[7] and DUTCH not in row[7]  # the answer as transcribed
    assert f"automatische transcriptie: {DUTCH}" in row[8]  # the machine translation column
    with db.session() as session:
        audio = session.exec(select(Audio).where(Audio.file_id == "arTrue")).one()
        assert audio.transcript == TRANSCRIPT and audio.transcript_translations == {"nl": DUTCH}
        repo.save_transcript_translation(session, audio.id, "older words", "en", "x")  # not of this transcript
    with db.session() as session:
        assert session.get(Audio, audio.id).transcript_translations == {"nl": DUTCH}
