"""The pure conversation engine: declared flows in, position and input in, next view out.

Nothing here knows about Telegram, the terminal or the database.
"""

from bot.engine.events import (
    Back,
    Done,
    Event,
    Keep,
    NonText,
    Pick,
    PickMany,
    Restart,
    Show,
    Skip,
    TextInput,
    UnknownCommand,
    VoiceInput,
)
from bot.engine.model import (
    AnswerIncludes,
    AnswerIs,
    BySide,
    Condition,
    Flow,
    Kind,
    Option,
    Quote,
    SideIs,
    Step,
)
from bot.engine.runner import Outcome, Position, State, View, ViewOption, run

__all__ = [
    "AnswerIncludes",
    "AnswerIs",
    "Back",
    "BySide",
    "Condition",
    "Done",
    "Event",
    "Flow",
    "Keep",
    "Kind",
    "NonText",
    "Option",
    "Outcome",
    "Pick",
    "PickMany",
    "Position",
    "Quote",
    "Restart",
    "Show",
    "SideIs",
    "Skip",
    "State",
    "Step",
    "TextInput",
    "UnknownCommand",
    "View",
    "ViewOption",
    "VoiceInput",
    "run",
]
