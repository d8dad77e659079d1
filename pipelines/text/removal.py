"""The record every cleaning rule leaves of what it took out of the text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Removal:
    """Text a rule removed: ``rule`` is ``<rule>`` or ``<rule>_<kind>`` (``pinyin``,
    ``boilerplate_share``, ``repeat_passage`` …), ``text`` the removed characters."""

    rule: str
    text: str
