"""The project's ``scrapy`` commands (``COMMANDS_MODULE``), and what several of them share."""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings


def quiet_logging(settings: BaseSettings) -> None:
    """Warnings and errors only, unless ``-s LOG_LEVEL`` asked for more: the command prints its
    own summary (the project's ``LOG_LEVEL`` outranks a command's default settings)."""
    asked = settings.getpriority("LOG_LEVEL") or 0
    if asked < SETTINGS_PRIORITIES["cmdline"]:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
