"""Second opinion on the charset Scrapy chose for a response.

Scrapy's ``TextResponse`` trusts, in order, the BOM, the ``Content-Type`` header and the
page's ``<meta charset>``, then sniffs. Chinese sites often lie in the declaration: pages
saved as UTF-8 still say ``charset=gb2312`` (seen in the dev corpus), and GBK pages are
served with ``charset=utf-8`` headers. Decoding with the declared charset then yields
mojibake without any error, because GB18030 maps every byte sequence.

The check is strict decoding, which is decisive for Chinese text: a GBK body of any length
is practically never valid UTF-8, and a UTF-8 body is never *strictly* decodable as the
declared single charset when that charset is wrong in the other direction. We only
override when the declared charset fails strict decoding or when UTF-8 succeeds on a body
declared as a GB/Big5 family charset. Decoding itself stays with Scrapy: callers pass the
result as ``encoding=`` to ``Response.replace``.
"""

from __future__ import annotations

import codecs

from scrapy.http import TextResponse

# Charsets whose byte ranges overlap UTF-8 multi-byte sequences, so a UTF-8 body declared
# as one of them decodes "successfully" into mojibake.
_LEGACY_CJK = frozenset({"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "cp936"})


def _normalized(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def corrected_encoding(response: TextResponse) -> str | None:
    """The encoding to decode ``response`` with when Scrapy's choice is wrong, else ``None``."""
    body = response.body
    if not body or body.isascii():
        return None
    chosen = _normalized(response.encoding)
    legacy = {_normalized(name) for name in _LEGACY_CJK}
    if chosen in legacy and _decodes(body, "utf-8"):
        return "utf-8"
    if chosen == "utf-8" and not _decodes(body, "utf-8"):
        for candidate in ("gb18030", "big5"):
            if _decodes(body, candidate):
                return candidate
    return None


def with_correct_encoding(response: TextResponse) -> TextResponse:
    """``response`` itself, or a copy decoding with the corrected encoding."""
    encoding = corrected_encoding(response)
    if encoding is None:
        return response
    return response.replace(encoding=encoding)
