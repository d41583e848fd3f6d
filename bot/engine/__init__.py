"""The pure conversation engine: declared flows in, position and input in, next view out.

Nothing here knows about Telegram, the terminal or the database.
"""

from bot.engine.estimate import Effort
from bot.engine.events import (
    Back,
    Done,
    Event,
    Keep,
    NonText,
    OpenAnswers,
    Pick,
    PickMany,
    Restart,
    Resume,
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
from bot.engine.runner import NoticeKind, Outcome, Position, State, View, ViewOption, Wording, run, time_left

__all__ = [
    "AnswerIncludes",
    "AnswerIs",
    "Back",
    "BySide",
    "Condition",
    "Done",
    "Effort",
    "Event",
    "Flow",
    "Keep",
    "Kind",
    "NonText",
    "NoticeKind",
    "OpenAnswers",
    "Option",
    "Outcome",
    "Pick",
    "PickMany",
    "Position",
    "Quote",
    "Restart",
    "Resume",
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
    "Wording",
    "run",
    "time_left",
]
