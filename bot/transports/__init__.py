"""Transports translate between a channel (terminal, Telegram) and the engine."""
