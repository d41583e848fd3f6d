#!/usr/bin/env python
"""Load benchmark: the real bot against the fake Bot API server, next to a bare PTB echo bot.

Run from the repository root::

    python benchmarks/load.py [--participants 10 100 300] [--db sqlite|postgres] [--exercises a b]

For every N the script

1. starts the fake Bot API server (tests.fake_bot_api) in this process, and the real bot Application
   (bot.transports.telegram.app.build_application, rate limiter OFF, long polling against the fake
   server) in a subprocess of its own, on a fresh database (temporary SQLite file, or the wiped
   PostgreSQL test database); a facilitator creates a workshop with /new, and N simulated
   participants join with /start CODE and walk the onboarding plus the chosen exercises at the same
   time (one asyncio task each), every one waiting for the bot's answer before the next input;
2. does the same with a bare PTB echo bot (one MessageHandler, one CallbackQueryHandler) and the same
   N users sending exactly the same sequence of texts and button presses: the framework's floor;
3. prints replies per second, p50/p99 reply latency, the bot processes' peak memory and CPU time, and
   checks that every answer is committed and every participant's updates were handled in order.

At the end it walks N=10 again in a database that already holds 3000 participants with answers,
to see whether the bot's memory grows with what is stored.

Memory is measured per process: each bot runs in its own subprocess (this script with ``--serve``),
which reports its own peak resident set size (VmHWM from /proc/self/status; ``getrusage`` ru_maxrss
is printed too, but on Linux it inherits the launching process's size across exec); this process
also samples the subprocess's VmRSS from /proc every 100 ms during the walk. The load generator and
the fake server live here, so their memory and CPU are not counted for the bot.

``--py-spy DIR`` records the real bot's process during each walk with py-spy (collapsed stacks,
``pip install py-spy``), to see where its time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TOKEN = "123456:BENCH-TOKEN-never-logged"
ADMIN = 1001
FIRST_USER = 300_000  # the simulated participants' Telegram ids
FIRST_SEEDED = 900_000  # the stored participants of the memory check
SEEDED = 3000
LANGUAGES = ("nl", "en", "tr", "ar")  # the participants' Telegram language_code, in turn
REPLY_TIMEOUT = 120.0  # seconds one participant waits for one answer before giving up
WALK_TIMEOUT = 540.0  # seconds for a whole configuration's walk


# --- the bot processes (this script with --serve) ---------------------------------------------


def _rss_kb(pid: int | str = "self", field: str = "VmRSS") -> int:
    """Resident set size now (VmRSS) or its peak (VmHWM), from /proc; 0 where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _usage() -> dict[str, float]:
    """Memory and CPU time of this process.

    The peak is VmHWM, the high-water mark of this process's own address space. ru_maxrss would be the
    same number, except that on Linux it also keeps the launching process's size across exec, so the
    small echo bot would inherit the driver's ~100 MB; it is reported next to it for reference.
    """
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "hwm_kb": _rss_kb(field="VmHWM") or ru.ru_maxrss,
        "maxrss_kb": ru.ru_maxrss,
        "rss_kb": _rss_kb(),
        "cpu_s": ru.ru_utime + ru.ru_stime,
    }


def build_echo(api_url: str):
    """The framework's floor: PTB with one text handler and one button handler, nothing else."""
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

    builder = ApplicationBuilder().token(TOKEN).base_url(api_url).base_file_url(api_url.replace("/bot", "/file/bot"))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    return app


async def serve(kind: str, api_url: str, database_url: str, log_path: str) -> None:
    """Run one bot until told to stop; answer "stats" and "stop" on stdin with JSON on stdout."""
    from telegram import Update

    if kind == "bot":
        # As in production (python -m bot run): INFO, here into a file.
        logging.basicConfig(
            level=logging.INFO, filename=log_path, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        from bot.config import Settings
        from bot.transports.telegram.app import build_application
        from storage import Database

        db = Database(database_url)  # already migrated by the driver: the upgrade is a no-op
        settings = Settings(token=TOKEN, api_url=api_url, database_url=db.url, admins=frozenset({ADMIN}))
        app = build_application(settings, db, rate_limit=False)
    else:
        logging.basicConfig(level=logging.WARNING, filename=log_path)
        app = build_echo(api_url)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)  # as run_polling would
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
    print(json.dumps({"ready": True, **_usage()}), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line == "stats":
            print(json.dumps(_usage()), flush=True)
        elif line in ("stop", ""):  # "" when the driver went away
            break
    usage = _usage()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    print(json.dumps(usage), flush=True)


class BotProcess:
    """The driver's handle on one --serve subprocess."""

    def __init__(self, kind: str, api_url: str, database_url: str, workdir: Path, name: str) -> None:
        self.kind, self.api_url, self.database_url = kind, api_url, database_url
        self.log_path = workdir / f"{name}.log"
        self.err_path = workdir / f"{name}.stderr"
        self.proc: asyncio.subprocess.Process | None = None
        self.ready: dict[str, float] = {}
        self.peak_sampled_kb = 0
        self._sampling = False

    async def start(self) -> None:
        args = [sys.executable, str(Path(__file__).resolve()), "--serve", self.kind, "--api", self.api_url]
        args += ["--database-url", self.database_url, "--log", str(self.log_path)]
        with self.err_path.open("wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=err, cwd=ROOT
            )
        self.ready = await self._read()

    async def _read(self) -> dict[str, float]:
        assert self.proc is not None and self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 120)
        if not line:
            raise RuntimeError(f"{self.kind} process ended: {self.err_path.read_text()[-2000:]}")
        return json.loads(line)

    async def command(self, text: str) -> dict[str, float]:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(text.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self._read()

    async def sample(self) -> None:
        """Peak VmRSS of the bot process while the walk runs, seen from outside every 100 ms."""
        assert self.proc is not None
        self._sampling = True
        while self._sampling:
            self.peak_sampled_kb = max(self.peak_sampled_kb, _rss_kb(self.proc.pid))
            await asyncio.sleep(0.1)

    async def stop(self) -> dict[str, float]:
        self._sampling = False
        final = await self.command("stop")
        assert self.proc is not None
        await asyncio.wait_for(self.proc.wait(), 60)
        return final

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()

    def errors(self) -> list[str]:
        """Warnings, errors and the exception lines of their tracebacks, from the bot's log and stderr."""
        lines = self.err_path.read_text(errors="replace").splitlines() if self.err_path.exists() else []
        if self.log_path.exists():
            for line in self.log_path.read_text(errors="replace").splitlines():
                if " ERROR " in line or " WARNING " in line or (line[:1].isalpha() and "Error" in line.split(":")[0]):
                    lines.append(line)
        return lines


# --- the fake Telegram, with a waiting room per chat --------------------------------------------


def make_api():
    """tests.fake_bot_api.FakeBotApi, but each call goes straight to the one participant waiting for it.

    The tests' ``wait_for`` rescans the whole call log for every waiter at every call; with hundreds of
    waiting participants that would make the load generator, not the bot, the bottleneck.
    """
    from tests.fake_bot_api import Call, FakeBotApi

    class CallSink(list):
        """Stands in for FakeBotApi.calls: hands each call on instead of keeping it."""

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
            self._waiting: dict[int, tuple[Callable[[Call], bool], asyncio.Future]] = {}

        def expect(self, chat_id: int, predicate: Callable[[Call], bool]) -> asyncio.Future:
            """A future for the next call to ``chat_id`` that matches; set before the update is pushed."""
            future = asyncio.get_running_loop().create_future()
            self._waiting[chat_id] = (predicate, future)
            return future

        def _deliver(self, call: Call) -> None:
            now = time.perf_counter()
            self.methods[call.method] += 1
            waiting = self._waiting.get(call.params.get("chat_id"))  # type: ignore[arg-type]
            if waiting is not None and waiting[0](call) and not waiting[1].done():
                del self._waiting[call.params["chat_id"]]
                waiting[1].set_result((call, now))

    return BenchApi()


# --- simulated people ----------------------------------------------------------------------------


@dataclass
class Person:
    """One participant: pushes an update, then waits for the bot's answer to it, like a person."""

    api: Any
    user_id: int
    language: str
    latencies: list[float] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # "text" or "press", in order: the echo users replay them
    keys: list[str] = field(default_factory=list)  # the steps of the prompts the bot sent, in order

    def __post_init__(self) -> None:
        from tests.telegram_helpers import Phone

        self.phone = Phone(self.api, self.user_id, self.language, f"P{self.user_id}")

    async def _exchange(self, push: Callable[[], Awaitable[int]], predicate: Callable[[Any], bool], what: str) -> Any:
        future = self.api.expect(self.user_id, predicate)
        start = time.perf_counter()
        await push()
        self.inputs.append(what)
        call, answered = await asyncio.wait_for(future, REPLY_TIMEOUT)
        self.latencies.append(answered - start)
        return call

    async def send(self, text: str, predicate: Callable[[Any], bool]) -> Any:
        return await self._exchange(lambda: self.phone.send(text), predicate, "text")

    async def press(self, data: str, message_id: int, predicate: Callable[[Any], bool]) -> Any:
        return await self._exchange(lambda: self.phone.press(data, message_id), predicate, "press")


def _is_tick(call: Any) -> bool:
    """The answer to ticking a multiple-choice option: the same message's buttons redrawn."""
    return call.method == "editMessageReplyMarkup" and bool(call.params.get("reply_markup"))


async def walk_bot(person: Person, code: str, flows: frozenset[str]) -> dict[str, object]:
    """tests.telegram_helpers.walk, bounded to ``flows``: answers every step with buttons and text.

    Returns what should now be stored; stops at the first prompt of a flow outside ``flows``.
    """
    from bot.engine import Kind
    from tests.telegram_helpers import ROLE_FOR_SIDE, Prompt, buttons, is_prompt

    def prompt_of(call: Any) -> Prompt:
        return Prompt(call, buttons(call)[0]["callback_data"].split("|")[1], call.result["message_id"])

    side = "formal" if person.user_id % 2 else "informal"
    tag = f"P{person.user_id}"
    given: dict[str, object] = {}
    prompt = prompt_of(await person.send(f"/start {code}", is_prompt))
    for _ in range(400):
        key = prompt.key
        person.keys.append(key)
        if key.split(".")[0] not in flows:
            return given
        kind = prompt.kind()
        if kind is Kind.REVIEW:
            await person.press(f"a|{key}|finish", prompt.message_id, is_prompt)
            return given
        if kind is Kind.INFO:
            call = await person.press(f"a|{key}|_next", prompt.message_id, is_prompt)
        elif kind is Kind.TEXT:
            text = f"{tag} {key} <b>&</b> antwoord"
            given[key] = text
            call = await person.send(text, is_prompt)
        elif kind is Kind.YESNO:
            given[key] = "yes"
            call = await person.press(f"a|{key}|yes", prompt.message_id, is_prompt)
        elif kind is Kind.CHOICE:
            option = ROLE_FOR_SIDE[side] if key == "intro.role" else prompt.option_ids()[-1]
            given[key] = option
            call = await person.press(f"a|{key}|{option}", prompt.message_id, is_prompt)
        elif kind is Kind.MULTI:
            picked = prompt.option_ids()[:2]
            given[key] = picked
            for option in picked:
                await person.press(f"a|{key}|{option}", prompt.message_id, _is_tick)
            call = await person.press(f"a|{key}|_done", prompt.message_id, is_prompt)
        elif kind is Kind.LIST:
            items = [f"{tag} {key} punt één", f"{tag} {key} punt twee"]
            given[key] = items
            for item in items:
                prompt = prompt_of(await person.send(item, is_prompt))
                person.keys.append(prompt.key)
            call = await person.press(f"a|{key}|_done", prompt.message_id, is_prompt)
        else:
            raise AssertionError(kind)
        prompt = prompt_of(call)
    raise AssertionError("the walk did not finish")


async def walk_echo(person: Person, script: list[str]) -> None:
    """The same number and kinds of inputs as a bot participant, each echoed back."""
    for index, what in enumerate(script):
        payload = f"e{person.user_id}|{index}"

        def echoed(call: Any, payload: str = payload) -> bool:
            return call.method == "sendMessage" and call.params.get("text") == payload

        if what == "text":
            await person.send(payload, echoed)
        else:
            await person.press(payload, 1, echoed)


# --- databases -------------------------------------------------------------------------------


def fresh_database(backend: str, workdir: Path, name: str) -> str:
    """A new, migrated database: a SQLite file in ``workdir`` or the wiped PostgreSQL test database."""
    from storage import Database

    if backend == "postgres":
        from tests.conftest import reset_postgres

        reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{workdir / (name + '.sqlite3')}"
    Database(url).dispose()  # migrations run here, not in the measured bot process
    return url


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
                        if step.kind in (Kind.TEXT,):
                            answers[key] = f"Opgeslagen deelnemer {user}, antwoord op {key}: " + "tekst " * 20
                        elif step.kind is Kind.LIST:
                            answers[key] = [f"{user} {key} punt {i}" for i in range(3)]
                        elif step.kind is Kind.MULTI:
                            answers[key] = [o.id for o in step.options[:2]]
                        elif step.kind is Kind.YESNO:
                            answers[key] = "yes"
                        else:
                            answers[key] = step.options[0].id if step.options else "x"
                    repo.save_answers(session, participant.id, answers, "nl")
                    repo.save_position(session, participant.id, "c", "intro", sorted(flows), False)
                    stored += len(answers)
    finally:
        db.dispose()
    return stored


def check_database(
    database_url: str, people: list[Person], given: dict[int, dict[str, object]]
) -> tuple[int, int, list[str]]:
    """Answers found for the walkers, answers expected, and every difference."""
    from sqlmodel import select

    from storage import Answer, Database, Participant

    db = Database(database_url, migrate=False)
    problems: list[str] = []
    found = expected = 0
    try:
        with db.session() as session:
            for person in people:
                want = given.get(person.user_id, {})
                expected += len(want)
                participant = session.exec(
                    select(Participant).where(Participant.user_key == f"tg:{person.user_id}")
                ).first()
                if participant is None:
                    problems.append(f"{person.user_id}: no participant")
                    continue
                rows = session.exec(select(Answer).where(Answer.participant_id == participant.id)).all()
                found += len(rows)
                stored = {f"{a.exercise}.{a.step}": a.value for a in rows}
                if stored != want:
                    problems.append(f"{person.user_id}: stored answers differ from the answers given")
    finally:
        db.dispose()
    return found, expected, problems


def check_order(person: Person, flows: frozenset[str]) -> str | None:
    """The prompts a participant saw follow the flows' step order: nothing skipped back or repeated."""
    from bot.flows import all_flows

    index = {f"{f.id}.{s.id}": (i, j) for i, f in enumerate(all_flows()) for j, s in enumerate(f.steps)}
    keys = person.keys
    distinct = [k for n, k in enumerate(keys) if n == 0 or keys[n - 1] != k]
    positions = [index[k] for k in distinct]
    if positions != sorted(positions) or len(set(distinct)) != len(distinct):
        return f"{person.user_id}: prompts out of order: {distinct}"
    if not distinct or distinct[-1].split(".")[0] in flows:
        return f"{person.user_id}: stopped early at {distinct[-1:]}"
    return None


# --- one configuration --------------------------------------------------------------------------


@dataclass
class Result:
    kind: str
    n: int
    seeded: int = 0
    inputs: int = 0
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    ready_rss_kb: float = 0
    peak_rss_kb: float = 0  # VmHWM of the bot process, at the end of the walk
    maxrss_kb: float = 0  # its ru_maxrss (includes the launcher's size, see _usage)
    walk_peak_rss_kb: float = 0  # highest VmRSS sampled during the walk
    bot_cpu_s: float = 0.0
    driver_cpu_s: float = 0.0
    calls: Counter = field(default_factory=Counter)
    answers_found: int = 0
    answers_expected: int = 0
    problems: list[str] = field(default_factory=list)
    scripts: dict[int, list[str]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall_s if self.wall_s else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


async def start_py_spy(directory: str, process: BotProcess, name: str) -> asyncio.subprocess.Process:
    """py-spy sampling the bot process until it exits, into DIR/NAME.txt (collapsed stacks)."""
    assert process.proc is not None
    Path(directory).mkdir(parents=True, exist_ok=True)
    out = Path(directory).resolve() / f"{name}.txt"
    spy = await asyncio.create_subprocess_exec(
        "py-spy",
        "record",
        "--pid",
        str(process.proc.pid),
        "--rate",
        "250",
        "--format",
        "raw",
        "--output",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(0.5)  # attached before the first update
    return spy


async def create_workshop(api: Any) -> str:
    """The facilitator's /new, as in tests/test_telegram.py; the join code from the bot's answer."""
    import re

    admin = Person(api, ADMIN, "nl")

    def link(call: Any) -> bool:
        return call.method == "sendMessage" and "?start=" in call.params.get("text", "")

    call = await admin.send("/new Belasting", link)
    match = re.search(r"\?start=([A-Za-z0-9]+)", call.params["text"])
    assert match, call.params["text"]
    return match.group(1)


async def run_config(
    kind: str,
    n: int,
    args: argparse.Namespace,
    workdir: Path,
    *,
    seeded: int = 0,
    scripts: dict[int, list[str]] | None = None,
) -> Result:
    flows = frozenset(("intro", *args.exercises))
    result = Result(kind=kind, n=n, seeded=seeded)
    api = make_api()
    await api.start()
    url = fresh_database(args.db, workdir, f"{kind}-{n}-{seeded}") if kind == "bot" else "sqlite://"
    process = BotProcess(kind, api.base_url, url, workdir, f"{kind}-{n}-{seeded}")
    try:
        await process.start()
        people = [Person(api, FIRST_USER + i, LANGUAGES[i % len(LANGUAGES)]) for i in range(n)]
        if kind == "bot":
            code = await create_workshop(api)
            if seeded:
                stored = await asyncio.to_thread(seed_participants, url, code, seeded, flows)
                print(f"    stored {seeded} participants with {stored} answers in the workshop", flush=True)
            walks = [walk_bot(p, code, flows) for p in people]
        else:
            assert scripts is not None
            walks = [walk_echo(p, scripts[p.user_id]) for p in people]
        before = await process.command("stats")
        result.ready_rss_kb = before["rss_kb"]
        calls_before = Counter(api.methods)
        driver_before = _usage()["cpu_s"]
        sampler = asyncio.create_task(process.sample())
        spy = await start_py_spy(args.py_spy, process, f"{kind}-{n}-{seeded}") if args.py_spy else None
        start = time.perf_counter()
        outcomes = await asyncio.wait_for(asyncio.gather(*walks, return_exceptions=True), WALK_TIMEOUT)
        result.wall_s = time.perf_counter() - start
        result.driver_cpu_s = _usage()["cpu_s"] - driver_before
        final = await process.stop()
        await sampler
        if spy is not None:
            await asyncio.wait_for(spy.wait(), 60)
        result.calls = Counter(api.methods) - calls_before
        result.peak_rss_kb = final["hwm_kb"]
        result.maxrss_kb = final["maxrss_kb"]
        result.walk_peak_rss_kb = process.peak_sampled_kb
        result.bot_cpu_s = final["cpu_s"] - before["cpu_s"]
        given: dict[int, dict[str, object]] = {}
        for person, outcome in zip(people, outcomes, strict=True):
            result.latencies += person.latencies
            result.inputs += len(person.inputs)
            result.scripts[person.user_id] = person.inputs
            if isinstance(outcome, BaseException):
                result.problems.append(f"{person.user_id}: {type(outcome).__name__} {outcome}"[:300])
            elif kind == "bot":
                given[person.user_id] = outcome
                problem = check_order(person, flows)
                if problem:
                    result.problems.append(problem)
        if kind == "bot":
            result.answers_found, result.answers_expected, problems = check_database(url, people, given)
            result.problems += problems
        result.problems += [f"fake server: {v}" for v in sorted(set(api.violations))]
        errors = process.errors()
        result.problems += [f"{kind} log: {line}"[:400] for line in errors[:6]]
        if len(errors) > 6:
            result.problems.append(f"{kind} log: ... {len(errors) - 6} more lines")
    finally:
        process.kill()
        await api.stop()
    return result


def _mb(kb: float) -> str:
    return f"{kb / 1024:.1f}"


def report_line(result: Result) -> str:
    per_input = sum(result.calls.values()) / max(1, result.inputs)
    cpu_ms = 1000 * result.bot_cpu_s / max(1, len(result.latencies))
    line = (
        f"  {result.kind:4} N={result.n:<3} inputs={result.inputs:<6} {result.wall_s:6.1f}s  {result.rate:7.1f} replies/s  "
        f"p50 {result.pct(0.5):7.1f} ms  p99 {result.pct(0.99):7.1f} ms  "
        f"bot CPU {cpu_ms:5.2f} ms/reply ({100 * result.bot_cpu_s / max(result.wall_s, 1e-9):3.0f}% of a core), "
        f"driver CPU {100 * result.driver_cpu_s / max(result.wall_s, 1e-9):3.0f}%  "
        f"RSS ready {_mb(result.ready_rss_kb)} MB, walk peak {_mb(result.walk_peak_rss_kb)} MB, "
        f"peak (VmHWM) {_mb(result.peak_rss_kb)} MB [ru_maxrss {_mb(result.maxrss_kb)}]  "
        f"API calls/input {per_input:.2f}"
    )
    if result.kind == "bot":
        line += f"  answers in DB {result.answers_found}/{result.answers_expected}"
    return line


def print_tables(pairs: list[tuple[Result, Result]], memory: tuple[Result, Result] | None) -> None:
    print()
    print(
        "| N | bot replies/s | echo replies/s | ratio (goal >= 0.7) | bot p50/p99 ms | echo p50/p99 ms | p99 ratio (goal <= 2) | bot peak RSS MB | echo peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for bot, echo in pairs:
        ratio = bot.rate / echo.rate if echo.rate else float("nan")
        p99_ratio = bot.pct(0.99) / echo.pct(0.99)
        print(
            f"| {bot.n} | {bot.rate:.1f} | {echo.rate:.1f} | {ratio:.2f} | {bot.pct(0.5):.0f} / {bot.pct(0.99):.0f} "
            f"| {echo.pct(0.5):.0f} / {echo.pct(0.99):.0f} | {p99_ratio:.2f} | {_mb(bot.peak_rss_kb)} | {_mb(echo.peak_rss_kb)} |"
        )
    print()
    print(
        "| N | bot CPU ms/reply | echo CPU ms/reply | CPU ratio | bot Bot API calls/input | echo Bot API calls/input | driver CPU bot/echo run |"
    )
    print("|---|---|---|---|---|---|---|")
    for bot, echo in pairs:
        cpu = [1000 * r.bot_cpu_s / max(1, len(r.latencies)) for r in (bot, echo)]
        calls = [sum(r.calls.values()) / max(1, r.inputs) for r in (bot, echo)]
        driver = [100 * r.driver_cpu_s / max(r.wall_s, 1e-9) for r in (bot, echo)]
        print(
            f"| {bot.n} | {cpu[0]:.2f} | {cpu[1]:.2f} | {cpu[1] / cpu[0] if cpu[0] else float('nan'):.2f} "
            f"| {calls[0]:.2f} | {calls[1]:.2f} | {driver[0]:.0f}% / {driver[1]:.0f}% |"
        )
    if memory is not None:
        fresh, full = memory
        print()
        print(
            "| bot, N=10 walk | participants stored before | replies/s | p50/p99 ms | RSS at ready MB | walk peak RSS MB | growth during walk MB | peak RSS (VmHWM) MB |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for label, r in (("fresh database", fresh), (f"after {full.seeded} stored", full)):
            print(
                f"| {label} | {r.seeded} | {r.rate:.1f} | {r.pct(0.5):.0f} / {r.pct(0.99):.0f} | {_mb(r.ready_rss_kb)} "
                f"| {_mb(r.walk_peak_rss_kb)} | {_mb(r.walk_peak_rss_kb - r.ready_rss_kb)} | {_mb(r.peak_rss_kb)} |"
            )
        growth = full.peak_rss_kb - fresh.peak_rss_kb
        print(f"peak RSS difference (after {full.seeded} stored minus fresh): {growth / 1024:+.1f} MB")


async def main_async(args: argparse.Namespace) -> int:
    exercises = " + ".join(("onboarding", *(f"exercise {e.upper()}" for e in args.exercises)))
    print(
        f"Load benchmark on {os.cpu_count()} CPUs, database: {args.db}. Each participant walks {exercises} "
        f"(bounded), waiting for every answer before the next input.\n"
        "Rate limiter OFF (build_application(rate_limit=False)): Telegram's ~30 messages/s flood limit would "
        "otherwise be the bottleneck; what is measured is the bot against the fake server's speed.\n"
        "Each bot runs in its own subprocess; peak memory = that process's own high-water mark (VmHWM in "
        "/proc/self/status; getrusage ru_maxrss is shown too but on Linux inherits the launcher's size across exec), "
        "plus VmRSS sampled from /proc every 100 ms during the walk. Latency = update pushed -> the bot's answering "
        "sendMessage (prompt) or editMessageReplyMarkup (multiple-choice tick) arriving at the fake server.",
        flush=True,
    )
    failed = False
    pairs: list[tuple[Result, Result]] = []
    fresh10: Result | None = None
    with tempfile.TemporaryDirectory(prefix="vb-load-") as tmp:
        workdir = Path(tmp)
        for n in args.participants:
            print(f"\nN={n}", flush=True)
            bot = await run_config("bot", n, args, workdir)
            print(report_line(bot), flush=True)
            echo = await run_config("echo", n, args, workdir, scripts=bot.scripts)
            print(report_line(echo), flush=True)
            for r in (bot, echo):
                for problem in r.problems[:10]:
                    print(f"    PROBLEM ({r.kind}, N={n}): {problem}")
                failed = failed or bool(r.problems) or (r.kind == "bot" and r.answers_found != r.answers_expected)
            if bot.answers_found == bot.answers_expected and not bot.problems:
                print(
                    f"    verified: all {bot.answers_found} answers committed, every participant's prompts in step order"
                )
            pairs.append((bot, echo))
            if n == 10:
                fresh10 = bot
        memory = None
        if args.seeded:
            print(f"\nMemory with stored data: N=10 after {args.seeded} participants with answers", flush=True)
            if fresh10 is None:
                fresh10 = await run_config("bot", 10, args, workdir)
                print(report_line(fresh10), flush=True)
            full = await run_config("bot", 10, args, workdir, seeded=args.seeded)
            print(report_line(full), flush=True)
            for problem in full.problems[:10]:
                print(f"    PROBLEM (bot, N=10, seeded): {problem}")
            failed = failed or bool(full.problems) or full.answers_found != full.answers_expected
            memory = (fresh10, full)
    print_tables(pairs, memory)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 100, 300])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--exercises", nargs="+", default=["a", "b"], choices=list("abcde"))
    parser.add_argument("--seeded", type=int, default=SEEDED, help="stored participants for the memory check (0: skip)")
    parser.add_argument("--py-spy", metavar="DIR", help="record each bot walk with py-spy into DIR")
    parser.add_argument("--serve", choices=("bot", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve, args.api, args.database_url, args.log))
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(main_async(args))
    return 130


if __name__ == "__main__":
    sys.exit(main())
