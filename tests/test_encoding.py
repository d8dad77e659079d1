"""Charset correction for pages whose declaration contradicts their bytes."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.encoding import corrected_encoding, with_correct_encoding

TEXT = "浙江省科学技术厅关于公布技术创新中心名单的通知"
TRADITIONAL = "浙江省科學技術廳關於公布技術創新中心名單的通知"


def page(charset: str, body_encoding: str, header: str | None = None) -> HtmlResponse:
    text = TRADITIONAL if body_encoding == "big5" else TEXT
    html = f'<html><head><meta charset="{charset}"></head><body><p>{text}</p></body></html>'
    headers = {"Content-Type": f"text/html; charset={header}"} if header else {}
    return HtmlResponse("http://kjt.zj.gov.cn/a.html", body=html.encode(body_encoding), headers=headers)


@pytest.mark.parametrize(
    ("charset", "body_encoding", "header", "expected"),
    [
        ("utf-8", "utf-8", None, None),
        ("gbk", "gbk", None, None),
        ("gb2312", "utf-8", None, "utf-8"),  # UTF-8 bytes declaring gb2312 (dev corpus)
        ("utf-8", "gbk", "utf-8", "gb18030"),  # GBK page served as UTF-8
        ("big5", "big5", None, None),
    ],
)
def test_corrected_encoding(charset: str, body_encoding: str, header: str | None, expected: str | None) -> None:
    assert corrected_encoding(page(charset, body_encoding, header)) == expected


@pytest.mark.parametrize(("charset", "body_encoding"), [("gb2312", "utf-8"), ("utf-8", "gbk"), ("gbk", "gbk")])
def test_corrected_response_decodes_to_the_text(charset: str, body_encoding: str) -> None:
    assert TEXT in with_correct_encoding(page(charset, body_encoding)).text
