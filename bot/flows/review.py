"""The closing step: all answers at a glance, each exercise open to change."""

from bot.engine import Flow, Kind, Step
from bot.i18n import N_

ORDER = 1000

FLOW = Flow(
    id="review",
    title=N_("Your answers"),
    optional_in_workshop=False,
    short=(),  # the short preparation ends at once with the closing message; /myanswers shows everything
    steps=(
        Step(
            id="overview",
            kind=Kind.REVIEW,
            label=N_("Your answers"),
            prompt=N_("Here is everything you answered. Choose an exercise to change one of its answers."),
        ),
    ),
)
