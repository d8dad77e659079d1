"""``python -m tests.faults.faulty_scrapy ARGS``: ``scrapy ARGS`` with faults injected that the
test machine cannot make for real (the tests run as root, who can read any directory).

``GOVNEWS_FAULT_UNREADABLE``: paths (``os.pathsep``-separated) whose listing fails with
``PermissionError``, as a directory without read permission does for any other user.
"""

from __future__ import annotations

import errno
import os
from typing import Any

from scrapy.cmdline import execute


def _install_unreadable(paths: set[str]) -> None:
    listing = os.scandir

    def scandir(path: Any = ".") -> Any:
        if os.path.realpath(os.fspath(path)) in paths:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return listing(path)

    os.scandir = scandir  # type: ignore[assignment]


if __name__ == "__main__":
    unreadable = os.environ.get("GOVNEWS_FAULT_UNREADABLE")
    if unreadable:
        _install_unreadable({os.path.realpath(path) for path in unreadable.split(os.pathsep)})
    execute()
