"""Exercise C, "Vormen van samenwerking": design a collaboration; the four examples of the hand-out."""

from bot.engine import Flow, Kind, Option, Step
from bot.i18n import N_

ORDER = 30

# Examples from an earlier workshop, each with its goal and way of working.
EXAMPLES = (
    Option(
        "school",
        N_("Having a face at school"),
        N_("Goal: make the youth and family centre (CJG) easy to approach. Way of working: the CJG gives information at school and is visibly present (who is the CJG coach?); informal workers help to introduce it and act as a bridge."),
    ),
    Option(
        "diverse",
        N_("Developing diversity-sensitive parenting support"),
        N_("Goal: make the offer fit migrant parents better. Way of working: adapt the CJG's offer (form, language, images); facilitate and mobilise self-organisations; formal organisations work it out, give it a place in their offer and carry it out together with informal workers."),
    ),
    Option(
        "cases",
        N_("Discussing cases (anonymously)"),
        N_("Goal: getting to know each other. Way of working: talk cases through together to get to know each other. What does one see that the other does not?"),
    ),
    Option(
        "meet",
        N_("Meet and greet"),
        N_("Goal: encourage contact between people of different backgrounds. Way of working: a “meet and greet” kind of initiative, contacts between people across ethnic boundaries."),
    ),
    Option("own", N_("My own idea")),
)

FLOW = Flow(
    id="c",
    letter="C",
    title=N_("Forms of collaboration (Vormen van samenwerking)"),
    # Short preparation: one idea for a collaboration.
    short=("goal",),
    steps=(
        Step(
            id="intro",
            kind=Kind.INFO,
            label=N_("About this exercise"),
            prompt=N_(
                "Collaboration takes many forms: aimed at access and individual care, or at support in the "
                "community; strengthening the work of informal workers, making formal care easier to reach or more "
                "sensitive to diversity, or new forms of support developed together."
            ),
        ),
        Step(
            id="appeal",
            kind=Kind.CHOICE,
            label=N_("The form that appeals to me most"),
            prompt=N_("Here are some examples from an earlier workshop. Which form of collaboration appeals to you most?"),
            options=EXAMPLES,
            explain=N_("ℹ️ What the examples are"),  # ~130 words of goals and ways of working: on demand
        ),
        Step(
            id="why",
            kind=Kind.TEXT,
            label=N_("Why it appeals to me"),
            prompt=N_("Why does this form appeal to you?"),
        ),
        Step(
            id="design_intro",
            kind=Kind.INFO,
            label=N_("Design a collaboration yourself"),
            prompt=N_(
                "Extra: design a collaboration yourself. At the meeting small mixed groups work out an idea and "
                "present it: form, goals, way of working, roles of formal and informal workers, conditions for "
                "success. Prepare your idea here."
            ),
        ),
        Step(
            id="goal",
            kind=Kind.TEXT,
            label=N_("Goal of the collaboration"),
            prompt=N_("Your own idea for a collaboration between formal and informal workers: what would be its goal?"),
        ),
        Step(
            id="what",
            kind=Kind.TEXT,
            label=N_("What exactly is done"),
            prompt=N_("What exactly is done?"),
            optional=True,  # the hand-out's "extra" part: the idea's goal is what the meeting needs
        ),
        Step(
            id="roles",
            kind=Kind.TEXT,
            label=N_("Who has which role"),
            prompt=N_("Who has which role: what do the formal workers do, and what the informal workers?"),
            optional=True,  # the hand-out's "extra" part: the idea's goal is what the meeting needs
        ),
        Step(
            id="conditions",
            kind=Kind.LIST,
            label=N_("Conditions for success"),
            prompt=N_("Which conditions are important for the collaboration to succeed?"),
            optional=True,  # the hand-out's "extra" part: the idea's goal is what the meeting needs
        ),
    ),
)
