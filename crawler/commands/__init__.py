"""The project's ``scrapy`` commands (``COMMANDS_MODULE``), and what several of them share."""

from __future__ import annotations

from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from crawler.db.engine import database_url_problem
from crawler.progress import progress_mode


def quiet_logging(settings: BaseSettings) -> None:
    """Warnings and errors only, unless ``-s LOG_LEVEL`` asked for more: the command prints its
    own summary (the project's ``LOG_LEVEL`` outranks a command's default settings).

    The progress display is decided first (:func:`crawler.progress.progress_mode`), from the
    level asked for: a long run still shows its progress, and ``-L WARNING`` still silences it.
    """
    settings.set("PROGRESS", progress_mode(settings), priority="cmdline")
    asked = settings.getpriority("LOG_LEVEL")
    if asked is None or asked < SETTINGS_PRIORITIES["cmdline"]:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")


def check_database_url(settings: BaseSettings | None) -> None:
    """A usage error (one line, exit status 2) when ``DATABASE_URL`` names no usable database:
    checked before a command connects or builds a crawler, whose failure would be a traceback."""
    assert settings is not None, "a command's settings are set before it runs"
    problem = database_url_problem(settings["DATABASE_URL"])
    if problem is not None:
        raise UsageError(problem, print_help=False)
