"""A fixture web site served for real on 127.0.0.1 (port 0), one section per site kind.

* ``gov``: a government CMS column, GBK pages (some served with a lying ``charset=utf-8``
  header), numbered list pages ``index.html``, ``index_1.html`` …, ETag/Last-Modified with 304s;
  plus a redirected article, a dead (404) link, an article that answers 500 once, a slow
  article, a link forbidden by robots.txt and an offsite link (``localhost`` instead of
  ``127.0.0.1``).
* ``news``: UTF-8 list pages chained by a 下一页 link.
* ``repost``: an RSS feed of the latest items only.
* ``farm``: a sitemap index pointing at a urlset sitemap (Last-Modified, no ETag).
* ``waf``: a list page answering with a WAF challenge page (or 403 with ``waf_status``).
* ``hanweb``: a Hanweb (大汉) column page embedding its newest ``HANWEB_EMBEDDED`` records in a
  ``<script type="text/xml"><datastore>`` block, with the column/unit/site ids in a ``jpage``
  script and a ``<nextgroup>`` link; ``POST /module/jpage/dataproxy.jsp?startrecord=…`` answers
  deeper records as ``<datastore>`` XML when the form names the column (``hanweb_proxy =
  "malformed"``: a truncated answer). POSTs are logged in :attr:`FixtureWeb.posts`.

The news section's first article answers 503 with ``Retry-After: 1`` once; with
``news_layout = "v2"`` its list pages link articles under a new URL scheme (a redesign).

Articles are listed newest first; :meth:`FixtureWeb.publish` adds new ones between crawls.
The ``hanweb`` section is not in ``SECTIONS``: its config is written with ``include_hanweb``.
Every request is logged as (section, kind, path, host), where kind is ``article``, ``list``
or ``robots``.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from crawler.siteconfig import SHIPPED_SITES_DIR

SECTIONS = ("gov", "news", "repost", "farm")
GOV_PER_PAGE = 5
NEWS_PER_PAGE = 4
FEED_ITEMS = 5
ROBOTS = "User-agent: *\nDisallow: /gov/private/\n"

# Article numbers of the gov section with special behaviour (present from the start).
REDIRECTED, FLAKY, SLOW = 2, 3, 4
DEAD_LINK = "/gov/art/2026/1/1/art_1_9999.html"
FORBIDDEN_LINK = "/gov/private/art/2026/1/1/art_1_7777.html"

# The Hanweb column: ids as a real column page carries them, records embedded in the page,
# and the dataproxy's records per request (3 screens of 2, as the fixture config says).
HANWEB_COLUMN, HANWEB_UNIT, HANWEB_WEBID, HANWEB_WEBNAME = "1229080140", "4990372", "3151", "测试科技局"
HANWEB_EMBEDDED = 6
HANWEB_COLUMN_PAGE = f"/hanweb/col/col{HANWEB_COLUMN}/index.html"
DATAPROXY = "/module/jpage/dataproxy.jsp"


def article_path(section: str, n: int) -> str:
    return {
        "gov": f"/gov/art/2026/1/{n % 28 + 1}/art_1_{n}.html",
        "news": f"/news/202601/t20260101_{n}.html",
        "repost": f"/repost/htmlnews/2026/1/{n}.shtm",
        "farm": f"/farm/p/{n}.html",
        "hanweb": f"/hanweb/art/2026/2/{n % 28 + 1}/art_{HANWEB_COLUMN}_{n}.html",
    }[section]


def article_title(section: str, n: int) -> str:
    return {
        "gov": f"嘉兴市科技局关于第{n}批科技项目的通知",
        "news": f"浙江科技新闻第{n}期：创新平台建设提速",
        "repost": f"转载：科技部发布第{n}号科技创新动态",
        "farm": f"科技资讯第{n}篇：产业链协同发展",
        "hanweb": f"省科技厅召开第{n}次科技创新工作推进会",
    }[section]


def article_html(section: str, n: int, charset: str) -> str:
    title = article_title(section, n)
    body = "".join(
        f"<p>{title}。第{k}段：本市加快推进科技创新体系建设，围绕重点产业开展关键核心技术攻关，"
        f"推动科技成果转化和产业化，全年新增高新技术企业{n * 10 + k}家。</p>"
        for k in range(1, 4)
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head><body>'
        f'<h1>{title}</h1><div class="info">发布时间：2026-01-{n % 28 + 1:02d} 10:00 来源：测试站点</div>'
        f'<div class="content">{body}</div></body></html>'
    )


@dataclass
class FixtureWeb:
    counts: dict[str, int] = field(default_factory=lambda: {"gov": 12, "news": 8, "repost": 5, "farm": 6, "hanweb": 30})
    gov_depth_pages: int = 10
    article_delay: float = 0.0
    news_layout: str = "v1"
    waf_status: int = 200
    hanweb_proxy: str = "ok"
    log: list[tuple[str, str, str, str]] = field(default_factory=list)
    posts: list[tuple[dict[str, str], dict[str, str], dict[str, str]]] = field(default_factory=list)
    """Every POST: its query, its form and its headers."""
    times: dict[str, list[float]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    # --- content ---------------------------------------------------------------------------

    def numbers(self, section: str) -> list[int]:
        """Article numbers of a section, newest first."""
        return list(range(self.counts[section], 0, -1))

    def publish(self, section: str, count: int) -> list[str]:
        with self.lock:
            first = self.counts[section] + 1
            self.counts[section] += count
        return [article_path(section, n) for n in range(first, first + count)]

    def all_article_paths(self, section: str) -> list[str]:
        return [article_path(section, n) for n in self.numbers(section)]

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def gov_list(self, page: int) -> str | None:
        numbers = self.numbers("gov")
        chunk = numbers[page * GOV_PER_PAGE : (page + 1) * GOV_PER_PAGE]
        if not chunk:
            return None
        items = "".join(f'<li><a href="{article_path("gov", n)}">{article_title("gov", n)}</a></li>' for n in chunk)
        if page == 0:
            items += f'<li><a href="{DEAD_LINK}">已删除的通知</a></li>'
            items += f'<li><a href="{FORBIDDEN_LINK}">内部通知</a></li>'
            items += f'<li><a href="http://localhost:{self.port}/gov/art/2026/1/1/art_1_8888.html">别处的通知</a></li>'
        return (
            '<html><head><meta charset="gbk"><title>通知公告</title></head><body><div class="nav">'
            '<a href="/gov/col/index.html">首页</a></div><ul class="list">'
            f"{items}</ul></body></html>"
        )

    def news_list(self, page: int) -> str | None:
        numbers = self.numbers("news")
        chunk = numbers[(page - 1) * NEWS_PER_PAGE : page * NEWS_PER_PAGE]
        if not chunk:
            return None

        def href(n: int) -> str:
            return article_path("news", n) if self.news_layout == "v1" else f"/news/story/{n}"

        items = "".join(f'<li><a href="{href(n)}">{article_title("news", n)}</a></li>' for n in chunk)
        more = len(numbers) > page * NEWS_PER_PAGE
        next_link = f'<a class="next" href="list_{page + 1}.html">下一页</a>' if more else ""
        return (
            f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul>'
            f'<div class="page">{next_link}</div></body></html>'
        )

    def hanweb_records(self, first: int, last: int) -> str:
        """``<record>`` elements of the column's records ``first`` to ``last`` (1-based, newest first)."""
        return "".join(
            f'<record><![CDATA[<li><a href="{article_path("hanweb", n)}" target="_blank">{article_title("hanweb", n)}'
            f"</a><span>2026-02-{n % 28 + 1:02d}</span></li>]]></record>"
            for n in self.numbers("hanweb")[first - 1 : last]
        )

    def hanweb_column(self) -> str:
        proxy = (
            f"{DATAPROXY}?page=1&appid=1&webid={HANWEB_WEBID}&path=/&columnid={HANWEB_COLUMN}"
            f"&unitid={HANWEB_UNIT}&webname={quote(HANWEB_WEBNAME)}&permissiontype=0"
        )
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>工作动态</title></head><body>'
            f'<div class="nav"><a href="/hanweb/col/col1/index.html">首页</a></div><div id="{HANWEB_UNIT}">'
            f'<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="{proxy}"></a>]]></nextgroup>'
            f"<recordset>{self.hanweb_records(1, HANWEB_EMBEDDED)}</recordset></datastore></script></div>"
            '<script language="javascript" src="/module/jpage/resources/jquery.js"></script>'
            f"<script>$(document).ready(function(){{$('#{HANWEB_UNIT}').jpage({{dataStore:dataStore,"
            f"perPage:2,totalRecord:{self.counts['hanweb']},groupSize:3,proxyUrl:'{DATAPROXY}',"
            f"ajaxParam:{{col:1,appid:1,webid:'{HANWEB_WEBID}',path:'/',columnid:'{HANWEB_COLUMN}',"
            f"sourceContentType:'1',unitid:'{HANWEB_UNIT}',webname:'{HANWEB_WEBNAME}',permissiontype:0}}}});}});"
            "</script></body></html>"
        )

    def dataproxy(self, query: dict[str, str], form: dict[str, str]) -> tuple[int, bytes, str, dict[str, str]]:
        """The answer of ``dataproxy.jsp``: records ``startrecord`` to ``endrecord`` of the column the form names."""
        if (form.get("columnid"), form.get("unitid"), form.get("webid")) != (HANWEB_COLUMN, HANWEB_UNIT, HANWEB_WEBID):
            return 400, b"unknown column", "text/plain", {}
        if self.hanweb_proxy == "malformed":
            truncated = '<?xml version="1.0" encoding="UTF-8"?><datastore><recordset><record><![CDATA[<li><a href="'
            return 200, truncated.encode("utf-8"), "text/xml; charset=utf-8", {}
        first, last = int(query["startrecord"]), int(query["endrecord"])
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{self.counts["hanweb"]}</totalrecord>'
            f"<recordset>{self.hanweb_records(first, last)}</recordset></datastore>"
        )
        # An ETag a POST must never be asked with.
        return 200, xml.encode("utf-8"), "text/xml; charset=utf-8", {"ETag": f'"proxy-{first}-{last}"'}

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{article_title('repost', n)}</title>"
            f"<link>{self.base}{article_path('repost', n)}</link></item>"
            for n in self.numbers("repost")[:FEED_ITEMS]
        )
        head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>转载</title>'
        return f"{head}{items}</channel></rss>"

    def sitemap_index(self) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/farm/sitemap-articles.xml</loc>"
            f"<lastmod>2026-01-01T00:{self.counts['farm']:02d}:00+08:00</lastmod></sitemap></sitemapindex>"
        )

    def sitemap(self) -> str:
        urls = "".join(f"<url><loc>{self.base}{path}</loc></url>" for path in self.all_article_paths("farm"))
        return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'

    # --- serving ---------------------------------------------------------------------------

    def start(self) -> FixtureWeb:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                web.handle(self)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                web.handle(self, body.decode("utf-8"))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def requests(self, section: str | None = None, kind: str | None = None) -> list[str]:
        with self.lock:
            return [p for s, k, p, _ in self.log if (section is None or s == section) and (kind is None or k == kind)]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()
            self.posts.clear()

    def handle(self, request: BaseHTTPRequestHandler, form_body: str | None = None) -> None:
        path, _, query = request.path.partition("?")
        section = "hanweb" if path == DATAPROXY else path.strip("/").split("/", 1)[0]
        kind = "robots" if path == "/robots.txt" else ("article" if self._is_article(section, path) else "list")
        with self.lock:
            self.log.append((section, kind, path, request.headers.get("Host", "")))
            self.hits[path] += 1
            hits = self.hits[path]
            self.times.setdefault(path, []).append(time.monotonic())
            if form_body is not None:
                self.posts.append((dict(parse_qsl(query)), dict(parse_qsl(form_body)), dict(request.headers.items())))
        if form_body is not None:
            answer = self.dataproxy(dict(parse_qsl(query)), dict(parse_qsl(form_body))) if path == DATAPROXY else None
        else:
            answer = self._answer(section, path, hits)
        if answer is None:
            self._send(request, 404, b"not found", "text/plain")
            return
        status, body, content_type, extra = answer
        if status == 200 and kind == "list" and (section in SECTIONS or path == HANWEB_COLUMN_PAGE):
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if section != "farm":
                extra["ETag"] = etag
            extra["Last-Modified"] = formatdate(1767225600 + self.counts[section] * 60, usegmt=True)
            if (section != "farm" and request.headers.get("If-None-Match") == etag) or (
                section == "farm" and request.headers.get("If-Modified-Since") == extra["Last-Modified"]
            ):
                self._send(request, 304, b"", content_type, extra)
                return
        self._send(request, status, body, content_type, extra)

    def _is_article(self, section: str, path: str) -> bool:
        if path in (DEAD_LINK, FORBIDDEN_LINK) or path.startswith("/gov/moved/"):
            return True
        return section in (*SECTIONS, "hanweb") and any(
            path == article_path(section, n) for n in range(1, self.counts.get(section, 0) + 1)
        )

    def _answer(self, section: str, path: str, hits: int) -> tuple[int, bytes, str, dict[str, str]] | None:
        if path == "/robots.txt":
            return 200, ROBOTS.encode(), "text/plain", {}
        if section == "gov":
            return self._gov(path, hits)
        if section == "news" and (path == "/news/list.html" or path.startswith("/news/list_")):
            page = 1 if path == "/news/list.html" else int(path.removeprefix("/news/list_").removesuffix(".html"))
            markup = self.news_list(page)
            return None if markup is None else (200, markup.encode("utf-8"), "text/html; charset=utf-8", {})
        if section == "waf" and path == "/waf/list.html":
            if self.waf_status != 200:
                return self.waf_status, b"<html><body>Forbidden</body></html>", "text/html", {}
            challenge = b'<html><script>document.cookie="wzws_cid=1f2e3d";location.reload()</script></html>'
            return 200, challenge, "text/html", {}
        if section == "news" and path == article_path("news", 1) and hits == 1:
            return 503, b"busy", "text/plain", {"Retry-After": "1"}
        if section == "repost" and path == "/repost/rss.xml":
            return 200, self.feed().encode("utf-8"), "application/rss+xml", {}
        if section == "farm" and path == "/farm/sitemap.xml":
            return 200, self.sitemap_index().encode("utf-8"), "application/xml", {}
        if section == "farm" and path == "/farm/sitemap-articles.xml":
            return 200, self.sitemap().encode("utf-8"), "application/xml", {}
        if path == HANWEB_COLUMN_PAGE:
            return 200, self.hanweb_column().encode("utf-8"), "text/html; charset=utf-8", {}
        for n in self.numbers(section) if section in (*SECTIONS, "hanweb") else []:
            if path == article_path(section, n):
                self._pause()
                return 200, article_html(section, n, "utf-8").encode("utf-8"), "text/html; charset=utf-8", {}
        return None

    def _gov(self, path: str, hits: int) -> tuple[int, bytes, str, dict[str, str]] | None:
        if path == "/gov/col/index.html" or path.startswith("/gov/col/index_"):
            page = (
                0 if path == "/gov/col/index.html" else int(path.removeprefix("/gov/col/index_").removesuffix(".html"))
            )
            markup = self.gov_list(page)
            return None if markup is None else (200, markup.encode("gbk"), "text/html; charset=gbk", {})
        if path.startswith("/gov/moved/"):
            n = int(path.rsplit("_", 1)[1].removesuffix(".html"))
            return 200, article_html("gov", n, "gbk").encode("gbk"), "text/html", {}
        for n in self.numbers("gov"):
            if path != article_path("gov", n):
                continue
            if n == REDIRECTED:
                return 301, b"", "text/html", {"Location": f"/gov/moved/art_1_{n}.html"}
            if n == FLAKY and hits == 1:
                return 500, b"server busy", "text/plain", {}
            if n == SLOW:
                time.sleep(1.0)
            self._pause()
            # Odd articles are GBK served with a lying UTF-8 header, as some gov CMSs do.
            content_type = "text/html; charset=utf-8" if n % 2 else "text/html; charset=gbk"
            return 200, article_html("gov", n, "gbk").encode("gbk"), content_type, {}
        return None

    def _pause(self) -> None:
        if self.article_delay:
            time.sleep(self.article_delay)

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        if status != 304:
            request.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            request.send_header(name, value)
        request.end_headers()
        if status != 304:
            request.wfile.write(body)


def site_configs(
    directory: Path,
    base: str,
    *,
    gov_pages: int = 10,
    include_waf: bool = False,
    include_hanweb: bool = False,
    hanweb_pages: int = 4,
) -> Path:
    """Writes one site config per section, pointed at ``base``; returns the directory.

    The ``hanweb`` site extends the shipped ``_base_hanweb`` (copied beside it), so its
    dataproxy form and the patterns reading the ids are the ones real crawls use.
    """
    directory.mkdir(parents=True, exist_ok=True)
    common = 'allowed_domains = ["127.0.0.1"]\nschedule = "*/30 * * * *"\n'
    (directory / "_base_fixture_cms.toml").write_text(
        "kind = \"gov\"\ndeny_links = ['\\.pdf$']\n[politeness]\ndownload_delay = 0\nconcurrency = 4\n",
        encoding="utf-8",
    )
    configs = {
        "gov": f'extends = "_base_fixture_cms"\nname = "测试 政府"\n{common}'
        f'list_pages = ["{base}/gov/col/index.html"]\n'
        f"article_links = ['/art/\\d{{4}}/\\d{{1,2}}/\\d{{1,2}}/art_\\d+_\\d+\\.html$']\n"
        f'link_area = "ul.list"\n[pagination]\nkind = "numbered"\nnumbered = "index_{{n}}.html"\n'
        f"max_pages = {gov_pages}\n",
        "news": f'name = "测试 新闻"\nkind = "news"\n{common}list_pages = ["{base}/news/list.html"]\n'
        f"article_links = ['/news/\\d{{6}}/t\\d{{8}}_\\d+\\.html$']\n"
        '[pagination]\nkind = "next"\nnext_link = "a.next"\nmax_pages = 10\n[politeness]\ndownload_delay = 0\n',
        "repost": f'name = "测试 转载"\nkind = "repost"\n{common}feeds = ["{base}/repost/rss.xml"]\n'
        f"article_links = ['/htmlnews/\\d{{4}}/\\d{{1,2}}/\\d+\\.shtm$']\n[politeness]\ndownload_delay = 0\n",
        "farm": f'name = "测试 农场"\nkind = "farm"\n{common}sitemaps = ["{base}/farm/sitemap.xml"]\n'
        "article_links = ['/farm/p/\\d+\\.html$']\n[politeness]\ndownload_delay = 0\n",
    }
    if include_waf:
        configs["waf"] = (
            f'name = "测试 防火墙"\nkind = "gov"\n{common}list_pages = ["{base}/waf/list.html"]\n'
            "article_links = ['/waf/a/\\d+\\.html$']\n[politeness]\ndownload_delay = 0\n"
        )
    if include_hanweb:
        shutil.copy(SHIPPED_SITES_DIR / "_base_hanweb.toml", directory / "_base_hanweb.toml")
        configs["hanweb"] = (
            f'extends = "_base_hanweb"\nname = "测试 大汉"\n{common}list_pages = ["{base}{HANWEB_COLUMN_PAGE}"]\n'
            f"[pagination]\nmax_pages = {hanweb_pages}\n[pagination.dataproxy]\nrecords = {HANWEB_EMBEDDED}\n"
            "per_page = 2\n[politeness]\ndownload_delay = 0\nconcurrency = 4\n"
        )
    for site, text in configs.items():
        (directory / f"fx_{site}.toml").write_text(text, encoding="utf-8")
    return directory
