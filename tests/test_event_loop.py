"""No database work on the event loop: every SQL statement of the running bot, in every command a
participant or a facilitator can send, runs in a worker thread. A statement on the loop would hold
every other chat while SQLite waits for its busy timeout or PostgreSQL for a lock."""

from __future__ import annotations

import asyncio
import re
import traceback

from sqlalchemy import event

from bot.transports.telegram.retention_job import tick
from storage import Database
from storage.models import utcnow
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import Phone, start_app, stop_app

ADMIN, CO, VOLUNTEER = 1001, 1002, 2001


class LoopWatch:
    """Records every statement executed in a thread that is running an event loop."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine
        self.offences: list[str] = []
        self.statements = 0

    def _seen(self, _conn, _cursor, statement: str, *_args) -> None:
        self.statements += 1
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread: fine
        where = "".join(traceback.format_stack(limit=14)[:-2])
        self.offences.append(f"{statement.split()[0]} …\n{where}")

    def __enter__(self) -> LoopWatch:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


async def test_no_command_runs_sql_on_the_event_loop(api: FakeBotApi, db: Database) -> None:
    app = await start_app(api, db, frozenset({ADMIN}))
    try:
        with LoopWatch(db) as watch:
            admin, co, volunteer = Phone(api, ADMIN, "nl", "Fatma"), Phone(api, CO, "nl", "Ben"), Phone(api, VOLUNTEER, "ar", "Amal")
            mark = await admin.send("/new Wijk Noord")
            created = await admin.reply(mark)
            code = re.search(r"start=([A-Za-z0-9]+)", created.params["text"]).group(1)
            settings_button = created.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"]  # the full hand-out
            await admin.reply(mark, "sendPhoto")
            for command in (
                "/settings", f"/meeting {code} 2030-12-03 19:30", f"/timing {code} 48 24", f"/retention {code} 7",
                f"/close {code}", f"/open {code}", "/facilitators", "/revoke", "/help", "/workshops", "/nonsense",
            ):
                await admin.reply(await admin.send(command))
            await admin.callback_answer(await admin.press(settings_button, created.result["message_id"]))
            invite = await admin.reply(await admin.send("/invite"))
            token = re.search(r"start=([A-Za-z0-9_-]+)", invite.params["text"]).group(1)
            await co.reply(await co.send(f"/start {token}"))
            team = await admin.reply(await admin.send("/facilitators"))
            remove = team.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            await admin.reply(await admin.press(remove, team.result["message_id"]))

            await volunteer.reply(await volunteer.send("hello"))  # not a code: a hint
            await volunteer.reply(await volunteer.send("A" * 16))  # a wrong code-shaped code
            consent = await volunteer.prompt(await volunteer.send(f"/start {code}"))
            consent = await volunteer.prompt(await volunteer.press(f"l|nl|{code}", consent.message_id))  # another language first
            step = await volunteer.prompt(await volunteer.press(consent.button("yes"), consent.message_id))
            for command in ("/progress", "/help", "/workshops", "/language", "/forget", "/nonsense"):
                await volunteer.reply(await volunteer.send(command))
            await volunteer.reply(await volunteer.send("/mydata"), "sendDocument")
            step = await volunteer.prompt(await volunteer.press("l|ar", step.message_id))
            await volunteer.prompt(await volunteer.send("/myanswers"))

            await admin.reply(await admin.send("/status"))
            mark = await admin.send("/summary")
            await admin.reply(mark)
            await api.wait_for(lambda c: c.method == "sendDocument" and c.params.get("chat_id") == ADMIN, after=mark, timeout=30)
            await tick(app.app.bot, db, utcnow())  # the retention job, as the JobQueue runs it

            forget = await volunteer.reply(await volunteer.send("/forget"))
            yes = forget.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            await volunteer.reply(await volunteer.press(yes, forget.result["message_id"]))
            delete = await admin.reply(await admin.send(f"/delete {code}"))
            yes = delete.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            await admin.reply(await admin.press(yes, delete.result["message_id"]))
    finally:
        await stop_app(app)
    assert watch.statements > 100  # the watch saw the bot's work
    assert not watch.offences, f"{len(watch.offences)} statements on the event loop; the first:\n{watch.offences[0]}"
