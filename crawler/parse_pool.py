"""A pool of worker processes for a CPU-bound pure function (the parse stage's crawler.parse_job.run_job),
so the Twisted reactor (Scrapy's engine, the downloads) and the parsers use different cores.

`ParsePool(workers, fn, count=...)`: `submit(job)` returns a Deferred that fires, on the reactor
thread, with `fn(job)`; it never fails (fn returns errors as values). At most `max_in_flight`
jobs (default 2 x workers) are in the workers at once; the others wait in submission order, so
the bodies waiting are the ones Scrapy holds anyway (its scraper slot bounds them,
SCRAPER_SLOT_MAX_ACTIVE_SIZE, and CONCURRENT_ITEMS per response).

Workers are started with the `forkserver` method (`spawn` where there is none): never a fork of
the running reactor's process; the forkserver imports the function's module once and forks each
worker from there. Workers ignore SIGINT (a Ctrl-C is the crawl's to handle, crawler/runner.py).
A worker that dies (killed, out of memory) breaks a ProcessPoolExecutor: the pool is replaced by
a new one (`count("restarted")`), and the jobs the dead pool held are run inline in this
process (`count("inline")`); a job submitted to a broken pool goes to the new one. No job is lost.
`shutdown()` stops the workers and waits for them (the spider's close); at interpreter exit
concurrent.futures joins them too (a SIGTERM'd crawl leaves no worker behind).

`InOrder`: results released in the order they were submitted, per key (the site), whatever
order the workers finish in.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from twisted.internet.defer import Deferred, DeferredSemaphore


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _context(preload: str):
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([preload])
        return ctx
    return multiprocessing.get_context("spawn")


class ParsePool:
    def __init__(self, workers: int, fn: Callable[[Any], Any], *, max_in_flight: int = 0,
                 count: Callable[[str], None] = lambda name: None):
        if workers < 1:
            raise ValueError(f"a parse pool needs at least one worker, not {workers}")
        self.workers = workers
        self.fn = fn
        self.count = count
        self._ctx = _context(fn.__module__)
        self._executor = self._new()
        self._slots = DeferredSemaphore(max_in_flight or 2 * workers)
        self._closed = False

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self._ctx, initializer=_ignore_sigint)

    def pids(self) -> list[int]:
        """The worker processes' ids (started on demand: none before the first job)."""
        return sorted(getattr(self._executor, "_processes", None) or {})

    def warm(self) -> None:
        """Start every worker now (they import the parser once, while the first pages download)."""
        for _ in range(self.workers):
            self._executor.submit(os.getpid)

    def submit(self, job) -> Deferred:
        """A Deferred firing with fn(job) (see the module doc)."""
        return self._slots.run(self._run, job)

    def _run(self, job) -> Deferred:
        from twisted.internet import reactor

        done: Deferred = Deferred()
        executor = self._executor
        try:
            future = executor.submit(self.fn, job)
        except BrokenProcessPool:  # a worker died while the pool was idle
            self._restart(executor)
            executor = self._executor
            future = executor.submit(self.fn, job)
        # called in the executor's thread (or here, when already done): back to the reactor
        future.add_done_callback(lambda f: reactor.callFromThread(self._finish, f, job, executor, done))
        return done

    def _finish(self, future, job, executor, done: Deferred) -> None:
        try:
            result = future.result()
        except Exception as exc:  # BrokenProcessPool, a result that could not be pickled, cancelled
            if isinstance(exc, BrokenProcessPool):
                self._restart(executor)
            self.count("inline")
            result = self.fn(job)
        done.callback(result)

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        """Replace the broken executor, once however many of its jobs report it."""
        if broken is not self._executor or self._closed:
            return
        self.count("restarted")
        self._executor = self._new()
        broken.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        """Stop the workers (the jobs in them are done first) and wait for them to exit."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)


class InOrder:
    """Deferreds' results released in submission order per key (see the module doc)."""

    def __init__(self):
        self._tail: dict[Any, Deferred] = {}

    def __len__(self) -> int:
        return len(self._tail)

    def wrap(self, key, d: Deferred) -> Deferred:
        """A Deferred firing with d's result once every Deferred wrapped before it under `key`
        has fired."""
        before = self._tail.get(key)
        out: Deferred = Deferred()
        gate: Deferred = Deferred()  # fires when `out` has: what the next one waits for
        self._tail[key] = gate

        def release(result):
            if self._tail.get(key) is gate:
                del self._tail[key]
            out.callback(result)
            gate.callback(None)

        def mine(result):
            if before is None:
                release(result)
            else:
                before.addCallback(lambda _: release(result))

        d.addBoth(mine)
        return out
