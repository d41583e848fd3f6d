"""Seven participants writing in five languages (Dutch, Turkish, Arabic, Ukrainian, Tigrinya), and a
phrase book with which the fake translation provider turns their words into Dutch."""

from __future__ import annotations

from storage import Database
from storage import repository as repo

PEOPLE: dict[str, tuple[str, str | None, str, dict[str, str | list[str]]]] = {
    "Sanne": (
        "formal",
        "CJG Wijk Noord",
        "nl",
        {
            "a.seek": "Contact met moeders die wij niet bereiken",
            "a.offer": "Kennis van opvoeding en de sociale kaart",
            "b.other_knowledge": ["Ze kennen de taal en cultuur van de ouders"],
            "b.own_knowledge": ["Kennis van opvoeding en ontwikkeling"],
            "b.other_position": ["Ouders vertrouwen hen"],
            "e.need": "Sleutelpersonen die signalen doorgeven",
            "e.fruits": ["Ouders vinden de weg naar het CJG"],
            "e.roles_own": ["f_coord", "f_expert"],
            "e.roles_other": ["i_confidant", "i_signal"],
            "e.trunk": ["f_coord", "i_confidant"],
            "e.pitfalls": ["p_structure", "p_balance"],
            "e.p_structure": "We zien elkaar alleen als er brand is.",
        },
    ),
    "Joost": (
        "formal",
        "Wijkteam",
        "nl",
        {
            "a.seek": "Vertrouwen van gezinnen in de wijk",
            "b.other_knowledge": ["Kennis van de cultuur"],
            "b.own_knowledge": ["Kennis van regels en hulp"],
            "b.other_position": ["Ze zijn dichtbij de ouders"],
            "e.roles_own": ["f_link"],
            "e.roles_other": ["i_interpreter"],
            "e.pitfalls": ["p_structure"],
        },
    ),
    "Emre": (
        "formal",
        "Jeugdgezondheidszorg",
        "tr",
        {
            "a.seek": "Annelerle güvenilir iletişim",
            "b.other_knowledge": ["Ailelerin dilini ve kültürünü biliyorlar"],
            "b.own_knowledge": ["Çocuk gelişimi bilgisi"],
            "e.roles_own": ["f_expert"],
            "e.roles_other": ["i_confidant"],
            "e.pitfalls": ["p_diversity"],
            "e.p_diversity": "Ekipte çok az göçmen kökenli çalışan var",
        },
    ),
    "فاطمة": (
        "keyfigure",
        "جمعية الأمل",
        "ar",
        {
            "a.seek": "معلومات عن المدارس للأمهات",
            "a.offer": "الوصول إلى الأمهات",
            "b.own_knowledge": ["أعرف اللغة والثقافة"],
            "b.other_knowledge": ["معرفة بالقوانين والمدارس"],
            "e.need": "اجتماع منتظم",
            "e.roles_own": ["i_confidant", "i_interpreter"],
            "e.roles_other": ["f_coord", "f_guard"],
            "e.trunk": ["i_confidant", "f_coord"],
            "e.pitfalls": ["p_balance"],
            "e.p_balance": "المتطوعون يتعبون بسرعة",
        },
    ),
    "Ayşe": (
        "volunteer",
        "Kadın Derneği",
        "tr",
        {
            "a.offer": "Annelerle haftalık kahve buluşması",
            "b.own_knowledge": ["Ailelerin dilini ve kültürünü biliyorum"],
            "b.own_position": ["Anneler bana güveniyor"],
            "e.roles_own": ["i_confidant"],
            "e.roles_other": ["f_coord"],
            "e.pitfalls": ["p_balance", "p_structure"],
        },
    ),
    "Олена": (
        "volunteer",
        None,
        "uk",
        {
            "a.seek": "Допомога з документами для батьків",
            "b.own_knowledge": ["Знаю мову та культуру батьків"],
            "e.roles_own": ["i_interpreter"],
            "e.roles_other": ["f_link"],
            "e.pitfalls": ["p_structure"],
        },
    ),
    "ኪዳነ": (
        "selforg",
        "ማሕበር ኤርትራውያን",
        "ti",
        {
            "a.seek": "ወለዲ CJG ይፈልጡ",
            "b.own_knowledge": ["ቋንቋን ባህልን ንፈልጥ"],
            "e.roles_own": ["i_signal"],
            "e.roles_other": ["f_guard"],
        },
    ),
}

POSITIONS = {  # completed flows, finished
    "Sanne": (["intro", "a", "b", "c", "d", "e"], True),
    "Joost": (["intro", "a", "b"], False),
    "Emre": (["intro", "a", "b", "c", "d", "e"], True),
    "فاطمة": (["intro", "a", "b", "c", "d", "e"], True),
    "Ayşe": (["intro", "a", "b", "c", "d", "e"], False),
    "Олена": (["intro", "a", "b"], False),
}

# What the fake provider answers for Dutch (Tigrinya it cannot translate, as most servers).
DUTCH = {
    "Annelerle güvenilir iletişim": "Betrouwbaar contact met moeders",
    "Ailelerin dilini ve kültürünü biliyorlar": "Ze kennen de taal en cultuur van de gezinnen",
    "Çocuk gelişimi bilgisi": "Kennis van de ontwikkeling van kinderen",
    "Ekipte çok az göçmen kökenli çalışan var": "Er werken te weinig mensen met een migratieachtergrond in het team",
    "معلومات عن المدارس للأمهات": "Informatie over scholen voor moeders",
    "الوصول إلى الأمهات": "Toegang tot moeders",
    "أعرف اللغة والثقافة": "Ik ken de taal en de cultuur",
    "معرفة بالقوانين والمدارس": "Kennis van de wetten en de scholen",
    "اجتماع منتظم": "Regelmatig overleg",
    "المتطوعون يتعبون بسرعة": "Vrijwilligers raken snel moe",
    "Annelerle haftalık kahve buluşması": "Wekelijkse koffieochtend met moeders",
    "Ailelerin dilini ve kültürünü biliyorum": "Ik ken de taal en cultuur van de gezinnen",
    "Anneler bana güveniyor": "Moeders vertrouwen mij",
    "Допомога з документами для батьків": "Hulp met papieren voor ouders",
    "Знаю мову та культуру батьків": "Ik ken de taal en cultuur van de ouders",
}
PHRASES = {("nl", original): dutch for original, dutch in DUTCH.items()}


def make_seven(db: Database, title: str = "Wijk Noord, 3 december", facilitator: str = "term:facilitator") -> int:
    """The workshop's id."""
    with db.session() as session:
        workshop = repo.create_workshop(session, title, facilitator, facilitator_language="nl")
        for index, (name, (role, org, language, answers)) in enumerate(PEOPLE.items()):
            person = repo.join(session, workshop, f"term:seven:{index}", language=language)
            person.display_name, person.role, person.organisation = name, role, org
            session.add(person)
            profile = {"intro.consent": "yes", "intro.name": name, "intro.role": role, **({"intro.org": org} if org else {})}
            repo.save_answers(session, person.id, {**profile, **answers}, language)
            if name in POSITIONS:
                completed, finished = POSITIONS[name]
                repo.save_position(session, person.id, "review", "overview", completed, finished)
        # An eighth who joined but did nothing yet.
        late = repo.join(session, workshop, "term:seven:late", language="nl")
        late.display_name = "Piet"
        session.add(late)
        assert workshop.id is not None
        return workshop.id
