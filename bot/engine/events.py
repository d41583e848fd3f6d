"""What a participant can do at a step, independent of how the transport received it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Show:
    """Show the current step again (resume, language change, reminder); ``at``: the step a button (a page
    turn) was shown for, so a button of an earlier step brings the current one with a notice."""

    at: str | None = None


@dataclass(frozen=True)
class TextInput:
    """Typed text; ``at`` is the step key of the prompt that was on screen when it was typed, if known."""

    text: str
    at: str | None = None


@dataclass(frozen=True)
class Pick:
    """An option chosen; ``at`` is the step key the button was shown for, if known."""

    option: str
    at: str | None = None


@dataclass(frozen=True)
class PickMany:
    """Several options at once (typed "1 3 5" in the terminal); confirms the step."""

    options: tuple[str, ...]


@dataclass(frozen=True)
class Done:
    """Next (information), or finish a multiple choice or a list."""

    at: str | None = None


@dataclass(frozen=True)
class Keep:
    """Keep the answer already given and go on."""

    at: str | None = None


@dataclass(frozen=True)
class Back:
    at: str | None = None


@dataclass(frozen=True)
class Skip:
    at: str | None = None


@dataclass(frozen=True)
class Restart:
    """Start the current exercise again from its first step (answers stay, changeable)."""


@dataclass(frozen=True)
class VoiceInput:
    """A spoken answer (voice note or audio file).

    ``ref`` names the audio the transport stored (opaque to the engine); None when it was not
    stored because Telegram already said it is over the limits. ``seconds`` and ``size`` (bytes)
    are checked against the limits here."""

    ref: str | None
    seconds: int
    size: int


@dataclass(frozen=True)
class OpenAnswers:
    """Look at every answer, to change one of them and come back here (/myanswers)."""


@dataclass(frozen=True)
class Resume:
    """Leave the answers and go back to where the participant was."""

    at: str | None = None


@dataclass(frozen=True)
class NonText:
    """A sticker, photo, video or anything that is neither text nor a spoken answer."""

    video: bool = False  # a video or video note: answered with a hint to send a voice message


@dataclass(frozen=True)
class UnknownCommand:
    """A command the bot does not know; never stored as an answer."""

    command: str


Event = (
    Show | TextInput | VoiceInput | Pick | PickMany | Done | Keep | Back | Skip | Restart | OpenAnswers | Resume | NonText
    | UnknownCommand
)
