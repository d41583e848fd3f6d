"""Onboarding: what is stored, who sees it and for how long, consent, the name on the wall, name, role, organisation."""

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
    short=("consent", "pack", "name", "role"),  # the organisation only in the full hand-out
    steps=(
        Step(
            id="consent",
            kind=Kind.YESNO,
            label=N_("Consent to store answers"),
            consent=True,
            deployment_facts=True,
            prompt=N_(
                "Welcome! This bot helps you prepare for the workshop on collaboration between formal and "
                "informal parenting support. Step by step it asks you the questions of the workshop hand-out "
                "(toolkit “Samenwerking formele en informele opvoedondersteuning” by Marjolijn Distelbrink and "
                "Elena Ponzoni, KIS / Verwey-Jonker Instituut, 2017).\n\n"
                "What the bot stores: {stored}.\n\n"
                "Who sees it: the facilitators of this workshop see everything, with your name. In the meeting "
                "the answers of the group are shown on the wall; in the next step you choose whether your name "
                "is shown there.\n\n"
                "How long: until {days} after the meeting. Then it is erased automatically.\n\n"
                "Your data is yours: /mydata sends you everything that is stored about you, /forget erases it. "
                "Please do not write names or details by which a family can be recognised.\n\n"
                "Do you agree that the bot stores your answers and shares them with the facilitators of this "
                "workshop? If you say no, nothing is stored."
            ),
            notes=(
                (
                    "translation_service",
                    N_(
                        "Your typed answers are translated by machine for the facilitators: the text is sent to "
                        "the translation service {service}."
                    ),
                ),
                ("transcription", N_("Spoken answers (voice messages) are turned into text automatically by a speech-to-text service.")),
            ),
        ),
        Step(
            id="pack",
            kind=Kind.CHOICE,
            label=N_("Your name on the wall"),
            prompt=N_(
                "In the meeting, the answers of the group are shown on the wall and on paper. Should your name "
                "be shown next to your answers there? The facilitators always see who wrote what."
            ),
            options=(
                Option("named", N_("Yes, show my name")),
                Option("anonymous", N_("No, show my answers without my name")),
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
