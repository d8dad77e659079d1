"""The value type every enrichment rule returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """A value found in the text and the name of the rule that found it (for provenance)."""

    value: T
    rule: str
