#!/usr/bin/env python
"""Load benchmark: the project, the fair floor and a bare echo bot, side by side, through a fake Bot API.

Run from the repository root::

    python benchmarks/load.py --quick                       # a short run: every configuration, small
    python benchmarks/load.py                               # the full run (SQLite)
    python benchmarks/load.py --db sqlite postgres --modes closed --limiter off --closed 100

The three bots, each a subprocess started the way it is run for real:

- ``bot``: the project, ``python -m bot run`` (long polling), configured by environment variables only;
- ``floor``: benchmarks/floor.py, the fair floor: the smallest honest python-telegram-bot bot doing the
  unavoidable work per input (answer the press, take the pressed message's buttons off, commit the answer
  and position in one transaction, send the next prompt) on the same database settings;
- ``echo``: one text handler and one button handler that echo (python-telegram-bot alone).

Two modes: ``closed`` (N participants, each sending the next input as soon as the answer to the last one
arrived: the most the bot can do; measured from the moment all of them have joined, so what is measured is
answering) and ``human`` (each thinks 4-12 s between an answer and the next input;
they open the join link spread over the first ``--ramp`` seconds). Both with the shipped configuration
(rate limiter on) and without it (``TELEGRAM_RATE_LIMIT=off``). Every run lasts ``--duration`` seconds of
inputs; then the answers still on their way are awaited.

Reported per run: replies/s, p50/p99 latency (input pushed to the fake server -> the bot's answering call
received), CPU ms per reply (the bot process's user+system time from /proc over the window), Bot API calls
per input (getUpdates excluded), peak RSS (sampled VmRSS during the window; VmHWM of the whole life too),
expired callback queries (answered more than 15 s after the press, or never), the ratios to the fair floor,
and "overall limit" log lines of the bot. Every run checks that every answer given was committed (the
project's tables, the floor's own) and that every participant's prompts came in order.

The fake Bot API (tests.fake_bot_api) and the simulated people run in this process; their CPU is not the
bot's. ``--py-spy DIR`` records the project's process during each run (raw collapsed stacks, only while holding the GIL: CPU, not waits).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test_i12")
TOKEN = "123456:BENCH-TOKEN-never-logged"
ADMIN = 1001
FIRST_USER = 300_000  # the simulated participants' Telegram ids
FIRST_SEEDED = 900_000  # the stored participants of the memory check
LANGUAGES = ("nl", "en", "tr", "ar")  # the participants' Telegram language_code, in turn
THINK = (4.0, 12.0)  # seconds a person takes between an answer and their next input
EXPIRY = 15.0  # Telegram expires a callback query after about this long
REPLY_TIMEOUT = 180.0  # seconds one participant waits for one answer before giving up
TICKS = os.sysconf("SC_CLK_TCK")
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)
_run_numbers = itertools.count(1)


# --- the bot processes ------------------------------------------------------------------------


def _proc_status(pid: int, name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def serve_echo() -> None:
    """The framework's floor: python-telegram-bot with one text and one button handler, nothing else."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and update.effective_chat is not None
        await query.answer()
        await context.bot.send_message(update.effective_chat.id, query.data or "?")

    app = ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["TELEGRAM_API_URL"]).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


class BotProcess:
    """One bot as a subprocess, measured from outside through /proc."""

    def __init__(self, kind: str, api_url: str, database_url: str, limiter: bool, workdir: Path, name: str) -> None:
        self.kind = kind
        self.log_path = workdir / f"{name}.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": database_url,
            "BOT_ADMINS": str(ADMIN),
            "TELEGRAM_RATE_LIMIT": "on" if limiter else "off",
            "LOG_LEVEL": "INFO",
        }
        self.workdir = workdir
        self.proc: asyncio.subprocess.Process | None = None
        self.peak_kb = 0
        self._sampling = False

    async def start(self) -> None:
        command = {
            "bot": [sys.executable, "-m", "bot", "run"],  # exactly how the README starts it
            "floor": [sys.executable, str(ROOT / "benchmarks" / "floor.py")],
            "echo": [sys.executable, str(Path(__file__).resolve()), "--serve-echo"],
        }[self.kind]
        with self.log_path.open("wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *command, stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.workdir, env=self.env
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu(self) -> float:
        return _proc_cpu(self.pid)

    def hwm_kb(self) -> int:
        return _proc_status(self.pid, "VmHWM")

    async def sample(self) -> None:
        self._sampling = True
        while self._sampling:
            self.peak_kb = max(self.peak_kb, _proc_status(self.pid, "VmRSS"))
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        self._sampling = False
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)  # as Ctrl-C: run_polling shuts down cleanly
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []


# --- the fake Telegram, handing each call to the person waiting for it -------------------------


def make_api():
    """tests.fake_bot_api.FakeBotApi, but each call goes straight to the one person waiting for it.

    The tests' ``wait_for`` rescans the whole call log for every waiter at every call; with hundreds of
    people waiting that would make the load generator, not the bot, the bottleneck."""
    from tests.fake_bot_api import Call, FakeBotApi

    class CallSink(list):
        def __init__(self, deliver: Callable[[Call], None]) -> None:
            super().__init__()
            self._deliver = deliver

        def append(self, call: Call) -> None:
            self._deliver(call)

    class BenchApi(FakeBotApi):
        def __init__(self) -> None:
            super().__init__()
            self.calls = CallSink(self._deliver)
            self.methods: Counter[str] = Counter()
            self.pressed: dict[str, float] = {}  # callback query id -> when it was pushed
            self.callback_delays: list[float] = []
            self._waiting: dict[int, tuple[Callable[[Call], bool], asyncio.Future]] = {}
            self._seen: dict[int, list[tuple[str, float]]] = {}  # chat -> (method, when) since the input

        def expect(self, chat_id: int, predicate: Callable[[Call], bool]) -> asyncio.Future:
            future = asyncio.get_running_loop().create_future()
            self._waiting[chat_id] = (predicate, future)
            self._seen[chat_id] = []
            return future

        def _deliver(self, call: Call) -> None:
            now = time.perf_counter()
            self.methods[call.method] += 1
            if call.method == "answerCallbackQuery":
                pushed = self.pressed.pop(call.params.get("callback_query_id"), None)
                if pushed is not None:
                    self.callback_delays.append(now - pushed)
            waiting = self._waiting.get(call.params.get("chat_id"))  # type: ignore[arg-type]
            if waiting is None:
                return
            seen = self._seen[call.params["chat_id"]]
            seen.append((call.method, now))
            if waiting[0](call) and not waiting[1].done():
                del self._waiting[call.params["chat_id"]]
                waiting[1].set_result((call, now, seen))

    return BenchApi()


# --- simulated people ----------------------------------------------------------------------------


class Window:
    """The measured time. At human pace it opens at once (joining is part of the load); in a closed loop it
    opens once every participant has joined, so that what is measured is answering."""

    def __init__(self, mode: str, people: int, duration: float, on_open: Callable[[], None]) -> None:
        self.mode, self.people, self.duration, self.on_open = mode, people, duration, on_open
        self.end = float("inf")
        self.joined = 0
        self.opened = asyncio.Event()
        if mode == "human":
            self.open()

    def open(self) -> None:
        if not self.opened.is_set():
            self.on_open()
            self.end = time.perf_counter() + self.duration
            self.opened.set()

    async def join(self) -> None:
        self.joined += 1
        if self.joined >= self.people:
            self.open()
        await self.opened.wait()


class Pacer:
    """When the next input goes: at once (closed loop) or after a person's pause (human pace); none after the end."""

    def __init__(self, mode: str, window: Window, seed: int) -> None:
        self.mode, self.window = mode, window
        self.rng = random.Random(seed)

    async def first(self, ramp: float) -> bool:
        if self.mode == "human":
            await asyncio.sleep(self.rng.uniform(0, ramp))
        return time.perf_counter() < self.window.end

    async def joined(self) -> None:
        await self.window.join()

    async def next(self) -> bool:
        if self.mode == "human":
            await asyncio.sleep(self.rng.uniform(*THINK))
        return time.perf_counter() < self.window.end


COUNTED_METHODS = ("sendMessage", "sendDocument", "sendPhoto", "sendAudio", "sendVoice", "sendMediaGroup")


@dataclass
class Exchange:
    """One input and its reply, for --breakdown: what the reply held and when its messages came."""

    what: str  # "text" or "press"
    latency: float  # the input pushed -> the awaited call (the prompt, or the tick's redraw)
    first: float  # the input pushed -> the first call of the reply in this chat (any method)
    sends: list[float]  # the input pushed -> each new message (counted by Telegram's limits), in order


@dataclass
class Person:
    api: Any
    user_id: int
    language: str
    latencies: list[float] = field(default_factory=list)
    inputs: int = 0
    keys: list[str] = field(default_factory=list)  # the steps of the prompts received, in order
    given: dict[str, object] = field(default_factory=dict)  # what should now be stored
    script: list[str] = field(default_factory=list)  # "text", "press" or "tick", in order: the floor replays them
    exchanges: list[Exchange] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.user = {"id": self.user_id, "is_bot": False, "first_name": f"P{self.user_id}", "language_code": self.language}
        self.chat = {"id": self.user_id, "type": "private", "first_name": f"P{self.user_id}"}

    async def _exchange(self, update: dict[str, Any], predicate: Callable[[Any], bool]) -> Any:
        future = self.api.expect(self.user_id, predicate)
        start = time.perf_counter()
        if "callback_query" in update:
            self.api.pressed[update["callback_query"]["id"]] = start
        await self.api.push(update)
        self.inputs += 1
        call, answered, seen = await asyncio.wait_for(future, REPLY_TIMEOUT)
        self.latencies.append(answered - start)
        what = "press" if "callback_query" in update else "text"
        sends = [at - start for method, at in seen if method in COUNTED_METHODS]
        self.exchanges.append(Exchange(what, answered - start, seen[0][1] - start, sends))
        return call

    async def send(self, text: str, predicate: Callable[[Any], bool]) -> Any:
        message: dict[str, Any] = {"message_id": next(_message_ids), "date": int(time.time()), "chat": self.chat, "from": self.user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._exchange({"message": message}, predicate)

    async def press(self, data: str, message_id: int, predicate: Callable[[Any], bool]) -> Any:
        from tests.fake_bot_api import BOT_USER

        message = {"message_id": message_id, "date": int(time.time()), "chat": self.chat, "from": BOT_USER, "text": "…"}
        query = {"id": f"cb{next(_callback_ids)}", "from": self.user, "chat_instance": "ci", "data": data, "message": message}
        return await self._exchange({"callback_query": query}, predicate)


def _is_tick(call: Any) -> bool:
    return call.method == "editMessageReplyMarkup" and bool(call.params.get("reply_markup"))


async def walk_bot(person: Person, code: str, flows: frozenset[str], pacer: Pacer, ramp: float) -> None:
    """tests.telegram_helpers.walk, bounded to ``flows`` and to the pacer's end; ``person.given`` kept current."""
    from bot.engine import Kind
    from tests.telegram_helpers import ROLE_FOR_SIDE, Prompt, buttons, is_prompt

    def prompt_of(call: Any) -> Prompt:
        data = buttons(call)[0]["callback_data"]
        key = "intro.consent" if data.startswith("j|") else data.split("|")[1]  # the consent before joining
        prompt = Prompt(call, key, call.result["message_id"])
        person.keys.append(prompt.key)
        return prompt

    side = "formal" if person.user_id % 2 else "informal"
    tag = f"P{person.user_id}"
    given = person.given
    script = person.script
    if not await pacer.first(ramp):
        return
    script.append("text")
    try:
        prompt = prompt_of(await person.send(f"/start {code}", is_prompt))
    finally:
        await pacer.joined()
    while await pacer.next():
        key = prompt.key
        if key.split(".")[0] not in flows:
            return
        kind = prompt.kind()
        script.append("text" if kind is Kind.TEXT or (kind is Kind.LIST and len(given.get(key) or []) < 2) else "press")
        if kind is Kind.MULTI and len(given.get(key) or []) < 2:
            script[-1] = "tick"
        if kind is Kind.REVIEW:
            await person.press(f"a|{key}|finish", prompt.message_id, is_prompt)
            return
        if kind is Kind.INFO:
            call = await person.press(f"a|{key}|_next", prompt.message_id, is_prompt)
        elif kind is Kind.TEXT:
            given[key] = text = f"{tag} {key} <b>&</b> antwoord"
            call = await person.send(text, is_prompt)
        elif kind is Kind.YESNO:
            given[key] = "yes"
            call = await person.press(prompt.button("yes"), prompt.message_id, is_prompt)
        elif kind is Kind.CHOICE:
            given[key] = option = ROLE_FOR_SIDE[side] if key == "intro.role" else prompt.option_ids()[-1]
            call = await person.press(f"a|{key}|{option}", prompt.message_id, is_prompt)
        elif kind is Kind.MULTI:
            picked = [str(o) for o in (given.get(key) or [])]
            missing = [o for o in prompt.option_ids()[:2] if o not in picked]
            if missing:  # one tick per input
                await person.press(f"a|{key}|{missing[0]}", prompt.message_id, _is_tick)
                given[key] = [*picked, missing[0]]
                continue
            call = await person.press(f"a|{key}|_done", prompt.message_id, is_prompt)
        elif kind is Kind.LIST:
            items = [str(i) for i in (given.get(key) or [])]
            if len(items) < 2:
                item = f"{tag} {key} punt {len(items) + 1}"
                prompt = prompt_of(await person.send(item, is_prompt))
                given[key] = [*items, item]
                continue
            call = await person.press(f"a|{key}|_done", prompt.message_id, is_prompt)
        else:
            raise AssertionError(kind)
        prompt = prompt_of(call)


def script_for(flows: frozenset[str]) -> list[str]:
    """The kinds of input a walk of ``flows`` makes, in order: what the floor and the echo bot are sent."""
    from bot.engine import Kind
    from bot.flows import all_flows

    per_kind = {
        Kind.INFO: ["press"], Kind.TEXT: ["text"], Kind.YESNO: ["press"], Kind.CHOICE: ["press"],
        Kind.MULTI: ["tick", "tick", "press"], Kind.LIST: ["text", "text", "press"], Kind.REVIEW: ["press"],
    }  # fmt: skip
    script = ["text"]  # /start CODE
    for flow in all_flows():
        if flow.id in flows:
            for step in flow.steps:
                script += per_kind[step.kind]
    return script


async def walk_floor(person: Person, script: list[str], pacer: Pacer, ramp: float, echo: bool) -> None:
    """The same kinds of input as the project's participant, in the same order (again from the start when the
    script runs out)."""
    if not await pacer.first(ramp):
        return
    step, message_id = 0, 0
    for index, what in enumerate(itertools.cycle(script)):
        if index == 1:
            await pacer.joined()
        if index and not await pacer.next():
            return
        if echo:
            payload = f"e{person.user_id}|{index}"

            def echoed(call: Any, payload: str = payload) -> bool:
                return call.method == "sendMessage" and call.params.get("text") == payload

            await (person.send(payload, echoed) if what == "text" else person.press(payload, 1, echoed))
            continue

        def prompt(call: Any) -> bool:
            return call.method == "sendMessage" and call.params.get("text", "").startswith("step ")

        if what == "tick":
            await person.press(f"t|{step}", message_id, _is_tick)
            person.given[str(step)] = f"t|{step}"
            continue
        if what == "text":
            value = f"P{person.user_id} {index} <b>&</b> antwoord"
            call = await person.send(value, prompt)
        else:
            value = f"p|{step}"
            call = await person.press(value, message_id, prompt)
        person.given[str(step)] = value
        step, message_id = int(call.params["text"].split()[1]), call.result["message_id"]
        person.keys.append(str(step))


# --- databases -------------------------------------------------------------------------------


def fresh_database(backend: str, workdir: Path, name: str) -> str:
    """A new, migrated database: a SQLite file in ``workdir`` or the emptied PostgreSQL benchmark database."""
    from storage import Database

    if backend == "postgres":
        from tests.conftest import reset_postgres

        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{workdir / (name + '.sqlite3')}"
    Database(url).dispose()  # migrations run here, not in the measured window
    return url


def full_length(database_url: str, code: str) -> None:
    """The whole hand-out (the full preparation), so that a walk is long enough to measure."""
    from storage import Database
    from storage import repository as repo

    db = Database(database_url, migrate=False)
    try:
        with db.session() as session:
            workshop = repo.workshop_by_code(session, code)
            assert workshop is not None
            workshop.length = "full"
            session.add(workshop)
    finally:
        db.dispose()


def seed_participants(database_url: str, code: str, count: int, flows: frozenset[str]) -> int:
    """``count`` participants in the workshop, each with an answer to every step of ``flows``; returns the answers."""
    from bot.engine import Kind
    from bot.flows import all_flows
    from storage import Database
    from storage import repository as repo

    steps = [(f, s) for f in all_flows() if f.id in flows for s in f.steps if s.kind not in (Kind.INFO, Kind.REVIEW)]
    db = Database(database_url, migrate=False)
    stored = 0
    try:
        with db.session() as session:
            workshop = repo.workshop_by_code(session, code)
            assert workshop is not None
        for first in range(0, count, 100):
            with db.session() as session:
                for number in range(first, min(count, first + 100)):
                    user = FIRST_SEEDED + number
                    participant = repo.join(session, workshop, f"tg:{user}", language="nl", chat_id=user)
                    answers: dict[str, str | list[str] | None] = {}
                    for flow, step in steps:
                        key = f"{flow.id}.{step.id}"
                        if step.kind is Kind.TEXT:
                            answers[key] = f"Opgeslagen deelnemer {user}, antwoord op {key}: " + "tekst " * 20
                        elif step.kind is Kind.LIST:
                            answers[key] = [f"{user} {key} punt {i}" for i in range(3)]
                        elif step.kind is Kind.MULTI:
                            answers[key] = [o.id for o in step.options[:2]]
                        else:
                            answers[key] = step.options[0].id if step.options else "yes"
                    repo.save_answers(session, participant.id, answers, "nl")
                    repo.save_position(session, participant.id, "c", "intro", sorted(flows), False)
                    stored += len(answers)
    finally:
        db.dispose()
    return stored


def check_bot_database(database_url: str, people: list[Person]) -> tuple[int, int, list[str]]:
    """Answers found for the walkers, answers expected, and every difference."""
    from sqlmodel import select

    from storage import Answer, Database, Participant

    db = Database(database_url, migrate=False)
    problems: list[str] = []
    found = expected = 0
    try:
        with db.session() as session:
            for person in people:
                if not person.inputs:
                    continue
                expected += len(person.given)
                participant = session.exec(select(Participant).where(Participant.user_key == f"tg:{person.user_id}")).first()
                if participant is None:
                    problems.append(f"{person.user_id}: no participant")
                    continue
                rows = session.exec(select(Answer).where(Answer.participant_id == participant.id)).all()
                found += len(rows)
                stored = {f"{a.exercise}.{a.step}": a.value for a in rows}
                if stored != person.given:
                    keys = sorted(k for k in set(stored) | set(person.given) if stored.get(k) != person.given.get(k))
                    problems.append(f"{person.user_id}: stored answers differ from the answers given at {keys[:6]}")
    finally:
        db.dispose()
    return found, expected, problems


def check_floor_database(database_url: str, people: list[Person]) -> tuple[int, int, list[str]]:
    from sqlalchemy import text

    from storage import Database

    db = Database(database_url, migrate=False)
    problems: list[str] = []
    found = expected = 0
    try:
        with db.engine.connect() as conn:
            for person in people:
                if not person.inputs:
                    continue
                rows = conn.execute(text("SELECT step, value FROM floor_answers WHERE user_id = :u"), {"u": person.user_id})
                stored = {str(step): value for step, value in rows}
                expected += len(person.given)
                found += len(stored)
                if stored != person.given:
                    problems.append(f"{person.user_id}: stored answers differ from the answers given")
    finally:
        db.dispose()
    return found, expected, problems


def check_order(person: Person) -> str | None:
    """The prompts a participant saw follow the step order: nothing skipped back or repeated."""
    from bot.flows import all_flows

    if not person.keys:
        return None
    if person.keys[0].isdigit():  # the floor numbers its steps
        numbers = [int(k) for k in person.keys]
        return None if numbers == list(range(1, len(numbers) + 1)) else f"{person.user_id}: floor prompts out of order"
    index = {f"{f.id}.{s.id}": (i, j) for i, f in enumerate(all_flows()) for j, s in enumerate(f.steps)}
    distinct = [k for n, k in enumerate(person.keys) if n == 0 or person.keys[n - 1] != k]
    positions = [index[k] for k in distinct]
    if positions != sorted(positions) or len(set(distinct)) != len(distinct):
        return f"{person.user_id}: prompts out of order: {distinct}"
    return None


# --- one run ---------------------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    mode: str
    n: int
    limiter: bool
    db: str
    seeded: int = 0
    inputs: int = 0
    window_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    peak_rss_kb: float = 0
    hwm_kb: float = 0
    calls: Counter = field(default_factory=Counter)
    callback_delays: list[float] = field(default_factory=list)
    unanswered_presses: int = 0
    answers_found: int = 0
    answers_expected: int = 0
    limit_log_lines: int = 0
    scripts: dict[int, list[str]] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    driver_cpu_s: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def replies(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.replies / self.window_s if self.window_s else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / max(1, self.replies)

    @property
    def calls_per_input(self) -> float:
        return sum(c for m, c in self.calls.items() if m != "getUpdates") / max(1, self.inputs)

    @property
    def expired(self) -> int:
        return sum(1 for d in self.callback_delays if d > EXPIRY) + self.unanswered_presses

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def label(self) -> str:
        return f"{self.mode} N={self.n} limiter {'on' if self.limiter else 'off'} {self.db}" + (
            f" +{self.seeded} stored" if self.seeded else ""
        )


async def start_py_spy(directory: str, pid: int, name: str) -> asyncio.subprocess.Process:
    Path(directory).mkdir(parents=True, exist_ok=True)
    out = Path(directory).resolve() / f"{name}.txt"
    spy = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--rate", "200", "--gil", "--format", "raw", "--output", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(0.5)  # attached before the window opens
    return spy


async def warm_up(api: Any, kind: str) -> str:
    """The first exchange, once the bot is up: the facilitator's /new for the project (its join code), a hello else."""
    admin = Person(api, ADMIN, "nl")
    if kind == "bot":

        def link(call: Any) -> bool:
            return call.method == "sendMessage" and "?start=" in call.params.get("text", "")

        call = await admin.send("/new Belasting", link)
        match = re.search(r"\?start=([A-Za-z0-9]+)", call.params["text"])
        assert match, call.params["text"]
        return match.group(1)
    await admin.send("hallo", lambda c: c.method == "sendMessage")
    return "code"


async def run_one(
    kind: str,
    mode: str,
    n: int,
    limiter: bool,
    backend: str,
    args: argparse.Namespace,
    workdir: Path,
    *,
    seeded: int = 0,
    scripts: dict[int, list[str]] | None = None,
) -> Result:
    flows = frozenset(("intro", *args.exercises))
    result = Result(kind=kind, mode=mode, n=n, limiter=limiter, db=backend, seeded=seeded)
    name = f"{kind}-{mode}-{n}-{'on' if limiter else 'off'}-{backend}-{seeded}-{next(_run_numbers)}"  # a new database each run
    api = make_api()
    await api.start()
    url = fresh_database(backend, workdir, name) if kind != "echo" else "sqlite://"
    process = BotProcess(kind, api.base_url, url, limiter, workdir, name)
    try:
        await process.start()
        code = await asyncio.wait_for(warm_up(api, kind), 120)
        if kind == "bot":
            await asyncio.to_thread(full_length, url, code)
        if seeded:
            stored = await asyncio.to_thread(seed_participants, url, code, seeded, flows)
            print(f"    stored {seeded} participants with {stored} answers", flush=True)
        people = [Person(api, FIRST_USER + i, LANGUAGES[i % len(LANGUAGES)]) for i in range(n)]
        duration = args.duration if mode == "closed" else args.human_duration
        ramp = min(args.ramp, duration)
        script = script_for(flows)
        sampler = asyncio.create_task(process.sample())
        spy = await start_py_spy(args.py_spy, process.pid, name) if args.py_spy else None
        before: dict[str, Any] = {}

        def on_open() -> None:  # everything counted from here
            before.update(calls=Counter(api.methods), cpu=process.cpu(), driver=time.process_time(), start=time.perf_counter())
            api.callback_delays.clear()
            for person in people:
                person.latencies.clear()
                person.exchanges.clear()
                person.inputs = 0

        window = Window(mode, n, duration, on_open)
        asyncio.get_running_loop().call_later(180, window.open)  # a join that never came back holds no one
        walks = []
        for i, person in enumerate(people):
            pacer = Pacer(mode, window, seed=i)
            if kind == "bot":
                walks.append(walk_bot(person, code, flows, pacer, ramp))
            else:
                mine = (scripts or {}).get(person.user_id) or script
                walks.append(walk_floor(person, mine, pacer, ramp, echo=kind == "echo"))
        outcomes = await asyncio.gather(*walks, return_exceptions=True)
        window.open()
        result.window_s = time.perf_counter() - before["start"]
        result.cpu_s = process.cpu() - before["cpu"]
        result.driver_cpu_s = time.process_time() - before["driver"]
        result.hwm_kb = process.hwm_kb()
        await process.stop()
        await sampler
        if spy is not None:
            await asyncio.wait_for(spy.wait(), 60)
        result.peak_rss_kb = process.peak_kb
        result.calls = Counter(api.methods) - before["calls"]
        result.callback_delays = list(api.callback_delays)
        result.unanswered_presses = len(api.pressed)
        for person, outcome in zip(people, outcomes, strict=True):
            result.latencies += person.latencies
            result.exchanges += person.exchanges
            result.inputs += person.inputs
            result.scripts[person.user_id] = person.script
            if isinstance(outcome, BaseException):
                result.problems.append(f"{person.user_id}: {type(outcome).__name__} {outcome}"[:300])
            elif kind != "echo":
                problem = check_order(person)
                if problem:
                    result.problems.append(problem)
        if kind == "bot":
            result.answers_found, result.answers_expected, problems = check_bot_database(url, people)
            result.problems += problems
        elif kind == "floor":
            result.answers_found, result.answers_expected, problems = check_floor_database(url, people)
            result.problems += problems
        result.problems += [f"fake server: {v}" for v in sorted(set(api.violations))]
        lines = process.log_lines()
        result.limit_log_lines = sum(1 for line in lines if "overall limit" in line)
        errors = [line for line in lines if " ERROR " in line or " WARNING " in line or line.startswith("Traceback")]
        result.problems += [f"{kind} log: {line}"[:300] for line in errors[:5]]
        if len(errors) > 5:
            result.problems.append(f"{kind} log: ... {len(errors) - 5} more lines")
    finally:
        process.kill()
        await api.stop()
    return result


def _mb(kb: float) -> str:
    return f"{kb / 1024:.0f}"


def line_for(r: Result) -> str:
    text = (
        f"  {r.kind:5} {r.replies:6} replies in {r.window_s:5.1f}s = {r.rate:6.1f}/s  p50 {r.pct(0.5):7.0f} ms  "
        f"p99 {r.pct(0.99):7.0f} ms  CPU {r.cpu_ms:5.2f} ms/reply ({100 * r.cpu_s / max(r.window_s, 1e-9):3.0f}% of a core)  "
        f"calls/input {r.calls_per_input:.2f}  peak RSS {_mb(r.peak_rss_kb)} MB (VmHWM {_mb(r.hwm_kb)})  "
        f"expired callbacks {r.expired}  driver CPU {100 * r.driver_cpu_s / max(r.window_s, 1e-9):3.0f}%"
    )
    text += "  [" + " ".join(f"{m} {c}" for m, c in sorted(r.calls.items()) if m != "getUpdates") + "]"
    if r.kind != "echo":
        text += f"  answers committed {r.answers_found}/{r.answers_expected}"
    if r.kind == "bot" and r.limiter:
        text += f"  'overall limit' log lines {r.limit_log_lines}"
    return text


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "–"
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]:.0f}"


def breakdown(r: Result) -> None:
    """Latency by the number of new messages in the reply (--breakdown): where the tail comes from."""
    exchanges = r.exchanges
    if not exchanges:
        return
    slow = sorted(e.latency for e in exchanges)[min(len(exchanges) - 1, round(0.99 * (len(exchanges) - 1)))]
    print(f"    {r.kind}: by new messages per reply (sendMessage etc. up to and including the awaited call)")
    print("      messages  replies  share  p50 ms  p99 ms  first call p50/p99 ms  gap between messages p50/p99 ms  in slowest 1%")
    for count in sorted({len(e.sends) for e in exchanges}):
        group = [e for e in exchanges if len(e.sends) == count]
        gaps = [b - a for e in group for a, b in itertools.pairwise(e.sends)]
        print(
            f"      {count:8}  {len(group):7}  {100 * len(group) / len(exchanges):4.0f}%  {_ms([e.latency for e in group], 0.5):>6}  "
            f"{_ms([e.latency for e in group], 0.99):>6}  {_ms([e.first for e in group], 0.5):>9} / {_ms([e.first for e in group], 0.99):<9}  "
            f"{_ms(gaps, 0.5):>15} / {_ms(gaps, 0.99):<15}  {sum(1 for e in group if e.latency >= slow):5}"
        )
    for what in ("text", "press"):
        group = [e.latency for e in exchanges if e.what == what]
        if group:
            print(f"      input {what}: {len(group)} replies, p50 {_ms(group, 0.5)} ms, p99 {_ms(group, 0.99)} ms")
    if r.callback_delays:  # Telegram shows a spinner until the press is answered, and expires it after ~15 s
        slow = sum(1 for d in r.callback_delays if d > 1.0)
        print(
            f"      presses answered (answerCallbackQuery): p50 {_ms(r.callback_delays, 0.5)} ms, "
            f"p99 {_ms(r.callback_delays, 0.99)} ms, max {_ms(r.callback_delays, 1.0)} ms, over 1 s: {slow}"
        )


def table(groups: list[dict[str, Result]]) -> None:
    print()
    print("Median run of each bot where --repeat > 1.")
    print("| run | bot replies/s | floor | echo | bot/floor | bot p50/p99 ms | floor p50/p99 ms | CPU ms/reply bot / floor / echo "
          "| CPU bot/floor | calls/input bot / floor / echo | peak RSS MB bot / floor / echo | RSS bot/floor | expired callbacks bot | checks |")  # fmt: skip
    print("|" + "---|" * 14)
    for g in groups:
        bot, floor, echo = g.get("bot"), g.get("floor"), g.get("echo")
        first = bot or floor or echo
        assert first is not None

        def v(r: Result | None, f: Callable[[Result], float], fmt: str = "{:.1f}") -> str:
            return fmt.format(f(r)) if r is not None else "–"

        def ratio(f: Callable[[Result], float], bot: Result | None = bot, floor: Result | None = floor) -> str:
            return f"{f(bot) / f(floor):.2f}" if bot and floor and f(floor) else "–"

        ok = all(not r.problems and r.answers_found == r.answers_expected for r in g.values())
        print(
            f"| {first.label} | {v(bot, lambda r: r.rate)} | {v(floor, lambda r: r.rate)} | {v(echo, lambda r: r.rate)} "
            f"| {ratio(lambda r: r.rate)} | {v(bot, lambda r: r.pct(0.5), '{:.0f}')} / {v(bot, lambda r: r.pct(0.99), '{:.0f}')} "
            f"| {v(floor, lambda r: r.pct(0.5), '{:.0f}')} / {v(floor, lambda r: r.pct(0.99), '{:.0f}')} "
            f"| {v(bot, lambda r: r.cpu_ms, '{:.2f}')} / {v(floor, lambda r: r.cpu_ms, '{:.2f}')} / {v(echo, lambda r: r.cpu_ms, '{:.2f}')} "
            f"| {ratio(lambda r: r.cpu_ms)} "
            f"| {v(bot, lambda r: r.calls_per_input, '{:.2f}')} / {v(floor, lambda r: r.calls_per_input, '{:.2f}')} / {v(echo, lambda r: r.calls_per_input, '{:.2f}')} "
            f"| {v(bot, lambda r: r.peak_rss_kb / 1024, '{:.0f}')} / {v(floor, lambda r: r.peak_rss_kb / 1024, '{:.0f}')} / {v(echo, lambda r: r.peak_rss_kb / 1024, '{:.0f}')} "
            f"| {ratio(lambda r: r.peak_rss_kb)} | {v(bot, lambda r: r.expired, '{:.0f}')} | {'ok' if ok else 'PROBLEMS'} |"
        )


async def main_async(args: argparse.Namespace) -> int:
    load = os.getloadavg()
    print(
        f"Load benchmark on {os.cpu_count()} CPUs (load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start). "
        f"Walk: onboarding + exercise(s) {' '.join(args.exercises).upper()}; closed loop {args.duration:.0f} s, "
        f"human pace {args.human_duration:.0f} s (think {THINK[0]:.0f}-{THINK[1]:.0f} s, joins spread over {args.ramp:.0f} s).",
        flush=True,
    )
    failed = False
    groups: list[dict[str, Result]] = []
    plan = [("closed", n) for n in args.closed if "closed" in args.modes] + [("human", n) for n in args.human if "human" in args.modes]
    with tempfile.TemporaryDirectory(prefix="vb-load-") as tmp:
        workdir = Path(tmp)
        for backend in args.db:
            for mode, n in plan:
                for limiter in [s == "on" for s in args.limiter]:
                    runs: dict[str, list[Result]] = {}
                    print(f"\n{mode} N={n} limiter {'on' if limiter else 'off'} {backend}", flush=True)
                    for _ in range(args.repeat):  # interleaved, so a noisy neighbour hits every bot alike
                        for kind in args.kinds:
                            if kind == "echo" and limiter:
                                continue  # the echo bot is python-telegram-bot alone: never limited
                            scripts = runs["bot"][-1].scripts if runs.get("bot") else None
                            r = await run_one(kind, mode, n, limiter, backend, args, workdir, scripts=scripts)
                            print(line_for(r), flush=True)
                            if args.breakdown:
                                breakdown(r)
                            for problem in r.problems[:8]:
                                print(f"    PROBLEM: {problem}", flush=True)
                            failed = failed or bool(r.problems) or r.answers_found != r.answers_expected
                            runs.setdefault(kind, []).append(r)
                    # the run with the median rate of each bot
                    groups.append({k: sorted(rs, key=lambda r: r.rate)[len(rs) // 2] for k, rs in runs.items()})
            if args.seeded and "bot" in args.kinds:
                print(f"\nMemory with stored data: closed N=10, limiter off, {backend}, fresh and after {args.seeded} stored participants", flush=True)
                for seeded in (0, args.seeded):
                    r = await run_one("bot", "closed", 10, False, backend, args, workdir, seeded=seeded)
                    print(line_for(r), flush=True)
                    failed = failed or bool(r.problems) or r.answers_found != r.answers_expected
                    groups.append({"bot": r})
    table(groups)
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short run: N=10 closed and N=50 human, 15 s each")
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgres"), default=["sqlite"])
    parser.add_argument("--modes", nargs="+", choices=("closed", "human"), default=["closed", "human"])
    parser.add_argument("--limiter", nargs="+", choices=("on", "off"), default=["on", "off"])
    parser.add_argument("--kinds", nargs="+", choices=("bot", "floor", "echo"), default=["bot", "floor", "echo"])
    parser.add_argument("--closed", type=int, nargs="+", default=[10, 100], help="participants in closed loop")
    parser.add_argument("--human", type=int, nargs="+", default=[300, 1000], help="participants at human pace")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of inputs in closed loop")
    parser.add_argument("--human-duration", type=float, default=120.0, help="seconds of inputs at human pace")
    parser.add_argument("--ramp", type=float, default=30.0, help="seconds over which people join at human pace")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each bot, interleaved; the table shows the median")
    # E is left out by default: its lists start from earlier answers, which the walk does not predict
    parser.add_argument("--exercises", nargs="+", default=list("abcd"), choices=list("abcde"))
    parser.add_argument("--seeded", type=int, default=3000, help="stored participants for the memory check (0: skip)")
    parser.add_argument("--py-spy", metavar="DIR", help="record the project's process in each run with py-spy into DIR")
    parser.add_argument("--breakdown", action="store_true", help="latency by the number of new messages per reply")
    parser.add_argument("--serve-echo", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_echo:
        serve_echo()
        return 0
    if args.quick:
        args.closed, args.human, args.duration, args.human_duration, args.ramp, args.seeded = [10], [50], 15.0, 20.0, 5.0, 0

    def interrupted(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # so every bot process is stopped on the way out

    signal.signal(signal.SIGTERM, interrupted)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(main_async(args))
    return 130


if __name__ == "__main__":
    sys.exit(main())
