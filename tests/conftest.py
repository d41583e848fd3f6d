"""Shared fixtures: a real database per test, SQLite always and PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import create_engine, text

from storage import Database
from storage.db import normalise_url
from tests.fake_bot_api import FakeBotApi

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def reset_postgres(url: str) -> None:
    """An empty public schema, so every test starts from the migrations."""
    engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    else:
        assert PG_URL is not None
        reset_postgres(PG_URL)
        yield PG_URL


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Telegram Bot API on 127.0.0.1; at the end, every call must have named a real method with its
    required fields."""
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()
    assert server.violations == [], server.violations
