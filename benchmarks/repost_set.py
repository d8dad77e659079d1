"""A labelled repost set from the dev corpus: real articles under their real URLs, and reposts
of them on other hosts, as WARC files ``scrapy crawl replay`` reads.

Originals are the pages of ``../shared/corpus/dev/<id>/page.html`` whose truth has a body of at
least :data:`MIN_BODY` characters and a publication time, replayed as fetched an hour after
they were published, under their truth URL (or ``http://<id>.origin.test/`` when the truth has
none). The corpus is read by path and never copied; :func:`corpus_originals` refuses loudly
when it is absent.

Each original gets :data:`COPIES_PER_STORY` reposts on hosts of :data:`FRAMES`, each host with
its own page frame (a financial portal, an old GBK table layout, a content farm with a relative
date and a long in-article template, Hong Kong and Taiwan sites in Traditional script, a
WeChat-style page without date, a county portal that prints date-only, a self-media blog with
上午/下午 times, an aggregator that prints 原文链接, and a forum that reposts another repost and
names it). A repost is fetched hours to days after the original, prints a time at minute or
day precision (or none) that is never before the original's day, names the origin in the way
its frame does (来源/转自/转载自 with the outlet's name or host, 原文链接 with its URL, nothing),
and changes the text the way its variant does (verbatim, the last 30% cut plus an ad
paragraph, an editor's note and a new title, 2-3% character swaps, re-paragraphing).

The true original of every story is the corpus page; :class:`Label` rows say so per URL.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.text.script import converter

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT.parent / "shared" / "corpus" / "dev"
MIN_BODY = 240
COPIES_PER_STORY = 7
BEIJING = timedelta(hours=8)

# A farm's in-article template: the same long text inside every article of the host.
FARM_TEMPLATE = (
    "免责声明：本站所载文章、数据仅供参考，使用前请核实，风险自负。本站部分内容转载自互联网，"
    "转载目的在于传递更多信息，并不代表本站赞同其观点和对其真实性负责，如有侵权请联系删除。",
    "相关阅读：近日，多地相继出台政策措施，推动经济社会持续健康发展，"
    "各地区各部门认真贯彻落实决策部署，取得了积极成效，受到社会广泛关注和好评。",
    "版权声明本文内容由互联网用户自发贡献，该文观点仅代表作者本人，本站仅提供信息存储空间服务，"
    "不拥有所有权，不承担相关法律责任，如发现本站有涉嫌抄袭侵权内容，请发送邮件举报，一经查实立刻删除。",
)
AD_PARAGRAPH = "【广告】扫码关注我们的公众号，每天推送最新资讯，点击下方链接领取新人专属福利，限时免费。"
EDITOR_NOTES = ("编者按：本文转载自网络，仅供读者参考。", "（本文经授权转载，略有删节）")
SWAP_CHARS = "的一是了在人有我他这中大来上国个到说们为子和你地出道也时年"


@dataclass(frozen=True)
class Frame:
    """A reposting host: how its pages look and how they name the origin."""

    host: str
    name: str
    layout: str
    """``portal``, ``table`` (GBK), ``farm``, ``hk``, ``tw``, ``wechat``, ``county``, ``blog``,
    ``aggregator``, ``forum``."""
    date_style: str
    """``minute``, ``day``, ``relative``, ``ampm``, ``none``."""
    cite: str
    """``name`` (来源 names the origin outlet), ``host`` (转自 its host), ``url`` (原文链接),
    ``repost`` (来源 names another reposting host), ``none``."""
    charset: str = "utf-8"


FRAMES = (
    Frame("finance.jinrongmen.com.cn", "金融门户财经", "portal", "minute", "name"),
    Frame("www.laobaozhi.net", "老报纸资讯网", "table", "day", "name", charset="gbk"),
    Frame("www.haokanzixun.cc", "好看资讯", "farm", "relative", "none"),
    Frame("news.xianggangribao.hk", "香港日報網", "hk", "ampm", "name"),
    Frame("www.taiwanxinwen.tw", "台灣新聞網", "tw", "minute", "host"),
    Frame("mp.weixinwen.cn", "微信文摘", "wechat", "none", "name"),
    Frame("www.xx-county.gov.cn", "某县人民政府", "county", "day", "host"),
    Frame("blog.zimeiti.cn", "自媒体之家", "blog", "ampm", "none"),
    Frame("www.juhe-news.com", "聚合新闻", "aggregator", "minute", "url"),
    Frame("bbs.luntan.cn", "论坛社区", "forum", "minute", "repost"),
)
VARIANTS = ("verbatim", "cut_ad", "retitled", "swapped", "reparagraphed")


@dataclass(frozen=True)
class Original:
    story: str
    url: str
    page: bytes
    charset: str
    title: str
    body: str
    published: datetime
    """In UTC."""
    precision: str
    """``day`` or ``minute``: what the truth prints."""
    outlet: str
    """How a repost names this page's outlet: its own 来源 when it names itself (news), else its host."""


@dataclass(frozen=True)
class Label:
    url: str
    story: str
    original_url: str
    """URL of the story's true original (the corpus page)."""
    frame: str
    variant: str
    cited: str | None


def corpus_originals(corpus_dir: Path = CORPUS_DIR) -> list[Original]:
    """The corpus pages usable as originals; raises when the corpus is absent."""
    paths = sorted(corpus_dir.glob("*/truth.json"))
    if not paths:
        raise SystemExit(f"the dev corpus is absent: no */truth.json under {corpus_dir}")
    originals = []
    for path in paths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        body, published = truth.get("body") or "", truth.get("published")
        if len(body) < MIN_BODY or not published or truth.get("script") != "simplified":
            continue
        when, precision = _parse_truth_time(published)
        url = truth.get("url") or f"http://{truth['id']}.origin.test/article.html"
        own = truth.get("source_name")
        outlet = own if truth.get("kind") == "news" and own else _registered_domain(urlsplit(url).hostname or "")
        originals.append(
            Original(
                story=truth["id"],
                url=url,
                page=(path.parent / "page.html").read_bytes(),
                charset=truth.get("encoding") or "utf-8",
                title=truth.get("title") or "",
                body=body,
                published=when,
                precision=precision,
                outlet=outlet,
            )
        )
    return originals


def _parse_truth_time(value: str) -> tuple[datetime, str]:
    """Beijing time of the truth's ``published`` in UTC, with its precision."""
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=UTC) - BEIJING, "day"
    return datetime.fromisoformat(value[:16]).replace(tzinfo=UTC) - BEIJING, "minute"


def _registered_domain(host: str) -> str:
    """``people.com.cn`` of ``finance.people.com.cn`` (a made-up ``.test`` host stays whole)."""
    parts = host.split(".")
    if parts[-1] == "test":
        return host
    keep = 3 if len(parts) >= 3 and parts[-2] in {"gov", "com", "org", "net", "edu"} else 2
    return ".".join(parts[-keep:])


def _printed_time(when: datetime, style: str, fetched: datetime) -> str | None:
    """The time as a frame prints it (Beijing time)."""
    local = when + BEIJING
    if style == "none":
        return None
    if style == "day":
        return f"{local:%Y-%m-%d}"
    if style == "relative":
        hours = max(1, int((fetched - when).total_seconds() // 3600))
        return f"{hours}小时前" if hours < 24 else f"{local:%Y-%m-%d}"
    if style == "ampm":
        half = "上午" if local.hour < 12 else "下午"
        hour = local.hour if local.hour <= 12 else local.hour - 12
        return f"{local:%Y年%m月%d日} {half}{hour}:{local:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def varied_body(body: str, variant: str, rng: random.Random) -> tuple[list[str], str | None]:
    """The paragraphs of a repost's text, and the note line a retitled repost adds."""
    paragraphs = [p for p in body.split("\n") if p.strip()]
    if variant == "cut_ad":
        text = "\n".join(paragraphs)
        paragraphs = [p for p in text[: int(len(text) * 0.7)].split("\n") if p.strip()] + [AD_PARAGRAPH]
    elif variant == "swapped":
        paragraphs = ["".join(_swap(c, rng) for c in p) for p in paragraphs]
    elif variant == "reparagraphed":
        sentences = re.findall(r"[^。！？]+[。！？]?", "".join(paragraphs))
        paragraphs, run = [], ""
        for sentence in sentences:
            run += sentence
            if len(run) > rng.randint(60, 200):
                paragraphs.append(run)
                run = ""
        if run:
            paragraphs.append(run)
    note = rng.choice(EDITOR_NOTES) if variant == "retitled" else None
    return paragraphs, note


def _swap(char: str, rng: random.Random) -> str:
    return rng.choice(SWAP_CHARS) if "\u4e00" <= char <= "\u9fff" and rng.random() < 0.025 else char


def repost_page(
    original: Original, frame: Frame, variant: str, fetched: datetime, printed: datetime, rng: random.Random,
    reposted_from: tuple[Frame, str] | None,
) -> tuple[str, str | None]:  # fmt: skip
    """The HTML of one repost, and what it cites (an outlet name, host or URL)."""
    paragraphs, note = varied_body(original.body, variant, rng)
    title = original.title
    if variant == "retitled":
        title = f"{title[: max(8, len(title) // 2)]}……（转载）"
    when = _printed_time(printed, frame.date_style, fetched)
    cited: str | None = None
    if frame.cite == "name":
        cited = original.outlet
    elif frame.cite == "host":
        cited = urlsplit(original.url).hostname
    elif frame.cite == "url":
        cited = original.url
    elif frame.cite == "repost" and reposted_from is not None:
        cited = reposted_from[0].name
    lines = []
    if cited and frame.cite == "name":
        lines.append(f"来源：{cited}")
    elif cited and frame.cite == "host":
        lines.append(f"转自：{cited}")
    elif cited and frame.cite == "repost":
        lines.append(f"转载自：{cited}")
    if frame.layout == "farm":
        paragraphs = [paragraphs[0], FARM_TEMPLATE[1], *paragraphs[1:], FARM_TEMPLATE[0], FARM_TEMPLATE[2]]
    if note:
        paragraphs = [note, *paragraphs]
    if frame.cite == "url" and cited:
        paragraphs = [*paragraphs, f"原文链接：{cited}"]
    if frame.cite == "repost" and reposted_from is not None:
        paragraphs = [*paragraphs, f"原文链接：{reposted_from[1]}"]
    meta = "　".join([*([f"发布时间：{when}"] if when else []), *lines])
    page = _framed(frame, title, meta, paragraphs)
    if frame.layout in ("hk", "tw"):
        page = str(converter("s2t" if frame.layout == "hk" else "s2tw").convert(page))
    return page, cited


def _framed(frame: Frame, title: str, meta: str, paragraphs: Sequence[str]) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    nav = (
        f'<div class="nav"><a href="/">{frame.name}首页</a> | <a href="/news/">新闻</a> | '
        '<a href="/about">关于我们</a></div>'
    )
    foot = f'<div class="footer">Copyright © {frame.name} 版权所有 京ICP备12345678号</div>'
    related = '<div class="related"><h3>相关新闻</h3><ul><li><a href="/a/1.html">本周热点新闻回顾</a></li></ul></div>'
    if frame.layout == "table":
        return (
            f'<html><head><meta charset="gbk"><title>{html.escape(title)}_{frame.name}</title></head><body>'
            f"{nav}<table width=760><tr><td class=title><b>{html.escape(title)}</b></td></tr>"
            f"<tr><td class=info>{html.escape(meta)}</td></tr><tr><td class=content>{body}</td></tr></table>"
            f"{foot}</body></html>"
        )
    return (
        f'<html><head><meta charset="utf-8"><title>{html.escape(title)} - {frame.name}</title></head><body>'
        f'{nav}<div class="article"><h1>{html.escape(title)}</h1><div class="info">{html.escape(meta)}</div>'
        f'<div class="content">{body}</div></div>{related}{foot}</body></html>'
    )


@dataclass(frozen=True)
class RepostSet:
    originals: list[tuple[str, bytes, str, datetime]]
    """(url, raw page, charset, fetch time) of each original."""
    copies: list[tuple[str, bytes, str, datetime]]
    labels: list[Label]


def repost_set(originals: Sequence[Original], seed: int = 15) -> RepostSet:
    """Every original and :data:`COPIES_PER_STORY` reposts of it, reproducibly from ``seed``."""
    rng = random.Random(seed)
    first: list[tuple[str, bytes, str, datetime]] = []
    copies: list[tuple[str, bytes, str, datetime]] = []
    labels: list[Label] = []
    for original in originals:
        fetched0 = original.published + timedelta(hours=1)
        first.append((original.url, original.page, original.charset, fetched0))
        labels.append(Label(original.url, original.story, original.url, "original", "original", None))
        frames = rng.sample([f for f in FRAMES if f.layout != "forum"], COPIES_PER_STORY - 1)
        frames.append(next(f for f in FRAMES if f.layout == "forum"))
        made: list[tuple[Frame, str]] = []
        for number, frame in enumerate(frames):
            variant = rng.choice(VARIANTS)
            fetched = fetched0 + timedelta(hours=rng.randint(2, 96))
            if original.precision == "day" or rng.random() < 0.5:
                printed = original.published  # reposts often keep the original's time
            else:
                printed = original.published + timedelta(minutes=rng.randint(30, 600))
            printed = min(printed, fetched)
            upstream = made[rng.randrange(len(made))] if frame.cite == "repost" and made else None
            page, cited = repost_page(original, frame, variant, fetched, printed, rng, upstream)
            url = f"http://{frame.host}/a/{original.story}-{number}.html"
            copies.append((url, page.encode(frame.charset, errors="replace"), frame.charset, fetched))
            labels.append(Label(url, original.story, original.url, frame.host, variant, cited))
            made.append((frame, url))
    return RepostSet(first, copies, labels)


def write_warc(path: Path, records: Sequence[tuple[str, bytes, str, datetime]]) -> None:
    """One WARC file of HTTP 200 responses, in the given order."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, page, charset, fetched in records:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", f"text/html; charset={charset}")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(page),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": fetched.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
            writer.write_record(record)


def write_set(directory: Path, repost: RepostSet) -> None:
    """``originals/originals.warc.gz``, ``copies/copies.warc.gz`` and ``labels.json`` in ``directory``."""
    for part, records in (("originals", repost.originals), ("copies", repost.copies)):
        (directory / part).mkdir(parents=True, exist_ok=True)
        write_warc(directory / part / f"{part}.warc.gz", records)
    labels = [asdict(label) for label in repost.labels]
    (directory / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8")
