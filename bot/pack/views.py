"""The views of the meeting pack as plain numbers and lists, computed from one workshop's answers.

Pure: no formatting, no network. Typed items are compared like with like: in the reader's language
when a stored machine translation (or the original) is in it, otherwise within their own language.
Every function runs in time linear in the number of answers, so a workshop of thousands still
builds in seconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from bot.engine.model import FORMAL, INFORMAL, Kind, side_for_role
from bot.engine.voice import MIC, VOICE, is_voice, refs, typed
from bot.flows import all_flows, workshop_flows
from bot.flows.b_strength import CATEGORIES, other_key, own_key
from bot.flows.e_core import ALL_ROLES, FORMAL_ROLES, PITFALLS
from bot.i18n import translations
from bot.pack import carried
from bot.pack.words import item_key, language_of, tokens
from storage.models import Participant
from storage.repository import WorkshopAnswers

SIDES = (INFORMAL, FORMAL)  # the hand-out's board starts with the strength of informal workers
MATCHES_PER_PERSON = 3  # suggestions per participant: conversation starters, not a ranking
CANDIDATES_PER_KEY = 25  # people looked at per shared role or word: keeps matching linear
_FORMAL_ROLE_IDS = frozenset(r.id for r in FORMAL_ROLES)
_OFFER_TEXTS = ("a.offer", "b.offer")
_OFFER_LISTS = (*(f"b.{own_key(cat)}" for cat, _ in CATEGORIES), "e.roots")
_SEEK_TEXTS = ("a.seek", "e.need")
_SEEK_LISTS = ("e.can",)


NAMES = frozenset({"intro.name", "intro.org"})  # a name is in no language: never translated, never tagged with one


@cache
def typed_keys() -> frozenset[str]:
    """The answers a participant types in their own language (names left out)."""
    return frozenset(f.key(s) for f in all_flows() for s in f.steps if s.kind in (Kind.TEXT, Kind.LIST)) - NAMES


def other_side(side: str) -> str:
    return FORMAL if side == INFORMAL else INFORMAL


def role_side(role_id: str) -> str:
    """The side whose role it is in the hand-out's lists."""
    return FORMAL if role_id in _FORMAL_ROLE_IDS else INFORMAL


@dataclass(frozen=True)
class Said:
    """One typed item: as written, in its language, with its machine translation into the reader's
    (an option carried forward from a choice: its label in the reader's language)."""

    text: str
    language: str
    translation: str | None = None


class Answers:
    """Read access to one workshop's answers by participant and key, with sides worked out once."""

    def __init__(self, data: WorkshopAnswers, language: str | None = None) -> None:
        self.data = data
        self.people = data.participants
        self.reader = language  # the reader's language, when known
        self._t = translations(language) if language is not None else None
        self.side = {p.id: side_for_role(p.role) for p in data.participants}
        stored = data.translations if language is not None and data.translated_to == language else {}
        # Plain values, read once: the views look them up many times, and ORM attributes are slow.
        self._values = {
            pid: {k: (a.value, a.language, stored.get(a.id)) for k, a in found.items()}  # type: ignore[arg-type]
            for pid, found in data.answers.items()
        }
        self._transcripts = data.transcripts
        # (language, text as written) -> its translation: one item's translation, found by its text.
        self.translations: dict[tuple[str, str], str] = {}
        for found in self._values.values():
            for value, lang, translated in found.values():
                if translated is None:
                    continue
                originals = value if isinstance(value, list) else [value]
                copies = translated if isinstance(translated, list) else [translated]
                for original, copy in zip(originals, copies, strict=False):
                    if isinstance(original, str) and isinstance(copy, str) and _differs(original, copy):
                        self.translations[lang, original.strip()] = copy.strip()
        # recording -> (language spoken, automatic transcript): read like a typed answer in that language,
        # its stored machine translation (kept on the recording, per language) found by its text too.
        self.spoken: dict[str, tuple[str, str]] = {}
        for found in data.answers.values():
            for answer in found.values():
                for ref in refs(answer.value):
                    audio = data.audio.get(ref)
                    if audio is None or not audio.transcript:
                        continue
                    self.spoken[ref] = (answer.language, audio.transcript.strip())
                    copy = (audio.transcript_translations or {}).get(language) if language is not None else None
                    if answer.language != language and isinstance(copy, str) and _differs(audio.transcript, copy):
                        self.translations[answer.language, audio.transcript.strip()] = copy.strip()

    def other_languages(self) -> frozenset[str]:
        """The languages other than the reader's that typed answers (or spoken ones) are in."""
        typed_ = typed_keys()
        found = {
            language
            for values in self._values.values()
            for key, (value, language, _t) in values.items()
            if key in typed_ and language != self.reader and value not in (None, "", [])
        }
        return frozenset(found | {language for language, _text in self.spoken.values() if language != self.reader})

    def value(self, person: Participant, key: str) -> str | list[str] | None:
        found = self._values.get(person.id, {}).get(key)
        return None if found is None else found[0]

    def language(self, person: Participant, key: str) -> str:
        found = self._values.get(person.id, {}).get(key)
        return person.language if found is None else found[1]

    def items(self, person: Participant, key: str) -> list[str]:
        """A list answer's items, or a text answer as one item; blank ones left out."""
        value = self.value(person, key)
        if value is None:
            return []
        values = value if isinstance(value, list) else [value]
        return [text for text in (self._text(v) for v in values) if text.strip()]

    def _text(self, item: object) -> str:
        """A voice answer counts as an answer: marked 🎤, with its typed line or automatic transcript."""
        if not is_voice(item):
            return item if isinstance(item, str) else str(item)
        words = typed(item) or self._transcripts.get(str(item[VOICE]), "")  # type: ignore[index]
        return f"{MIC} {words}".strip()

    def said(self, person: Participant, key: str) -> list[Said]:
        """A typed answer's items with their translations; blank ones left out."""
        found = self._values.get(person.id, {}).get(key)
        if found is None:
            return []
        value, lang, _translated = found
        values = value if isinstance(value, list) else [value]
        return [self._carried(key, text.strip(), lang) for text in (self._text(v) for v in values) if text.strip()]

    def _carried(self, key: str, text: str, language: str) -> Said:
        """An option carried forward (a goal of Box 2 kept among E's fruits) as the option: in the
        reader's language, so that it counts with the same option in any other language."""
        label = carried.shown(key, text, self._t) if self._t is not None else None
        return Said(label, self.reader) if label is not None and self.reader is not None else self.item(text, language)

    def item(self, text: str, language: str) -> Said:
        if language == self.reader:
            return Said(text, language)
        translation = self.translations.get((language, text))
        return Said(text, language, translation)

    def compared(self, said: Said) -> tuple[str, str]:
        """(text, language) to compare an item by: in the reader's language when it is or was translated."""
        if said.translation is not None and self.reader is not None:
            return said.translation, self.reader
        return said.text, said.language

    def on_side(self, side: str | None) -> Iterator[Participant]:
        return (p for p in self.people if self.side[p.id] == side)


def _differs(original: str, copy: str) -> bool:
    """A "translation" that is the text itself (already in the reader's language) is not shown."""
    return bool(copy.strip()) and original.strip().casefold() != copy.strip().casefold()


@dataclass(frozen=True)
class Entry:
    text: str  # as the first person who wrote it wrote it
    count: int  # how many people wrote it
    language: str  # the language that first answer was given in
    translation: str | None = None  # its machine translation into the reader's language

    @property
    def readable(self) -> str:
        """For pictures: the translation, marked, when there is one; else the text as written."""
        return f"~ {self.translation}" if self.translation else self.text


@dataclass(frozen=True)
class Tally:
    """Typed items, the same item counted once per person, most frequent first."""

    entries: tuple[Entry, ...]
    people: int  # how many people wrote at least one item

    @property
    def mentions(self) -> int:
        return sum(e.count for e in self.entries)


def tally(answers: Answers, people: Iterable[Participant], key: str) -> Tally:
    first: dict[tuple[str, str], Entry] = {}
    counts: Counter[tuple[str, str]] = Counter()
    answered = 0
    for person in people:
        keys: dict[tuple[str, str], Said] = {}
        for said in answers.said(person, key):
            text, language = answers.compared(said)
            keys.setdefault((language, item_key(text) or text), said)
        answered += bool(keys)
        for norm, said in keys.items():
            counts[norm] += 1
            first.setdefault(norm, Entry(said.text, 0, said.language, said.translation))
    order = {norm: i for i, norm in enumerate(first)}
    ranked = sorted(first, key=lambda norm: (-counts[norm], order[norm]))
    entries = tuple(Entry(first[n].text, counts[n], first[n].language, first[n].translation) for n in ranked)
    return Tally(entries=entries, people=answered)


def word_counts(
    answers: Answers, people: Iterable[Participant], key: str
) -> tuple[Counter[str], dict[str, str], Counter[str]]:
    """For each word (by its key), how many people used it in their items; how it was first written;
    and per language compared in, how many people wrote in it."""
    counts: Counter[str] = Counter()
    written: dict[str, str] = {}
    languages: Counter[str] = Counter()
    for person in people:
        found: dict[str, str] = {}
        used: set[str] = set()
        for said in answers.said(person, key):
            text, language = answers.compared(said)
            used.add(language)
            for word_key, word in tokens(text, language):
                found.setdefault(word_key, word)
        counts.update(found.keys())
        languages.update(used)
        for word_key, word in found.items():
            written.setdefault(word_key, word)
    return counts, written, languages


# --- De kracht van de ander -------------------------------------------------------------------


@dataclass(frozen=True)
class StrengthCell:
    """One category of one side's strength: as the other side sees it, and as they see it themselves.

    Words are compared only in the languages both sides wrote in (or that their answers were
    translated into): ``uncompared`` names the languages written on one side only, whose words
    say nothing about what the other side does or does not mention."""

    side: str  # whose strength
    category: str
    by_others: Tally
    by_themselves: Tally
    shared: tuple[tuple[str, int, int], ...]  # (word as written, people of the other side, of this side)
    only_others: tuple[tuple[str, int], ...]  # words only the other side used, most used first
    only_themselves: tuple[tuple[str, int], ...]
    compared: tuple[str, ...] = ()  # languages in which both sides wrote: the words are compared in these
    uncompared: tuple[str, ...] = ()  # languages only one side wrote in (untranslated): not compared
    own_asked: bool = True  # the preparation asks each side's own view (the short one does not): else no column

    @property
    def comparable(self) -> bool:
        return bool(self.compared)


def asked(answers: Answers) -> frozenset[str]:
    """The answer keys the workshop's preparation asks beforehand (its length and exercises, not the
    meeting's own questions): what was never asked (and nobody answered) is left out of the boards and
    the tree rather than shown empty."""
    workshop = answers.data.workshop
    flows = workshop_flows(workshop.exercises, workshop.length)
    return frozenset(f.key(s) for f in flows for s in f.steps if f.in_length(s, workshop.length) and not s.at_meeting)


def strength_board(answers: Answers) -> dict[str, tuple[StrengthCell, ...]]:
    """Per side (informal first): one cell per category of the hand-out's board."""
    board = {}
    keys = asked(answers)
    for side in SIDES:
        cells = []
        others = list(answers.on_side(other_side(side)))
        own = list(answers.on_side(side))
        for category, _label in CATEGORIES:
            about_key, own_key_ = f"b.{other_key(category)}", f"b.{own_key(category)}"
            seen, seen_as, seen_in = word_counts(answers, others, about_key)
            said, said_as, said_in = word_counts(answers, own, own_key_)
            common = seen_in.keys() & said_in.keys()
            shown = said_as | seen_as
            shared = sorted(
                ((w, seen[w], said[w]) for w in seen.keys() & said.keys()), key=lambda r: (-r[1] - r[2], r[0])
            )
            cells.append(
                StrengthCell(
                    side=side,
                    category=category,
                    by_others=tally(answers, others, about_key),
                    by_themselves=tally(answers, own, own_key_),
                    shared=tuple((shown[w], n, m) for w, n, m in shared),
                    only_others=_ranked(
                        (seen_as[w], n) for w, n in seen.items() if w not in said and language_of(w) in common
                    ),
                    only_themselves=_ranked(
                        (said_as[w], n) for w, n in said.items() if w not in seen and language_of(w) in common
                    ),
                    compared=tuple(sorted(common)),
                    uncompared=tuple(sorted((seen_in.keys() | said_in.keys()) - common)),
                    # Answered once (the length changed since): shown all the same.
                    own_asked=own_key_ in keys or any(answers.items(p, own_key_) for p in own),
                )
            )
        board[side] = tuple(cells)
    return board


def _ranked(pairs: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(pairs, key=lambda pair: (-pair[1], pair[0].casefold())))


# --- Boom van samenwerking --------------------------------------------------------------------


@dataclass(frozen=True)
class Tree:
    fruits: Tally
    roots: Tally
    sun: Tally
    can: Tally
    trunk: tuple[tuple[str, int], ...]  # (role id, people who put it in the trunk), most chosen first
    trunk_people: int  # people who chose trunk roles
    asked: bool = True  # the preparation asks the tree (the short one leaves it for the meeting)


_TREE_LISTS = ("e.fruits", "e.roots", "e.sun", "e.can")


def tree(answers: Answers) -> Tree:
    people = answers.people
    chosen: Counter[str] = Counter()
    trunk_people = 0
    for person in people:
        roles = set(answers.items(person, "e.trunk"))
        trunk_people += bool(roles)
        chosen.update(roles)
    declared = {r.id: i for i, r in enumerate(ALL_ROLES)}
    trunk = sorted(chosen.items(), key=lambda pair: (-pair[1], declared.get(pair[0], len(declared)), pair[0]))
    return Tree(
        fruits=tally(answers, people, "e.fruits"),
        roots=tally(answers, people, "e.roots"),
        sun=tally(answers, people, "e.sun"),
        can=tally(answers, people, "e.can"),
        trunk=tuple(trunk),
        trunk_people=trunk_people,
        asked="e.fruits" in asked(answers) or bool(trunk) or any(answers.items(p, k) for p in people for k in _TREE_LISTS),
    )


# --- Rollen -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleRow:
    role: str  # option id in bot.flows.e_core
    side: str  # the side whose role it is
    taken_by: tuple[Participant, ...]  # took it on themselves (e.roles_own)
    expected_by: tuple[Participant, ...]  # expect it from the other side (e.roles_other)
    in_trunk: int  # people who count it among the essential roles (e.trunk)

    @property
    def meets(self) -> bool:
        return bool(self.taken_by and self.expected_by)

    @property
    def gap(self) -> bool:
        """Expected by some, taken on by nobody."""
        return bool(self.expected_by) and not self.taken_by


def roles(answers: Answers) -> tuple[RoleRow, ...]:
    taken: dict[str, list[Participant]] = defaultdict(list)
    expected: dict[str, list[Participant]] = defaultdict(list)
    trunk: Counter[str] = Counter()
    for person in answers.people:
        for role in dict.fromkeys(answers.items(person, "e.roles_own")):
            taken[role].append(person)
        for role in dict.fromkeys(answers.items(person, "e.roles_other")):
            expected[role].append(person)
        trunk.update(set(answers.items(person, "e.trunk")))
    return tuple(
        RoleRow(r.id, role_side(r.id), tuple(taken[r.id]), tuple(expected[r.id]), trunk[r.id]) for r in ALL_ROLES
    )


# --- What we look for and what we offer ----------------------------------------------------


@dataclass(frozen=True)
class Wishes:
    """What one participant looks for in the other side and what they offer it."""

    person: Participant
    pid: int  # the participant's id, read once
    side: str
    seeks: tuple[tuple[str, str], ...]  # (answer key, text): a.seek, e.need, e.can
    expects: tuple[str, ...]  # role ids (e.roles_other)
    offers: tuple[tuple[str, str], ...]  # a.offer, b.offer, own strengths b.own_*, roots e.roots
    takes: tuple[str, ...]  # role ids (e.roles_own)

    seek_words: dict[str, str]  # the words of what they look for (compared like with like): key -> as written
    offer_words: frozenset[str]  # the keys of the words of what they offer


@dataclass(frozen=True)
class Match:
    """A suggested conversation: what ``seeker`` looks for, ``offerer`` of the other side offers."""

    seeker: Participant
    offerer: Participant
    roles: tuple[str, ...]  # roles the seeker expects and the offerer takes on
    words: tuple[str, ...]  # words of the seeker's needs (as the seeker wrote them) in the offerer's offers

    @property
    def score(self) -> int:
        return 2 * len(self.roles) + len(self.words)


@dataclass(frozen=True)
class Market:
    """Suggested conversations, and what could be compared to find them.

    A need's words are looked for in the other side's offers in the same language only (the
    reader's, for translated items). ``uncompared`` names the languages of needs or offers that
    the other side did not write in (untranslated): nothing in them could meet, which says nothing
    about whether they would. ``compared``: something could be compared at all (roles one side
    expects and the other takes on, or needs and offers in a shared language)."""

    wishes: tuple[Wishes, ...]
    matches: tuple[Match, ...]  # best first; at most MATCHES_PER_PERSON per seeker
    compared: bool = False
    uncompared: tuple[str, ...] = ()


def wishes(answers: Answers) -> tuple[Wishes, ...]:
    found = []
    for person in answers.people:
        side = answers.side[person.id]
        if side is None:
            continue
        seeks = _once((k, text) for k in (*_SEEK_TEXTS, *_SEEK_LISTS) for text in answers.items(person, k))
        offers = _once((k, text) for k in (*_OFFER_TEXTS, *_OFFER_LISTS) for text in answers.items(person, k))
        expects = tuple(dict.fromkeys(answers.items(person, "e.roles_other")))
        takes = tuple(dict.fromkeys(answers.items(person, "e.roles_own")))
        if seeks or offers or expects or takes:
            seek_words: dict[str, str] = {}
            for k, text in reversed(seeks):
                for word_key, word in tokens(*answers.compared(answers.item(text.strip(), answers.language(person, k)))):
                    seek_words[word_key] = word
            offer_words = frozenset(
                word_key
                for k, text in offers
                for word_key, _word in tokens(*answers.compared(answers.item(text.strip(), answers.language(person, k))))
            )
            found.append(
                Wishes(person, person.id, side, tuple(seeks), expects, tuple(offers), takes, seek_words, offer_words)
            )
    return tuple(found)


def _once(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, text) pairs with each text once: a sentence carried forward from A into B or E (and
    kept there) is one thing the person said, not two. Compared as written, ignoring case, spacing
    and punctuation; the first place it was said is kept."""
    seen: set[str] = set()
    found = []
    for key, text in pairs:
        compared = item_key(text) or text.strip()
        if compared not in seen:
            seen.add(compared)
            found.append((key, text))
    return found


def _spread(people: list[Wishes], start: int) -> Iterator[Wishes]:
    """At most CANDIDATES_PER_KEY of ``people``, starting at a different place for each seeker so
    that popular offers are spread over many conversations instead of always the first few."""
    count = min(len(people), CANDIDATES_PER_KEY)
    for j in range(count):
        yield people[(start + j) % len(people)]


def market(answers: Answers) -> Market:
    all_wishes = wishes(answers)
    by_role: dict[tuple[str, str], list[Wishes]] = defaultdict(list)
    by_word: dict[tuple[str, str], list[Wishes]] = defaultdict(list)
    for w in all_wishes:
        for role in w.takes:
            by_role[w.side, role].append(w)
        for word in sorted(w.offer_words):
            by_word[w.side, word].append(w)
    matches: list[Match] = []
    for index, seeker in enumerate(all_wishes):
        wanted = other_side(seeker.side)
        found: dict[int, tuple[list[str], list[str]]] = {}
        people: dict[int, Participant] = {}
        for role in seeker.expects:
            for offer in _spread(by_role.get((wanted, role), []), index):
                found.setdefault(offer.pid, ([], []))[0].append(role)
                people[offer.pid] = offer.person
        for word, written in sorted(seeker.seek_words.items()):
            for offer in _spread(by_word.get((wanted, word), []), index):
                found.setdefault(offer.pid, ([], []))[1].append(written)
                people[offer.pid] = offer.person
        best = sorted(found.items(), key=lambda item: (-(2 * len(item[1][0]) + len(item[1][1])), item[0]))
        for pid, (role_ids, shared) in best[:MATCHES_PER_PERSON]:
            matches.append(Match(seeker.person, people[pid], tuple(role_ids), tuple(shared)))
    matches.sort(key=lambda m: (-m.score, m.seeker.id, m.offerer.id))
    compared, uncompared = _market_comparison(all_wishes)
    return Market(wishes=all_wishes, matches=tuple(matches), compared=compared, uncompared=uncompared)


def _market_comparison(all_wishes: Iterable[Wishes]) -> tuple[bool, tuple[str, ...]]:
    """(anything could be compared, languages of needs or offers the other side did not write in)."""
    needs: dict[str, set[str]] = {side: set() for side in SIDES}
    offers: dict[str, set[str]] = {side: set() for side in SIDES}
    expects: dict[str, set[str]] = {side: set() for side in SIDES}
    takes: dict[str, set[str]] = {side: set() for side in SIDES}
    for w in all_wishes:
        needs[w.side].update(language_of(k) for k in w.seek_words)
        offers[w.side].update(language_of(k) for k in w.offer_words)
        expects[w.side].update(w.expects)
        takes[w.side].update(w.takes)
    compared = any(
        needs[side] & offers[other_side(side)] or (expects[side] and takes[other_side(side)]) for side in SIDES
    )
    written = {side: needs[side] | offers[side] for side in SIDES}
    informal, formal = (written[side] for side in SIDES)
    if not (needs[INFORMAL] and offers[FORMAL]) and not (needs[FORMAL] and offers[INFORMAL]):
        return compared, ()  # no side said what it looks for with the other saying what it offers
    return compared, tuple(sorted(informal ^ formal))


# --- Valkuilen --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PitfallRow:
    pitfall: str  # option id in bot.flows.e_core.PITFALLS
    people: tuple[Participant, ...]  # who recognise it
    by_side: dict[str | None, int]  # how many of them per side
    explanations: tuple[tuple[Participant, str, str], ...]  # (who, text, language): e.<pitfall id> of those people


@dataclass(frozen=True)
class Pitfalls:
    rows: tuple[PitfallRow, ...]  # in the hand-out's order
    answered: int  # people who answered the pitfalls question


def pitfalls(answers: Answers) -> Pitfalls:
    chosen: dict[str, list[Participant]] = defaultdict(list)
    answered = 0
    for person in answers.people:
        value = answers.value(person, "e.pitfalls")
        if value is None:
            continue
        answered += 1
        for pitfall in dict.fromkeys(value if isinstance(value, list) else [value]):
            chosen[pitfall].append(person)
    rows = []
    for option in PITFALLS:
        people = tuple(chosen[option.id])
        key = f"e.{option.id}"
        # Only from those who still recognise it: an explanation outlives un-choosing its pitfall.
        explanations = tuple((p, text, answers.language(p, key)) for p in people for text in answers.items(p, key))
        by_side = Counter(answers.side[p.id] for p in people)
        rows.append(PitfallRow(option.id, people, dict(by_side), explanations))
    return Pitfalls(rows=tuple(rows), answered=answered)


# --- Voortgang --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    person: Participant
    completed: tuple[str, ...]  # the workshop's exercises this person finished, in workshop order
    current: str | None  # the flow they are in now, unless finished
    finished: bool  # pressed "finish" in the review, or finished every exercise
    started: bool  # answered or finished anything of the exercises


@dataclass(frozen=True)
class Progress:
    exercises: tuple[str, ...]  # the workshop's lettered exercises (flow ids), in order
    rows: tuple[ProgressRow, ...]
    done: dict[str, int]  # per exercise: how many people finished it
    joined_only: tuple[Participant, ...] = ()  # joined, never answered: not in ``rows``, not counted

    @property
    def not_started(self) -> tuple[Participant, ...]:
        """Listed apart: who joined but has not answered (not counted as participants), then any
        counted participant with nothing finished or answered yet."""
        return self.joined_only + tuple(r.person for r in self.rows if not r.started)

    @property
    def waiting(self) -> tuple[Participant, ...]:
        """Counted participants (they answered something) who have not finished any exercise yet."""
        return tuple(r.person for r in self.rows if not r.started)

    @property
    def finished(self) -> tuple[Participant, ...]:
        return tuple(r.person for r in self.rows if r.finished)


def progress(answers: Answers) -> Progress:
    workshop = answers.data.workshop
    exercises = tuple(f.id for f in workshop_flows(workshop.exercises, workshop.length) if f.letter)
    rows = []
    done: Counter[str] = Counter()
    for person in answers.people:
        position = answers.data.positions.get(person.id)
        completed_ids = set(position.completed) if position is not None else set()
        completed = tuple(e for e in exercises if e in completed_ids)
        done.update(completed)
        finished = position is not None and (
            position.finished or (bool(exercises) and len(completed) == len(exercises))
        )
        answered = any(key.split(".", 1)[0] in exercises for key in answers.data.answers.get(person.id, {}))
        current = None if finished or position is None else position.exercise
        rows.append(ProgressRow(person, completed, current, finished, bool(completed) or answered))
    return Progress(
        exercises=exercises, rows=tuple(rows), done={e: done[e] for e in exercises}, joined_only=tuple(answers.data.joined_only)
    )


@dataclass(frozen=True)
class Views:
    """Everything the pack shows, computed once and shared by the HTML, the pictures and the chat."""

    answers: Answers
    exercises: frozenset[str]  # the lettered exercises this workshop includes
    board: dict[str, tuple[StrengthCell, ...]]
    tree: Tree
    roles: tuple[RoleRow, ...]
    market: Market
    pitfalls: Pitfalls
    progress: Progress


def compute(data: WorkshopAnswers, language: str | None = None) -> Views:
    """The views for a reader of ``language``: stored translations into it are used when loaded."""
    answers = Answers(data, language)
    return Views(
        answers=answers,
        exercises=frozenset(f.id for f in workshop_flows(data.workshop.exercises, data.workshop.length) if f.letter),
        board=strength_board(answers),
        tree=tree(answers),
        roles=roles(answers),
        market=market(answers),
        pitfalls=pitfalls(answers),
        progress=progress(answers),
    )
