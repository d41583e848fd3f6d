"""Exercise B, "De kracht van de ander": the strength of the other side in four categories.

Formal workers describe informal workers and the other way round. Everyone's own strength in the
same four categories belongs to the meeting (the hand-out: "after the presentations, take a few
minutes of reflection"): there to answer from /myanswers, not asked beforehand.
"""

from bot.engine import BySide, Flow, Kind, Step
from bot.i18n import N_, NP_

ORDER = 20

# The four kinds of terms in which the strength of the other can often be captured.
CATEGORIES = (
    ("knowledge", N_("Knowledge and understanding")),
    ("skills", N_("Skills")),
    ("position", NP_("strength category", "Position")),  # social position, not place in the flow
    ("power", N_("Power and resources")),
)

_OTHER_PROMPTS = {
    "knowledge": BySide(
        formal=N_("(a) Knowledge and understanding: what do informal workers know and understand that matters for your work with parents? Give concrete examples."),
        informal=N_("(a) Knowledge and understanding: what do formal workers know and understand that matters for your work with parents? Give concrete examples."),
    ),
    "skills": BySide(
        formal=N_("(b) Skills: what are informal workers good at? Give concrete examples."),
        informal=N_("(b) Skills: what are formal workers good at? Give concrete examples."),
    ),
    "position": BySide(
        formal=N_("(c) Position: what does the position of informal workers make possible (for example who they reach, whom they are trusted by)?"),
        informal=N_("(c) Position: what does the position of formal workers make possible (for example what they can arrange, whom they reach)?"),
    ),
    "power": BySide(
        formal=N_("(d) Power and resources: what power and resources do informal workers have?"),
        informal=N_("(d) Power and resources: what power and resources do formal workers have?"),
    ),
}

_OWN_PROMPTS = {
    "knowledge": N_("Your own strength, (a) knowledge and understanding: what do you know and understand that you bring to the collaboration?"),
    "skills": N_("Your own strength, (b) skills: what are you good at?"),
    "position": N_("Your own strength, (c) position: what does your position make possible?"),
    "power": N_("Your own strength, (d) power and resources: which power and resources do you bring?"),
}

_OTHER_LABELS = {
    "knowledge": N_("Strength of the other: knowledge and understanding"),
    "skills": N_("Strength of the other: skills"),
    "position": N_("Strength of the other: position"),
    "power": N_("Strength of the other: power and resources"),
}
_OWN_LABELS = {
    "knowledge": N_("Own strength: knowledge and understanding"),
    "skills": N_("Own strength: skills"),
    "position": N_("Own strength: position"),
    "power": N_("Own strength: power and resources"),
}


def other_key(category: str) -> str:
    return f"other_{category}"


def own_key(category: str) -> str:
    return f"own_{category}"


FLOW = Flow(
    id="b",
    letter="B",
    title=N_("The strength of the other (De kracht van de ander)"),
    # Short preparation: the strength of the other side in the four categories.
    short=tuple(other_key(cat) for cat, _label in CATEGORIES),
    steps=(
        Step(
            id="intro",
            kind=Kind.INFO,
            label=N_("About this exercise"),
            prompt=BySide(
                formal=N_(
                    "Put yourself in the place of the other side: what do informal workers and organisations have "
                    "that you do not, and that can add value to a collaboration? Hearing where your strength lies "
                    "often feels like recognition. Their strength can be put in four kinds of terms: (a) knowledge "
                    "and understanding, (b) skills, (c) position, (d) power and resources. The next questions go "
                    "through them one by one."
                ),
                informal=N_(
                    "Put yourself in the place of the other side: what do formal workers and organisations have "
                    "that you do not, and that can add value to a collaboration? Hearing where your strength lies "
                    "often feels like recognition. Their strength can be put in four kinds of terms: (a) knowledge "
                    "and understanding, (b) skills, (c) position, (d) power and resources. The next questions go "
                    "through them one by one."
                ),
            ),
        ),
        *(
            Step(id=other_key(cat), kind=Kind.LIST, label=_OTHER_LABELS[cat], prompt=_OTHER_PROMPTS[cat], optional=True)
            for cat, _label in CATEGORIES
        ),
        Step(
            id="important",
            kind=Kind.TEXT,
            label=N_("Which strengths matter most, and why"),
            prompt=N_("In your group you will discuss which strengths matter most and why, with examples. Which do you find most important, and why?"),
            optional=True,
        ),
        *(
            Step(
                id=own_key(cat), kind=Kind.LIST, label=_OWN_LABELS[cat], prompt=_OWN_PROMPTS[cat], optional=True, at_meeting=True
            )
            for cat, _label in CATEGORIES
        ),
        Step(
            id="offer",
            kind=Kind.TEXT,
            label=N_("What I can offer the other"),
            prompt=N_("What can you offer the other side?"),
            prefill_from=("a.offer",),
        ),
        Step(
            id="reaction",
            kind=Kind.TEXT,
            label=N_("Does their picture fit? (after the meeting)"),
            prompt=N_(
                "At the meeting, listen to how the other group describes your strength. Does it fit? Did they "
                "overlook something, or were you (happily) surprised by some points? You can fill this in later."
            ),
            optional=True,
            at_meeting=True,
        ),
    ),
)
