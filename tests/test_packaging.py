"""The bot as an operator gets it: a wheel installed in a fresh virtualenv, configuration from the
environment and ``./.env``, and ``python -m bot migrate`` (also several at once on PostgreSQL)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import time
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from bot.i18n import LANGUAGES, LOCALES_DIR
from storage import Database
from storage.db import HEAD, MIGRATION_LOCK, normalise_url
from tests.conftest import PG_URL, reset_postgres

ROOT = Path(__file__).resolve().parent.parent
PROBE = "/back goes back, /restart starts this exercise again, /myanswers shows your answers, /quit stops (your answers are saved)."
GOODBYE = "Goodbye. Your answers are saved; run the same command to continue where you left off."
# Not copied into the build: local state that a clean checkout does not have (a stale .mo among them).
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "venv", "data", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", "*.mo"
)

# Processes of this database waiting for the migration lock (a bigint key is split in two 32-bit halves).
WAITING = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = :high AND objid = :low"
    " AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def source_translation(language: str, msgid: str) -> str:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)[msgid].string


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of an operator's shell: no PYTHONPATH into the repository, no bot settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATABASE_URL", "TELEGRAM_BOT_TOKEN")}
    return {**env, "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", **extra}


def source_env(**extra: str) -> dict[str, str]:
    """The same, running the code of this checkout from another working directory."""
    return clean_env(PYTHONPATH=str(ROOT), **extra)


def run(args: list[str], cwd: Path, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=300)


def make_venv(where: Path) -> tuple[Path, Path]:
    """A fresh virtualenv whose dependencies are this interpreter's (a .pth file), so nothing is downloaded.
    Paths added by a .pth are not site directories: an editable install of the project there stays invisible."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], where, clean_env()).stdout.strip())
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "dependencies.pth").write_text("\n".join(ours) + "\n")
    return python, site


def pip_install(python: Path, *args: str) -> None:
    done = run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", *args], ROOT, clean_env())
    assert done.returncode == 0, done.stderr


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*"))}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The wheel built from a copy of the sources, installed in a fresh venv: (python, site-packages)."""
    base = tmp_path_factory.mktemp("wheel")
    sources = base / "src"
    shutil.copytree(ROOT, sources, ignore=NOT_SOURCES)
    built = run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(base / "dist"), str(sources)], base, clean_env())
    assert built.returncode == 0, built.stderr
    (wheel,) = (base / "dist").glob("vruchtbare_bodem-*.whl")
    python, site = make_venv(base / "venv")
    pip_install(python, str(wheel))
    yield python, site


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_speaks_every_language_and_writes_nothing_into_itself(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    python, site = installed
    for language in LANGUAGES:
        assert (site / "bot" / "locales" / language / "LC_MESSAGES" / "messages.mo").is_file(), language
    # Everything the repository keeps next to the code (fonts, migrations, templates) is in the package.
    tracked = [p for folder in ("bot", "storage") for p in (ROOT / folder).rglob("*") if p.is_file()]
    missing = [p for p in tracked if "__pycache__" not in p.parts and not (site / p.relative_to(ROOT)).is_file()]
    assert not missing
    before = snapshot(site / "bot") | {f"storage/{k}": v for k, v in snapshot(site / "storage").items()}

    # The terminal chat, from a directory outside the repository: Turkish from the installed catalogs.
    chat = run([str(python), "-m", "bot", "chat", "--lang", "tr", "--user", "ayse"], tmp_path, clean_env(), stdin="1\n/quit\n")  # yes to the consent, then quit
    assert chat.returncode == 0, chat.stderr
    assert source_translation("tr", PROBE) in chat.stdout
    assert source_translation("tr", GOODBYE) in chat.stdout
    assert (tmp_path / "data" / "vruchtbare-bodem.sqlite3").is_file()  # the default database: in the working directory

    # Every language, through the i18n API of the installed package (and not of this checkout).
    probe = (
        "import json, bot.i18n as i;"
        f"print(json.dumps([i.__file__, str(i.LOCALES_DIR), {{l: i.translations(l).gettext({PROBE!r}) for l in i.LANGUAGES}}]))"
    )
    done = run([str(python), "-c", probe], tmp_path, clean_env())
    assert done.returncode == 0, done.stderr
    module, locales, said = json.loads(done.stdout)
    assert Path(module).is_relative_to(site) and Path(locales) == site / "bot" / "locales"
    assert said == {language: source_translation(language, PROBE) for language in LANGUAGES}
    assert len(set(said.values())) == len(LANGUAGES)  # nine different texts: no language fell back to English

    # The console script migrates with the migrations inside the package.
    migrated = run([str(python.parent / "vruchtbare-bodem"), "migrate"], tmp_path, clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/m.sqlite3"))
    assert migrated.returncode == 0, migrated.stderr
    head = Database(f"sqlite:///{tmp_path}/m.sqlite3", migrate=False).head()
    assert f"schema at revision {head} (head {head})" in migrated.stdout

    after = snapshot(site / "bot") | {f"storage/{k}": v for k, v in snapshot(site / "storage").items()}
    assert after == before


@pytest.mark.slow
def test_editable_install_reads_the_catalogs_of_the_checkout(tmp_path: Path) -> None:
    """The README's quick start (pip install -e .): translations straight from the .po files, nothing compiled."""
    python, _site = make_venv(tmp_path / "venv")
    pip_install(python, "--no-build-isolation", "-e", str(ROOT))
    before = snapshot(ROOT / "locales")
    probe = f"import json, bot.i18n as i; print(json.dumps([i.__file__, str(i.LOCALES_DIR), i.translations('tr').gettext({PROBE!r})]))"
    done = run([str(python), "-c", probe], tmp_path, clean_env())
    assert done.returncode == 0, done.stderr
    module, locales, said = json.loads(done.stdout)
    assert Path(module) == ROOT / "bot" / "i18n.py" and Path(locales) == ROOT / "locales"
    assert said == source_translation("tr", PROBE)
    assert snapshot(ROOT / "locales") == before
    assert not (ROOT / "bot" / "locales").exists()


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BOT_ADMINS", "11111111,alice", "whole numbers"),
        ("WEBHOOK_PORT", "https", "integer"),
        ("WEBHOOK_PORT", "99999", "65535"),
        ("LOG_LEVEL", "chatty", "DEBUG, INFO"),
    ],
)
def test_bad_configuration_is_one_clear_line_and_exit_2(tmp_path: Path, variable: str, value: str, expected: str) -> None:
    env = source_env(TELEGRAM_BOT_TOKEN="123:never-shown", **{variable: value})
    done = run([sys.executable, "-m", "bot", "run"], tmp_path, env)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert variable in line and expected in line and "Traceback" not in line
    assert "never-shown" not in line and value not in line  # values are not repeated: they may be secrets


def test_dotenv_in_the_working_directory_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path}/from-dotenv.sqlite3\nOTHER_TOOL=1\n")
    done = run([sys.executable, "-m", "bot", "migrate"], tmp_path, source_env())
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "from-dotenv.sqlite3").is_file() and "from-dotenv.sqlite3" in done.stdout

    url = f"sqlite:///{tmp_path}/from-environment.sqlite3"
    done = run([sys.executable, "-m", "bot", "migrate"], tmp_path, source_env(DATABASE_URL=url))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "from-environment.sqlite3").is_file()

    (tmp_path / ".env").write_text("WEBHOOK_PORT=eighty\n")
    done = run([sys.executable, "-m", "bot", "migrate"], tmp_path, source_env())
    assert done.returncode == 2 and "WEBHOOK_PORT" in done.stderr and ".env" in done.stderr


def test_migrate_brings_an_empty_database_to_head(database_url: str, tmp_path: Path) -> None:
    empty = Database(database_url, migrate=False)
    assert empty.revision() is None
    done = run([sys.executable, "-m", "bot", "migrate"], tmp_path, source_env(DATABASE_URL=database_url))
    assert done.returncode == 0, done.stderr
    assert empty.revision() == empty.head() is not None
    assert set(SQLModel.metadata.tables) <= set(inspect(empty.engine).get_table_names())  # every table is there
    empty.dispose()


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_concurrent_migrate_and_start_on_postgresql_all_succeed(tmp_path: Path) -> None:
    """Three processes start on an empty database while the migration lock is held; released at once,
    they all succeed, one after the other, and the schema is at head."""
    assert PG_URL is not None
    reset_postgres(PG_URL)
    holder = create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    commands = [["migrate"], ["migrate"], ["chat", "--user", "early", "--lang", "en"]]
    with holder.connect() as lock:
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", *args], cwd=tmp_path, env=source_env(DATABASE_URL=PG_URL),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for args in commands
        ]
        deadline = time.monotonic() + 120
        waiting = 0
        while waiting < len(processes) and time.monotonic() < deadline:  # a condition, not a guessed delay
            waiting = lock.execute(WAITING, {"high": MIGRATION_LOCK >> 32, "low": MIGRATION_LOCK & 0xFFFFFFFF}).scalar_one()
            time.sleep(0.05)
        assert waiting == len(processes), "every process waits for the migration lock"
        lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    holder.dispose()
    results = [p.communicate(input="1\n/quit\n", timeout=120) for p in processes]  # yes to the consent, then quit
    for process, (_out, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    assert GOODBYE in results[2][0]
    db = Database(PG_URL, migrate=False)
    assert db.revision() == db.head()
    db.dispose()


# What only a facilitator's summary or /new needs, only a webhook worker, or only a schema upgrade:
# ~20 MB a bot serving participants should not carry. Imported where they are used.
NOT_AT_START = (
    "PIL", "jinja2", "qrcode", "arabic_reshaper", "snowballstemmer", "stopwordsiso", "bot.pack", "bot.summary", "aiohttp",
    "alembic", "mako",
)
BUILD_AS_RUN = """
import sys
import bot.__main__
from bot.config import Settings
from bot.transports.telegram.runtime import Runtime
Runtime(Settings.from_env())  # what `python -m bot run` builds before it starts
print(" ".join(sorted(sys.modules)))
"""


def test_a_started_bot_has_not_imported_the_meeting_pack_nor_the_qr_code_nor_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/start.sqlite3"
    Database(url).dispose()  # a restart: the schema is at head already
    env = source_env(TELEGRAM_BOT_TOKEN="123:start", DATABASE_URL=url)
    done = run([sys.executable, "-c", BUILD_AS_RUN], tmp_path, env)
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split())
    assert "bot.transports.telegram.facilitators" in modules  # the application was built, with every handler
    assert not [m for m in modules if any(m == heavy or m.startswith(heavy + ".") for heavy in NOT_AT_START)]


def test_head_is_the_newest_migration(tmp_path: Path) -> None:
    """A database at ``HEAD`` opens without Alembic: a new migration must move it, or it would not run."""
    assert Database(f"sqlite:///{tmp_path}/head.sqlite3", migrate=False).head() == HEAD


def test_a_database_at_an_older_revision_is_upgraded_on_open(database_url: str) -> None:
    old = Database(database_url, migrate=False)
    old.upgrade("0002")
    assert old.stored_revision() == "0002"
    old.dispose()
    opened = Database(database_url)
    assert opened.revision() == opened.stored_revision() == HEAD
    opened.dispose()


ARENAS = """
import ctypes, sys, tempfile, threading
from bot.transports.telegram.runtime import fewer_malloc_arenas
if sys.argv[1] == "capped":
    assert fewer_malloc_arenas()
together = threading.Barrier(8)
def work():
    held = [bytearray(2048) for _ in range(100)]  # past pymalloc's 512 bytes: glibc's malloc
    together.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile() as out:
    fp = ctypes.c_void_p(libc.fopen(out.name.encode(), b"w"))
    libc.malloc_info(0, fp)
    libc.fclose(fp)
    print(open(out.name).read().count("<heap nr="))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc arenas")
def test_the_bots_threads_share_two_malloc_arenas(tmp_path: Path) -> None:
    """`python -m bot run` caps glibc's arenas before its worker threads start (each had one of its own)."""
    env = source_env()
    env.pop("MALLOC_ARENA_MAX", None)
    counts = {}
    for mode in ("default", "capped"):
        done = run([sys.executable, "-c", ARENAS, mode], tmp_path, env)
        assert done.returncode == 0, done.stderr
        counts[mode] = int(done.stdout)
    assert counts["default"] > 2 and counts["capped"] <= 2
