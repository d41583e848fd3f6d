#!/usr/bin/env python
"""Live-workshop load: does a summary slow the participants down, and what does a second worker add?

Run from the repository root::

    python benchmarks/workers.py [--participants 30] [--inputs 25] [--pg postgresql://postgres@127.0.0.1:5432/test]

1. **Summary during answering** (one `python -m bot run` process, SQLite): N participants answer as fast as the
   bot replies (each waits for the reply to its input before the next), once with nobody else, once while a
   facilitator keeps asking for `/summary` (a new one as soon as the last document of the previous arrived).
   Reported: the participants' p50/p99 reply latency in both runs and the ratio (goal: p99 within 2x).
2. **One and two webhook workers** (PostgreSQL, `--pg`, a database the script may empty): the same walk through
   one `python -m bot webhook` worker, then through two behind a round-robin proxy: replies/s and p99.

The fake Bot API (tests/fake_bot_api.py) and the participants live in this process; the bot runs in
subprocesses exactly as deployed, with its shipped settings (rate limiter on).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bot.engine import Kind  # noqa: E402
from bot.flows import flow_by_id  # noqa: E402
from storage import Database  # noqa: E402
from storage import repository as repo  # noqa: E402
from tests.conftest import reset_postgres  # noqa: E402
from tests.fake_bot_api import BOT_USER, Call, FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH-never-logged"
ADMIN = 1001


class Api(FakeBotApi):
    """The fake Bot API, telling each waiting participant about the calls to their chat as they happen."""

    def __init__(self) -> None:
        super().__init__()
        self.waiters: dict[int, asyncio.Queue[Call]] = {}
        api = self

        class Calls(list):
            def append(self, call: Call) -> None:
                super().append(call)
                queue = api.waiters.get(call.params.get("chat_id"))
                if queue is not None:
                    queue.put_nowait(call)

        self.calls = Calls()


def reply_of(call: Call) -> str | None:
    """The step key of a prompt, "tick" for an edited keyboard, None for anything else."""
    markup = call.params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or []
    if call.method == "sendMessage" and rows and rows[0][0]["callback_data"].startswith("a|"):
        return rows[0][0]["callback_data"].split("|")[1]
    if call.method == "sendMessage" and rows and rows[0][0]["callback_data"].startswith("j|"):
        return "consent"  # the consent screen before joining (issue 11)
    if call.method == "editMessageReplyMarkup" and rows:
        return "tick"
    return None


class Person:
    def __init__(self, api: Api, user_id: int) -> None:
        self.api, self.id = api, user_id
        self.queue: asyncio.Queue[Call] = asyncio.Queue()
        api.waiters[user_id] = self.queue
        self.user = {"id": user_id, "is_bot": False, "first_name": "P", "language_code": "nl"}
        self.chat = {"id": user_id, "type": "private"}
        self.latencies: list[float] = []

    async def _exchange(self, update: dict[str, Any]) -> tuple[Call, str]:
        started = time.monotonic()
        await self.api.push(update)
        while True:
            call = await asyncio.wait_for(self.queue.get(), 120)
            kind = reply_of(call)
            if kind is not None and isinstance(call.result, dict):
                self.latencies.append(time.monotonic() - started)
                return call, kind

    async def send(self, text: str) -> tuple[Call, str]:
        message = {"message_id": self.api.next_message_id(self.id), "date": int(time.time()), "chat": self.chat, "from": self.user, "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self._exchange({"message": message})

    async def press(self, data: str, message_id: int) -> tuple[Call, str]:
        message = {"message_id": message_id, "date": int(time.time()), "chat": self.chat, "from": BOT_USER, "text": "…"}
        return await self._exchange({"callback_query": {"id": f"q{self.id}{time.monotonic_ns()}", "from": self.user, "chat_instance": "c", "data": data, "message": message}})

    async def walk(self, code: str, inputs: int) -> None:
        call, key = await self.send(f"/start {code}")
        if key == "consent":
            yes = next(b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row if b["callback_data"].endswith("|yes"))
            call, key = await self.press(yes, call.result["message_id"])
        for n in range(inputs):
            flow, step_id = key.split(".", 1)
            step = next(s for s in flow_by_id(flow).steps if s.id == step_id)
            message_id = call.result["message_id"]
            if step.kind is Kind.REVIEW:
                return
            if step.kind in (Kind.TEXT, Kind.LIST):
                call, kind = await self.send(f"antwoord {n} van {self.id}")
                if step.kind is Kind.LIST:
                    call, kind = await self.press(f"a|{key}|_done", call.result["message_id"])
            elif step.kind is Kind.INFO:
                call, kind = await self.press(f"a|{key}|_next", message_id)
            elif step.kind is Kind.YESNO:
                call, kind = await self.press(f"a|{key}|yes", message_id)
            else:
                options = [b["callback_data"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row
                           if not b["callback_data"].split("|")[2].startswith("_")]  # fmt: skip
                choice = "a|intro.role|volunteer" if key == "intro.role" else options[0]
                call, kind = await self.press(choice, message_id)
                if step.kind is Kind.MULTI:
                    call, kind = await self.press(f"a|{key}|_done", message_id)
            key = kind


def bot_env(api: Api, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "BOT_", "DATABASE_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url, DATABASE_URL=url, BOT_ADMINS=str(ADMIN),
               LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT), **extra)  # fmt: skip
    return env


async def start(env: dict[str, str], command: str, workdir: Path) -> asyncio.subprocess.Process:
    log = (workdir / "bot.log").open("ab")
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", command, env=env, cwd=workdir, stdout=log, stderr=log)


async def stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), 60)


def workshop(url: str) -> str:
    db = Database(url)
    with db.session() as session:
        code = repo.create_workshop(session, "Bench", f"tg:{ADMIN}", facilitator_chat_id=ADMIN, facilitator_language="nl", length="full").code
    db.dispose()
    return code


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_cpu() -> float:
    """CPU of every PostgreSQL server process on this machine (the backends serving the workers included)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            total += cpu_seconds(int(stat.parent.name))
    return total


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def walk_all(api: Api, code: str, n: int, inputs: int, first: int) -> tuple[list[float], float]:
    people = [Person(api, first + i) for i in range(n)]
    started = time.monotonic()
    await asyncio.gather(*(p.walk(code, inputs) for p in people))
    elapsed = time.monotonic() - started
    return [x for p in people for x in p.latencies], elapsed


async def summaries_meanwhile(api: Api, code: str, done: asyncio.Event) -> int:
    admin = Person(api, ADMIN)
    count = 0
    while not done.is_set():
        message = {"message_id": api.next_message_id(ADMIN), "date": int(time.time()), "chat": admin.chat, "from": admin.user,
                   "text": f"/summary {code}", "entities": [{"type": "bot_command", "offset": 0, "length": 8}]}  # fmt: skip
        await api.push({"message": message})
        while True:
            call = await admin.queue.get()
            if call.method == "sendDocument" and call.filename == "summary.txt":
                break
        count += 1
    return count


async def summary_case(n: int, inputs: int) -> None:
    for with_summary in (False, True):
        api = Api()
        await api.start()
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bot.sqlite3"
            code = workshop(url)
            bot = await start(bot_env(api, url), "run", Path(tmp))
            done = asyncio.Event()
            side = asyncio.create_task(summaries_meanwhile(api, code, done)) if with_summary else None
            latencies, elapsed = await walk_all(api, code, n, inputs, 300_000)
            done.set()
            summaries = await asyncio.wait_for(side, 300) if side else 0
            await stop(bot)
        await api.stop()
        label = f"with summaries ({summaries} delivered meanwhile)" if with_summary else "alone"
        print(f"summary case, {n} participants {label}: {len(latencies)} replies in {elapsed:.1f}s, "
              f"p50 {pct(latencies, 0.5):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms")  # fmt: skip


async def listening(port: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"no worker listening on {port}")


async def proxy(ports: list[int]) -> tuple[web.AppRunner, str]:
    turn = itertools.cycle(ports)
    session = aiohttp.ClientSession()

    async def forward(request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith(("content-type", "x-telegram"))}
        async with session.post(f"http://127.0.0.1:{next(turn)}/telegram", data=await request.read(), headers=headers) as r:
            return web.Response(status=r.status)

    app = web.Application()
    app.router.add_post("/telegram", forward)
    app.on_cleanup.append(lambda _app: session.close())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/telegram"


async def workers_case(n: int, inputs: int, pg: str, limiter: bool) -> None:
    for count in (1, 2):
        reset_postgres(pg)
        code = workshop(pg)  # also migrates, once
        api = Api()
        await api.start()
        with tempfile.TemporaryDirectory() as tmp:
            ports = [18_400 + i for i in range(count)]
            env = bot_env(api, pg, WEBHOOK_URL="https://bench.example/telegram", WEBHOOK_SECRET="s", WEBHOOK_LISTEN="127.0.0.1",
                          WORKERS=str(count), TELEGRAM_RATE_LIMIT="true" if limiter else "false")  # fmt: skip
            if not limiter:  # what the processes can do: Telegram's pace of ~1 message/s per chat is left out too
                env["CHAT_MESSAGES_PER_SECOND"] = "1000"
            bots = [await start(dict(env, WEBHOOK_PORT=str(p)), "webhook", Path(tmp)) for p in ports]
            for port in ports:
                await listening(port)
            runner, url = await proxy(ports)
            api.deliver_to(url, "s")
            before = (time.process_time(), [cpu_seconds(b.pid) for b in bots], postgres_cpu())
            latencies, elapsed = await walk_all(api, code, n, inputs, 400_000)
            after = (time.process_time(), [cpu_seconds(b.pid) for b in bots], postgres_cpu())
            await runner.cleanup()
            for bot in bots:
                await stop(bot)
        await api.stop()
        replies = len(latencies)

        def per_reply(seconds: float, replies: int = replies) -> float:
            return 1000 * seconds / replies

        workers_cpu = [a - b for a, b in zip(after[1], before[1], strict=True)]
        print(f"{count} webhook worker(s), PostgreSQL, limiter {'on' if limiter else 'off'}, {n} participants: "
              f"{replies / elapsed:.1f} replies/s, p50 {pct(latencies, 0.5):.0f} ms, p99 {pct(latencies, 0.99):.0f} ms; "
              f"CPU per reply: bot {per_reply(sum(workers_cpu)):.1f} ms ("
              + ", ".join(f"{100 * c / elapsed:.0f}%" for c in workers_cpu) + " of a core each), "
              f"PostgreSQL {per_reply(after[2] - before[2]):.1f} ms, this driver (fake Bot API, proxy, people) "
              f"{per_reply(after[0] - before[0]):.1f} ms ({100 * (after[0] - before[0]) / elapsed:.0f}% of a core)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--inputs", type=int, default=25)
    parser.add_argument("--pg", help="PostgreSQL URL of a database this script may empty (for the workers case)")
    parser.add_argument("--limiter", choices=("on", "off", "both"), default="both",
                        help="workers case: with the shipped rate limiter, without it (what the processes themselves can do), or both")  # fmt: skip
    parser.add_argument("--skip-summary", action="store_true", help="only the workers case")
    args = parser.parse_args()
    if not args.skip_summary:
        asyncio.run(summary_case(args.participants, args.inputs))
    if args.pg:
        for limiter in {"on": [True], "off": [False], "both": [True, False]}[args.limiter]:
            asyncio.run(workers_case(args.participants, args.inputs, args.pg, limiter))


if __name__ == "__main__":
    main()
