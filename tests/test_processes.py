"""The bot as real processes: killed in the middle of a burst, and two webhook workers on one PostgreSQL.

The fake Bot API runs in the test; the bot runs as `python -m bot run` / `python -m bot webhook`
subprocesses, exactly as deployed.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlmodel import select

from bot.conversation import Conversation
from bot.engine import Kind, Show
from bot.flows import all_flows
from storage import Answer, Database, InboxUpdate
from storage import inbox as inbox_store
from storage import repository as repo
from storage.models import utcnow
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import TOKEN, Phone, is_prompt, walk
from tests.walk import answer_for

ROOT = Path(__file__).resolve().parents[1]
# Steps that show themselves again after each item added (and the review after "finish"): the only
# prompts that may follow themselves.
LIST_STEPS = {f.key(s) for f in all_flows() for s in f.steps if s.kind in (Kind.LIST, Kind.REVIEW)}
ADMIN = 1001
SECRET = "worker-hook-secret"


def bot_env(api: FakeBotApi, db: Database, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "BOT_", "DATABASE_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.base_url,
        DATABASE_URL=db.url,
        BOT_ADMINS=str(ADMIN),
        CHAT_MESSAGES_PER_SECOND="1000",
        LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    env.update(extra)
    return env


async def start_bot(env: dict[str, str], command: str, workdir: Path, log_name: str) -> asyncio.subprocess.Process:
    log = (workdir / log_name).open("ab")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", command, env=env, cwd=workdir, stdout=log, stderr=log
    )


async def until(condition, what: str, timeout: float = 60.0) -> None:
    """Poll a condition on the database or the fake API until it holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.05)  # polling a condition, not ordering events


def participants_at_a_list(db: Database, users: list[int]) -> tuple[str, str]:
    """A workshop (exercise A only) whose participants have answered up to its first list step."""
    conversation = Conversation(db)
    with db.session() as session:
        workshop = repo.create_workshop(session, "Wijk Noord", f"tg:{ADMIN}", exercises=["a"], facilitator_chat_id=ADMIN, length="full")
    key = ""
    for user in users:
        with db.session() as session:
            pid = repo.join(session, workshop, f"tg:{user}", language="en", chat_id=user).id
        view = conversation.handle(pid, Show()).outcome.view
        while view.kind is not Kind.LIST:
            for event in answer_for(view, "informal", "prep", {}):
                view = conversation.handle(pid, event).outcome.view
        key = view.key
    return workshop.code, key


def list_items(db: Database, user: int, key: str) -> list[str]:
    exercise, step = key.split(".", 1)
    with db.session() as session:
        participant = repo.active_participant(session, f"tg:{user}")
        assert participant is not None
        row = session.exec(select(Answer).where(Answer.participant_id == participant.id, Answer.exercise == exercise, Answer.step == step)).first()
        return list(row.value) if row is not None else []


def inbox_counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        stored = len(session.exec(select(InboxUpdate.update_id)).all())
        return stored, inbox_store.pending_count(session)


async def test_updates_received_before_a_crash_are_handled_after_the_restart(api: FakeBotApi, db: Database, tmp_path: Path) -> None:
    users = [5001 + n for n in range(6)]
    _code, key = participants_at_a_list(db, users)
    env = bot_env(api, db, INBOX_LEASE="1", OUTBOX_AFTER="600")
    api.delays["sendMessage"] = 0.2  # a slow Telegram: the bot is still busy when it is killed
    bot = await start_bot(env, "run", tmp_path, "bot.log")
    try:
        phones = [Phone(api, user, "en") for user in users]
        sent = {user: [f"idea {n} of {user}" for n in range(1, 11)] for user in users}
        for n in range(10):
            for phone in phones:
                await phone.send(sent[phone.id][n])  # 60 answers in a burst, without waiting for replies
        await until(lambda: inbox_counts(db)[0] >= 60, "the burst stored in the inbox")
        _stored, pending = inbox_counts(db)
        assert pending > 0  # received but not yet handled when the process dies
        bot.send_signal(signal.SIGKILL)
        await bot.wait()

        bot = await start_bot(env, "run", tmp_path, "bot.log")
        await until(lambda: inbox_counts(db)[1] == 0 and all(len(list_items(db, u, key)) == 10 for u in users),
                    "every update handled after the restart", timeout=120)  # fmt: skip
        for user in users:
            assert list_items(db, user, key) == sent[user]  # none lost, none twice, in order
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
    assert bot.returncode == 0, (tmp_path / "bot.log").read_text()[-3000:]


# --- two webhook workers behind a load balancer ---------------------------------------------------


async def round_robin_proxy(ports: list[int], accepted: dict[int, int]) -> tuple[web.AppRunner, str]:
    """A tiny load balancer: each request goes to the next worker in turn. ``accepted``: 200s per worker port."""
    turn = itertools.cycle(ports)

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        port = next(turn)
        async with aiohttp.ClientSession() as client, client.post(
            f"http://127.0.0.1:{port}/telegram", data=body, headers={k: v for k, v in request.headers.items() if k.lower().startswith(("content-type", "x-telegram"))}
        ) as response:
            if response.status == 200:
                accepted[port] = accepted.get(port, 0) + 1
            return web.Response(status=response.status)

    app = web.Application()
    app.router.add_post("/telegram", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/telegram"


async def healthy(port: int) -> bool:
    try:
        async with aiohttp.ClientSession() as client, client.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def test_two_webhook_workers_on_one_postgresql(api: FakeBotApi, db: Database, tmp_path: Path, unused_tcp_port_factory) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several workers share a PostgreSQL database; SQLite is for one process")
    # Two people who stopped halfway, and a meeting close enough that their reminder and the facilitator's
    # summary are due while the workers run: each must be sent exactly once, by one of the two.
    waiting = [7001, 7002]
    code, _key = participants_at_a_list(db, waiting)
    with db.session() as session:
        repo.set_meeting(session, repo.workshop_by_code(session, code), utcnow() + timedelta(hours=2))
    ports = [unused_tcp_port_factory(), unused_tcp_port_factory()]
    workers = []
    for n, port in enumerate(ports):
        env = bot_env(api, db, WEBHOOK_URL="https://bot.example.org/telegram", WEBHOOK_SECRET=SECRET, WORKERS="2",
                      WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port), DELIVERY_INTERVAL="0.5")  # fmt: skip
        workers.append(await start_bot(env, "webhook", tmp_path, f"worker{n}.log"))
    accepted: dict[int, int] = {}
    proxy, url = await round_robin_proxy(ports, accepted)
    try:
        for port in ports:
            for _ in range(400):
                if await healthy(port):
                    break
                await asyncio.sleep(0.05)  # waiting for a process to listen
            else:
                raise AssertionError("a worker did not start")
        api.deliver_to(url, SECRET)
        phones = [Phone(api, 6001 + n, "en") for n in range(4)]

        async def journey(phone: Phone, side: str) -> dict[str, object]:
            mark = await phone.send(f"/start {code}")
            return await walk(phone, await phone.prompt(mark, timeout=30), side, f"p{phone.id}")

        given = await asyncio.gather(*(journey(p, "formal" if n % 2 else "informal") for n, p in enumerate(phones)))
        for phone, answers in zip(phones, given, strict=True):
            with db.session() as session:
                participant = repo.active_participant(session, f"tg:{phone.id}")
                rows = {f"{a.exercise}.{a.step}": a.value for a in session.exec(select(Answer).where(Answer.participant_id == participant.id))}
            for key, value in answers.items():
                assert rows[key] == value, key
            keys = [c.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[1]
                    for c in api.calls if is_prompt(c) and c.params.get("chat_id") == phone.id]  # fmt: skip
            repeated = [k for k, nxt in itertools.pairwise(keys) if k == nxt and k not in LIST_STEPS]
            assert not repeated, f"prompts sent twice: {repeated}"
            removed = [c.params["message_id"] for c in api.calls
                       if c.method == "editMessageReplyMarkup" and c.params.get("chat_id") == phone.id and not c.params.get("reply_markup")]  # fmt: skip
            assert len(removed) == len(set(removed)), "a keyboard was removed twice"
        await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "summary.txt", timeout=60)
        for user in waiting:
            await api.wait_for(lambda c, user=user: c.params.get("chat_id") == user and "A reminder" in c.params.get("text", ""), timeout=60)
        await api.wait_for(lambda c: c.method == "sendDocument" and c.filename == "answers.csv", timeout=60)
        summaries = [c for c in api.calls if c.method == "sendDocument" and c.filename == "summary.txt"]
        assert len(summaries) == 1 and summaries[0].params["chat_id"] == ADMIN
        for user in waiting:
            reminders = [c for c in api.calls if c.params.get("chat_id") == user and "A reminder" in c.params.get("text", "")]
            assert len(reminders) == 1
        # Both workers took updates from Telegram (consecutive updates of one chat alternate between them);
        # which process then handles a stored update is whichever claims it first.
        assert set(accepted) == set(ports) and min(accepted.values()) > 10, accepted
    finally:
        await proxy.cleanup()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            await asyncio.wait_for(worker.wait(), 30)
    for n, worker in enumerate(workers):
        assert worker.returncode == 0, (tmp_path / f"worker{n}.log").read_text()[-3000:]

