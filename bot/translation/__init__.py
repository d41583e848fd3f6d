"""Machine translation of typed answers into the facilitator's language, stored with the answers.

Only what participants typed is sent: choices from the hand-out's lists (roles, categories, goals,
pitfalls) are shown in every reader's language already, and names and organisations are names.
With no provider configured, nothing leaves the machine.
"""

from bot.translation.providers import DeepL, LibreTranslate, Provider, TranslationError
from bot.translation.service import provider_from_settings, translate_missing

__all__ = ["DeepL", "LibreTranslate", "Provider", "TranslationError", "provider_from_settings", "translate_missing"]
