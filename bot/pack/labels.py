"""Names of the pack's views, sides, roles, categories and pitfalls in the facilitator's language."""

from __future__ import annotations

from babel.support import NullTranslations

from bot.engine.model import FORMAL, INFORMAL
from bot.flows.b_strength import CATEGORIES
from bot.flows.e_core import ALL_ROLES, PITFALLS
from bot.flows.intro import ROLES
from storage.models import Participant

_ROLE_LABELS = {r.id: r.label for r in ALL_ROLES}
_CATEGORY_LABELS = dict(CATEGORIES)
_PITFALL_LABELS = {p.id: p.label for p in PITFALLS}
_PARTICIPANT_ROLES = {r.id: r.label for r in ROLES}


def _with_dutch(translated: str, dutch: str) -> str:
    """The hand-out's Dutch name beside the translated one, so everyone can find it on paper."""
    return translated if translated == dutch else f"{translated} ({dutch})"


def view_title(view: str, t: NullTranslations) -> str:
    _ = t.gettext
    titles = {
        "progress": _with_dutch(_("Progress"), "Voortgang"),
        "board": _with_dutch(_("The strength of the other"), "De kracht van de ander"),
        "tree": _with_dutch(_("Tree of collaboration"), "Boom van samenwerking"),
        "roles": _with_dutch(_("Roles"), "Rollen"),
        "market": _("What we look for and what we offer"),  # the hand-out has no name for this view
        "pitfalls": _with_dutch(_("Pitfalls"), "Valkuilen"),
        "answers": _("All answers"),
    }
    return titles[view]


def side_name(side: str | None, t: NullTranslations) -> str:
    """The group, plural: as headings and in "according to ..."."""
    _ = t.gettext
    return {FORMAL: _("Formal workers"), INFORMAL: _("Informal workers")}.get(side or "", _("Role not given yet"))


def side_strength(side: str, t: NullTranslations) -> str:
    _ = t.gettext
    return _("The strength of formal workers") if side == FORMAL else _("The strength of informal workers")


def role_label(role_id: str, t: NullTranslations) -> str:
    label = _ROLE_LABELS.get(role_id)
    return label.translate(t) if label is not None else role_id


def category_label(category: str, t: NullTranslations) -> str:
    label = _CATEGORY_LABELS.get(category)
    return label.translate(t) if label is not None else category


def pitfall_label(pitfall: str, t: NullTranslations) -> str:
    label = _PITFALL_LABELS.get(pitfall)
    return label.translate(t) if label is not None else pitfall


def participant_role(person: Participant, t: NullTranslations) -> str:
    """What the participant chose as their role in the introduction, in the facilitator's language."""
    if person.role is None:
        return t.gettext("Role not given yet")
    label = _PARTICIPANT_ROLES.get(person.role)
    return label.translate(t) if label is not None else person.role


def name(person: Participant, t: NullTranslations) -> str:
    """The participant's name as typed, for the facilitators (briefing, summary), without direction marks."""
    return person.display_name or t.gettext("(no name yet)")


def wall_name(person: Participant, t: NullTranslations) -> str:
    """The name on the meeting pack the group sees: only for someone who chose to be named there."""
    return name(person, t) if person.pack_named else t.gettext("(name not shown)")


IDENTIFYING = frozenset({"intro.name", "intro.org"})  # answers that name the person


def shown_on_wall(person: Participant, key: str) -> bool:
    """An answer that names its owner is left off the pack of someone who chose not to be named."""
    return person.pack_named or key not in IDENTIFYING


def organisation(person: Participant) -> str | None:
    """Shown only beside a name shown: an organisation can name a person as well."""
    return person.organisation if person.pack_named else None


def more(hidden: int, t: NullTranslations) -> str:
    """What stands where a list stops: never cut off without saying so."""
    return t.ngettext("+{n} more", "+{n} more", hidden).format(n=hidden)


def people_count(n: int, t: NullTranslations) -> str:
    return t.ngettext("{n} person", "{n} people", n).format(n=n)
