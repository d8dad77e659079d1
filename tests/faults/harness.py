"""What the fault tests share: generated articles, a small file system that fills up, and
counting what reached the database.

Every fault test runs real ``scrapy`` processes (:func:`tests.conftest.run_scrapy`) on real
files and databases; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, ScrapyRun, query_rows

# Common characters of government news, for bodies that differ from each other.
_HANZI = "科技创新发展建设政府工作会议推进企业项目产业服务人才经济社会区域合作平台研究实施管理部门"


def article_text(n: int, paragraphs: int = 4) -> str:
    """The seed text format (title line, then the body) of article ``n``: a body no other
    ``n`` shares, long enough to be an article."""
    rng = random.Random(n)
    lines = [f"第{n}号测试文章:{''.join(rng.choices(_HANZI, k=12))}"]
    lines += ["".join(rng.choices(_HANZI, k=80)) + "。" for _ in range(paragraphs)]
    return "\n".join(lines) + "\n"


def write_articles(directory: Path, count: int, start: int = 0) -> list[Path]:
    """``count`` seed-format ``.txt`` articles in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(start, start + count):
        path = directory / f"{n:05d}.txt"
        path.write_text(article_text(n), encoding="utf-8")
        paths.append(path)
    return paths


def stored_count(database_url: str) -> int:
    return int(query_rows(database_url, "SELECT count(*) AS n FROM articles")[0]["n"])


@contextmanager
def small_disk(where: Path, size: str = "16m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (needs root; the test skips otherwise)."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (root needed): {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Fills ``disk`` to its last byte with one file, returned so the test can free the space."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for size in (1 << 20, 1 << 12, 1):
            while True:
                try:
                    os.write(descriptor, b"\0" * size)
                except OSError:
                    break
    finally:
        os.close(descriptor)
    return filler


def run_faulty(
    args: list[str], *, database_url: str, spool_dir: Path, env: dict[str, str] | None = None, timeout: float = 240
) -> ScrapyRun:
    """``scrapy ARGS`` through :mod:`tests.faults.faulty_scrapy`, with the faults ``env`` names."""
    environment = dict(os.environ, DATABASE_URL=database_url, GOVNEWS_SPOOL_DIR=str(spool_dir),
                       PYTHONWARNINGS="ignore::DeprecationWarning", **(env or {}))  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "tests.faults.faulty_scrapy", *args],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    return ScrapyRun(proc.returncode, proc.stdout, proc.stderr)


def longest_log_line(run: ScrapyRun) -> int:
    """The length of the longest line the run wrote to stderr (its log)."""
    return max((len(line) for line in run.stderr.splitlines()), default=0)


def write_site(sites_dir: Path, site_id: str, host: str = "hang.example.cn") -> Path:
    """A minimal site config ``site_id`` whose one list page is on ``host``."""
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{site_id}.toml"
    path.write_text(
        f'name = "{site_id}"\nallowed_domains = ["{host}"]\nlist_pages = ["http://{host}/list/index.html"]\n'
        'article_links = ["/art/"]\n[politeness]\ndownload_delay = 0\n',
        encoding="utf-8",
    )
    return path


@dataclass
class SilentServer:
    """A server on 127.0.0.1 that accepts every connection and never answers."""

    listener: socket.socket = field(default_factory=socket.socket)
    held: list[socket.socket] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.listener.getsockname()[1])

    def start(self) -> SilentServer:
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def stop(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()
