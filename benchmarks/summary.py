"""How long the facilitator's meeting pack takes, and how much memory, as a workshop grows.

    python benchmarks/summary.py [SIZES...]        (default: 30 300 3000 participants)

Each size gets a temporary SQLite file filled through storage.repository, as the bot would fill
it: every participant answers every question of every exercise, in one of six languages, and
every typed answer not in Dutch has a stored machine translation into Dutch (as after the first
summary with a provider; made up here, no provider is called). Then it times loading the answers
with their translations (repository.workshop_answers) and building the whole pack (HTML, CSV,
pictures, briefing, answers per question), after a first pack of an empty workshop (bot.pack.prepare:
templates compiled, fonts opened), so the times are those of every summary after a bot's first (the
bot does not warm the pack at start; its first summary also pays that and the pack's imports),
wall clock and CPU time (of all the process's threads) each, and measures the peak of Python memory with
tracemalloc in a second, separate run (tracemalloc slows the code it watches). It also counts the
lines of the briefing and of the chat part of the summary (what /summary writes in the chat
before the documents).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import col, select

from bot.engine.model import Kind
from bot.flows import workshop_flows
from bot.pack import build_pack, lines, prepare
from bot.translation.service import TYPED_KEYS
from storage import Database
from storage import repository as repo
from storage.models import Answer, Participant, Workshop

# Words to build answers from, per language: few enough that answers repeat and meet.
_WORDS = {
    "nl": "ouders vertrouwen taal cultuur wijk school kennis netwerk moeders vaders jongeren opvoeding "
    "luisteren tolken cursus budget ruimte overleg sleutelpersonen informatie hulp steun contact",
    "ar": "الأمهات الثقة اللغة الثقافة الحي المدرسة المعرفة الشبكة الآباء الشباب التربية الاستماع "
    "الترجمة دورة تمويل مكان لقاء معلومات مساعدة دعم تواصل",
    "fa": "مادران اعتماد زبان فرهنگ محله مدرسه دانش شبکه پدران جوانان تربیت گوش ترجمه دوره بودجه "
    "جلسه اطلاعات کمک حمایت ارتباط",
    "ti": "ወለዲ ምትእምማን ቋንቋ ባህሊ ከባቢ ቤት-ትምህርቲ ፍልጠት መርበብ ኣደታት ኣቦታት መንእሰያት ምዕባይ ምስማዕ ትርጉም ስልጠና በጀት ቦታ ርክብ ሓበሬታ ሓገዝ",
    "uk": "батьки довіра мова культура район школа знання мережа матері батьки молодь виховання "
    "слухати переклад курс бюджет простір зустріч інформація допомога підтримка контакт",
    "en": "parents trust language culture neighbourhood school knowledge network mothers fathers youth "
    "listening interpreting course budget room meeting information help support contact",
}
VOCABULARY = {language: words.split() for language, words in _WORDS.items()}
NAMES = {
    "nl": ["Anne", "Bram", "Sanne", "Joost"],
    "ar": ["فاطمة", "يوسف", "مريم", "أحمد"],
    "fa": ["مریم", "رضا", "زهرا", "علی"],
    "ti": ["ሰላም", "ዳዊት", "ሄለን", "ዮናስ"],
    "uk": ["Олена", "Андрій", "Ірина", "Тарас"],
    "en": ["Grace", "Samuel", "Amina", "David"],
}
LANGUAGES = tuple(VOCABULARY)
INFORMAL_ROLES = ("volunteer", "keyfigure", "selforg")
SIZES = (30, 300, 3000)


@dataclass
class _Context:
    """What the flows' conditions look at: the participant's side and earlier answers."""

    side: str | None
    answers: Mapping[str, str | list[str]] = field(default_factory=dict)


def _phrase(rng: random.Random, language: str, low: int, high: int) -> str:
    return " ".join(rng.choice(VOCABULARY[language]) for _ in range(rng.randint(low, high)))


def answers_for(
    workshop: Workshop, rng: random.Random, language: str, role: str, name: str
) -> dict[str, str | list[str]]:
    """An answer to every question the participant would be asked, as the bot would store it."""
    side = "formal" if role == "formal" else "informal"
    answers: dict[str, str | list[str]] = {}
    ctx = _Context(side, answers)
    for flow in workshop_flows(workshop.exercises):
        for step in flow.steps:
            if step.kind in (Kind.INFO, Kind.REVIEW) or (step.when is not None and not step.when.holds(ctx)):
                continue
            options = [o.id for o in step.visible_options(ctx)]
            if step.kind is Kind.TEXT:
                value: str | list[str] = _phrase(rng, language, 3, 9)
            elif step.kind is Kind.LIST:
                value = [_phrase(rng, language, 1, 4) for _ in range(rng.randint(1, 4))]
            elif step.kind is Kind.CHOICE:
                value = rng.choice(options)
            elif step.kind is Kind.MULTI:
                most = min(len(options), step.max or len(options), 4)
                value = rng.sample(options, rng.randint(min(step.min, most), most))
            else:
                value = "yes" if step.consent else rng.choice(["yes", "no"])
            answers[flow.key(step)] = value
    answers.update({"intro.name": name, "intro.role": role, "intro.org": f"Organisatie {rng.randint(1, 40)}"})
    return answers


def populate(db: Database, workshop: Workshop, count: int, seed: int = 1) -> None:
    """``count`` participants who answered everything; most pressed "finish", some are not done."""
    rng = random.Random(seed)
    flows = [f.id for f in workshop_flows(workshop.exercises)]
    for start in range(0, count, 500):  # one transaction per 500 people, like a busy evening
        with db.session() as session:
            for i in range(start, min(count, start + 500)):
                language = LANGUAGES[i // 2 % len(LANGUAGES)]  # both sides write in every language
                role = "formal" if i % 2 == 0 else rng.choice(INFORMAL_ROLES)
                name = f"{rng.choice(NAMES[language])} {i}"
                person = repo.join(session, workshop, f"bench:{workshop.id}:{i}", language=language)
                answers = answers_for(workshop, rng, language, role, name)
                person.display_name, person.role, person.organisation = name, role, str(answers["intro.org"])
                person.pack_named = answers.get("intro.pack") == "named"  # as the conversation sets it
                session.add(person)
                repo.save_answers(session, person.id, answers, language)
                done = flows if i % 5 else flows[: rng.randint(0, len(flows) - 1)]
                repo.save_position(session, person.id, "review", "overview", done, finished=bool(i % 5))


def translate_all(db: Database, workshop: Workshop, target: str = "nl") -> int:
    """A stored translation for every typed answer not written in ``target``, as a provider leaves them."""
    with db.session() as session:
        query = (
            select(Answer)
            .join(Participant, col(Participant.id) == col(Answer.participant_id))
            .where(Participant.workshop_id == workshop.id, Answer.language != target)
        )
        made = []
        for a in session.exec(query):
            if f"{a.exercise}.{a.step}" in TYPED_KEYS and a.id is not None:
                text = [f"({target}) {v}" for v in a.value] if isinstance(a.value, list) else f"({target}) {a.value}"
                made.append((a.id, a.value, text))
        return repo.save_translations(session, made, target, "benchmark")


def measure(size: int, folder: Path) -> dict[str, float]:
    db = Database(f"sqlite:///{folder / f'bench-{size}.sqlite3'}")
    with db.session() as session:
        workshop = repo.create_workshop(session, f"Benchmark {size}", "bench:facilitator", length="full")  # every question answered
    populate(db, workshop, size)
    translated = translate_all(db, workshop)

    with db.session() as session:
        start, cpu_start = time.perf_counter(), time.process_time()
        data = repo.workshop_answers(session, workshop, translated_to="nl")
        loaded, cpu_loaded = time.perf_counter(), time.process_time()
    pack = build_pack(data, "nl")
    built, cpu_built = time.perf_counter(), time.process_time()

    tracemalloc.start()
    with db.session() as session:
        data = repo.workshop_answers(session, workshop, translated_to="nl")
    build_pack(data, "nl")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    db.dispose()
    return {
        "participants": size,
        "answers": sum(len(a) for a in data.answers.values()),
        "translated": translated,
        "briefing": lines([pack.briefing]),
        "chat": lines(pack.chat("(pointer to the documents)")),
        "load": loaded - start,
        "build": built - loaded,
        # CPU seconds (of every thread of the process) of loading and of building: less disturbed by a
        # busy machine than the wall clock, and more than it where the PNGs are encoded in parallel.
        "load_cpu": cpu_loaded - cpu_start,
        "cpu": cpu_built - cpu_loaded,
        "peak": peak / 2**20,
        "html": len(pack.html.encode()) / 2**20,
        "csv": len(pack.csv) / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    args = parser.parse_args(argv)
    prepare()  # templates compiled, fonts open: as for a bot's second summary and later ones
    print(
        f"{'participants':>12} {'answers':>8} {'transl.':>8} {'load s':>7} {'CPU s':>6} {'pack s':>7} {'CPU s':>6} "
        f"{'total s':>8} {'peak MiB':>9} {'HTML MiB':>9} {'CSV MiB':>8} {'briefing':>8} {'chat':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            r = measure(size, Path(tmp))
            print(
                f"{r['participants']:>12} {r['answers']:>8} {r['translated']:>8} {r['load']:>7.2f} {r['load_cpu']:>6.2f} "
                f"{r['build']:>7.2f} {r['cpu']:>6.2f} {r['load'] + r['build']:>8.2f} {r['peak']:>9.1f} "
                f"{r['html']:>9.1f} {r['csv']:>8.1f} {r['briefing']:>8} {r['chat']:>5}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
