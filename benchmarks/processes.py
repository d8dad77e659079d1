"""Running a benchmark's child process and measuring it with its children (content workers).

Peak memory is the largest sum of the resident memory of the process tree, sampled every 50 ms;
CPU seconds are the process's own (from ``wait4``) and its children's, as last sampled.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from ``/proc/<pid>/task/<tid>/children``."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending += [int(child) for child in children.read_text().split()]
            except OSError:
                continue
    return tree


def rss_and_cpu(pid: int) -> tuple[int, float] | None:
    """Resident bytes and CPU seconds (user + system) of one process, ``None`` once it is gone."""
    try:
        rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError, ValueError):
        return None
    return rss_pages * PAGE_SIZE, (int(fields[11]) + int(fields[12])) / TICKS


class TreeSampler(threading.Thread):
    """Samples a crawl's process tree (the crawl and its content workers) every 50 ms: the peak
    of the summed resident memory, and each process's last seen CPU time. ``ru_maxrss`` from
    ``wait4`` would report only the largest single process, and a forked child's copy of this
    process before it execs."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = 0
        self.cpu: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            total = 0
            for pid in process_tree(self.pid):
                sample = rss_and_cpu(pid)
                if sample is not None:
                    total += sample[0]
                    self.cpu[pid] = sample[1]
            self.peak_rss = max(self.peak_rss, total)


@dataclass
class ChildRun:
    code: int
    wall: float
    ended: float
    """``time.monotonic()`` when the crawl process had exited."""
    peak_rss: int
    crawl_cpu: float
    """CPU seconds of the crawl process itself (from ``wait4``)."""
    worker_cpu: float
    """CPU seconds of its child processes, as last sampled."""


def run_child(command: list[str], cwd: Path, env: dict[str, str]) -> ChildRun:
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    ended = time.monotonic()
    sampler.done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(stderr.decode("utf-8", "replace")[-3000:])
    workers = sum(cpu for pid, cpu in sampler.cpu.items() if pid != proc.pid)
    # wait4 counts the children the crawl reaped (its workers) in its own usage.
    crawl = usage.ru_utime + usage.ru_stime - workers
    return ChildRun(proc.returncode, ended - started, ended, sampler.peak_rss, crawl, workers)
