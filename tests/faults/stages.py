"""Content stages for fault tests, loaded in worker processes by their dotted path."""

from __future__ import annotations

from typing import Any

from lxml import etree


class BrokenXPathStage:
    """Fails every item with an lxml error, which does not pickle (its error log) and so cannot
    come back from a worker process as itself."""

    def process_item(self, item: Any) -> Any:
        etree.XPath("//div[")
        return item
