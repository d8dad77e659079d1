"""``ItemLogFormatter``: Scrapy's log messages about items, naming the item instead of printing it.

Scrapy's own formatter writes the whole item into the "Dropped", "Error processing" and
"Scraped from" lines: for a page or an article that is its whole text, one log line of
megabytes (a 200 MB page was once a 209 MB line), and a page's words in every log shipped
anywhere. Here an item is shown as its class and URL (:func:`item_label`); the reason of a
drop and the traceback of an error stay as Scrapy writes them.

Settings: ``LOG_FORMATTER`` (points here).
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


def item_label(item: Any) -> str:
    """``Article <canonical URL>``: what the log says of an item instead of its fields."""
    url = getattr(item, "canonical_url", None) or getattr(item, "url", None)
    return f"{type(item).__name__} <{url}>" if url else type(item).__name__


def _labelled(result: LogFormatterResult, item: Any) -> LogFormatterResult:
    args = result.get("args")
    if isinstance(args, dict) and "item" in args:
        result["args"] = {**args, "item": item_label(item)}
    return result


class ItemLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        return _labelled(super().scraped(item, response, spider), item)

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return _labelled(super().dropped(item, exception, response, spider), item)

    def item_error(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return _labelled(super().item_error(item, exception, response, spider), item)
