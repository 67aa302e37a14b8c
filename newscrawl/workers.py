"""How newscrawl starts worker processes."""

from __future__ import annotations

import multiprocessing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext


def process_context() -> BaseContext:
    """forkserver where the platform has it, else spawn; never a plain fork.

    A crawl has threads (the reactor's thread pool, the archive writer); forking a
    process with threads can copy a lock another thread held and hang the child.
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
