"""One bot process that looks at the jobs table once at a given moment, for tests/test_deliveries.py.

Usage: python tests/job_worker_process.py DATABASE_URL API_URL NOW_ISO PARALLEL
Builds the real Application against the (fake) Bot API, ticks its delivery worker at NOW, waits for
every delivery it started, and prints how many jobs it claimed.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

from bot.config import Settings
from bot.transports.telegram.app import build_application
from bot.transports.telegram.worker import DeliveryWorker
from storage import Database


async def main(database_url: str, api_url: str, now: datetime, parallel: int) -> int:
    db = Database(database_url, migrate=False)
    settings = Settings(token="123456:TEST-TOKEN-never-logged", api_url=api_url, database_url=database_url, chat_messages_per_second=1000.0, delivery_parallel=parallel)
    app = build_application(settings, db)
    await app.initialize()
    try:
        worker = DeliveryWorker(app)
        claimed = 0
        while True:  # until nothing is left for this process at this moment
            got = await worker.tick(now)
            await worker.drain()
            claimed += got
            if not got:
                break
    finally:
        await app.shutdown()
        db.dispose()
    return claimed


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3]), int(sys.argv[4]))))
