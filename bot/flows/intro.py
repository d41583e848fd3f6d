"""Onboarding: what is stored and who sees it, consent, name, role and organisation."""

from bot.engine import Flow, Kind, Option, Step
from bot.i18n import N_

ORDER = 0

ROLES = (
    Option("formal", N_("Formal worker (professional, e.g. youth and family centre, district team)")),
    Option("volunteer", N_("Informal worker: volunteer")),
    Option("keyfigure", N_("Informal worker: key figure in a community")),
    Option("selforg", N_("Informal worker: migrant self-organisation")),
)

FLOW = Flow(
    id="intro",
    title=N_("Welcome"),
    optional_in_workshop=False,
    short=("welcome", "consent", "name", "role"),  # the organisation only in the full hand-out
    steps=(
        Step(
            id="welcome",
            kind=Kind.INFO,
            label=N_("Welcome"),
            prompt=N_(
                "Welcome! This bot helps you prepare for the workshop on collaboration between formal and "
                "informal parenting support. Your answers go to the facilitator before the meeting, so the "
                "meeting can start from what you wrote.\n\n"
                "The questions come from the toolkit “Een vruchtbare bodem voor samenwerking” by Marjolijn "
                "Distelbrink and Elena Ponzoni (KIS / Verwey-Jonker Instituut, 2017)."
            ),
        ),
        Step(
            id="consent",
            kind=Kind.YESNO,
            label=N_("Consent to store answers"),
            consent=True,
            prompt=N_(
                "What the bot stores: the name you give, your role, your organisation, your language, your "
                "answers and how far you are in the exercises.\n\n"
                "Who sees it: only the facilitators of this workshop, to prepare the meeting. Your answers "
                "may be about families and communities: please do not write names or details by which a "
                "family can be recognised.\n\n"
                "You can look at and change your answers at any time. Do you agree that the bot stores your "
                "answers and shares them with the facilitators of this workshop?"
            ),
        ),
        Step(
            id="name",
            kind=Kind.TEXT,
            label=N_("Name"),
            prompt=N_("Which name should the facilitator see next to your answers? Your first name is enough."),
            voice=False,  # typed: it is how the facilitator sees who spoke
        ),
        Step(
            id="role",
            kind=Kind.CHOICE,
            label=N_("Role"),
            prompt=N_("What is your role?"),  # the options say what formal and informal mean
            options=ROLES,
        ),
        Step(
            id="org",
            kind=Kind.TEXT,
            label=N_("Organisation"),
            prompt=N_("Which organisation do you work or volunteer for? If none, {skip}."),
            optional=True,
            voice=False,  # typed: it goes next to the name in every list
        ),
    ),
)
