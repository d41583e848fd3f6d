"""How each transport names its controls inside prompts and notices ("then press “Done”" on
Telegram, "then type /done" in the terminal): the engine only says which control it means."""

from bot.engine.runner import Wording
from bot.i18n import N_

BUTTONS = Wording(
    done=N_("press “Done”"),
    skip=N_("press “Skip”"),
    next=N_("press “Next”"),
    each=N_("One per message, then press “Done”."),
)
COMMANDS = Wording(
    done=N_("type /done"),
    skip=N_("type /skip"),
    next=N_("press Enter"),
    each=N_("One per line (Enter after each), then type /done."),
    local=True,
)
