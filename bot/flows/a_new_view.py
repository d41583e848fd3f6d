"""Exercise A, "Een nieuw beeld van elkaar": presenting yourself and your organisation.

Carries Kader 1 (family or community focus) and all examples of Kader 2.
"""

from bot.engine import AnswerIs, Flow, Kind, Option, Step
from bot.i18n import N_

ORDER = 10

FAMILY = frozenset({"family", "both"})
COMMUNITY = frozenset({"community", "both"})

# Kader 1: two possible focuses for parenting support (and collaboration). Shown as "label: description",
# so a description does not start with its label again.
FOCUS = (
    Option(
        "family",
        N_("Focus on the family"),
        N_(
            "Support and care for the family, a parent or a child with problems or (light) questions about "
            "parenting, for example through a consultation hour or a course."
        ),
    ),
    Option(
        "community",
        N_("Focus on the community"),
        N_(
            "Strengthening the bonds between residents or members of a community, improving the climate for "
            "raising children, making specific themes open to discussion or spreading knowledge in a community, "
            "working on collective empowerment."
        ),
    ),
    Option("both", N_("Both")),
)

# Kader 2: what do I want to achieve with collaboration? "Our hope above all is that..."
FAMILY_GOALS = (
    Option("fg1", N_("Families get help at an early stage when they are unsure about parenting: small problems stay small."), when=AnswerIs("a.focus", FAMILY)),
    Option("fg2", N_("Every family that needs support gets enough help from its own surroundings (the informal circle)."), when=AnswerIs("a.focus", FAMILY)),
    Option("fg3", N_("Formal and informal help for the family are well attuned to each other."), when=AnswerIs("a.focus", FAMILY)),
    Option("fg4", N_("Families know the way to formal support and dare and want to take it when needed."), when=AnswerIs("a.focus", FAMILY)),
    Option("fg5", N_("Informal workers can step in when supporting a family becomes difficult."), when=AnswerIs("a.focus", FAMILY)),
    Option("fg6", N_("Informal workers get the support they need to assist families themselves and, where fitting, give informed advice."), when=AnswerIs("a.focus", FAMILY)),
)
COMMUNITY_GOALS = (
    Option("cg1", N_("More understanding and knowledge in the neighbourhood (among parents, agencies, schools) of what it means to grow up between different worlds."), when=AnswerIs("a.focus", COMMUNITY)),
    Option("cg2", N_("Parents discuss parenting questions with each other more often and more easily."), when=AnswerIs("a.focus", COMMUNITY)),
    Option("cg3", N_("Parents can discuss difficult subjects such as discrimination with each other and, together with formal or informal workers, look for tools to deal with them."), when=AnswerIs("a.focus", COMMUNITY)),
    Option("cg4", N_("Young people feel at home in the neighbourhood: understood, valued and embraced by the community they grow up in."), when=AnswerIs("a.focus", COMMUNITY)),
    Option("cg5", N_("Formal and informal organisations respond together to social developments in the neighbourhood and flexibly develop new projects or approaches for them."), when=AnswerIs("a.focus", COMMUNITY)),
)
GOALS = FAMILY_GOALS + COMMUNITY_GOALS

FLOW = Flow(
    id="a",
    letter="A",
    title=N_("A new picture of each other (Een nieuw beeld van elkaar)"),
    # Short preparation: what you look for in the other side and what you offer (your needs and strength).
    short=("seek", "offer"),
    steps=(
        Step(
            id="intro",
            kind=Kind.INFO,
            label=N_("About this exercise"),
            prompt=N_(
                "At the meeting each organisation presents itself and its aims in at most ten minutes: the core, "
                "in keywords (a drawing is welcome too). Here you prepare your keywords."
            ),
        ),
        Step(
            id="who",
            kind=Kind.TEXT,
            label=N_("Who are you?"),
            prompt=N_("Who are you? Give your name and function, and those of the others from your organisation who take part."),
            prefill_from=("intro.name", "intro.role", "intro.org"),  # given at the start: kept with one tap, or completed
        ),
        Step(
            id="does",
            kind=Kind.TEXT,
            label=N_("What the organisation does"),
            prompt=N_(
                "What does your organisation do? If it does something specifically with or for families with a "
                "migration background, say so and tell what you do."
            ),
        ),
        Step(
            id="support",
            kind=Kind.TEXT,
            label=N_("Main forms of support"),
            prompt=N_("What are the main forms of support you offer? Think of group talks with parents, information and advice, parenting support."),
        ),
        Step(
            id="groups",
            kind=Kind.TEXT,
            label=N_("Main target groups"),
            prompt=N_("Who are your main target groups?"),
        ),
        Step(
            id="focus",
            kind=Kind.CHOICE,
            label=N_("Family focus or community focus"),
            prompt=N_("Box 1 describes two possible focuses for parenting support and for collaboration. Is your work more aimed at individual families or more at the community?"),
            options=FOCUS,
            explain=N_("ℹ️ What Box 1 says"),  # the two focuses described: on demand, the names say enough to choose
        ),
        Step(
            id="goals",
            kind=Kind.MULTI,
            label=N_("What I want to achieve (examples of Box 2)"),
            prompt=N_(
                "What would you like to achieve through collaboration? Box 2 gives examples from earlier "
                "workshops. “Our hope above all is that…”: choose the ones you share."
            ),
            options=GOALS,
            min=0,
        ),
        Step(
            id="owngoals",
            kind=Kind.LIST,
            label=N_("My own goals"),
            prompt=N_("Goals of your own, if you have more."),
            optional=True,
        ),
        Step(
            id="seek",
            kind=Kind.TEXT,
            label=N_("What I look for in the other"),
            prompt=N_("What do you look for in the other side?"),
        ),
        Step(
            id="offer",
            kind=Kind.TEXT,
            label=N_("What I can offer"),
            prompt=N_("And what can you offer yourself?"),
        ),
        Step(
            id="inspiring",
            kind=Kind.TEXT,
            label=N_("Goals of others I can relate to"),
            prompt=N_(
                "For the meeting itself: during the presentations, note what inspired you in the stories of others. "
                "Which goals of others can you relate to? You can fill this in now or later."
            ),
            optional=True,
            at_meeting=True,
        ),
        Step(
            id="doubts",
            kind=Kind.TEXT,
            label=N_("Questions and doubts"),
            prompt=N_("Which questions or doubts do you have? You can fill this in now or later."),
            optional=True,
            at_meeting=True,  # the hand-out: noted "during the presentations", with a.inspiring
        ),
    ),
)
