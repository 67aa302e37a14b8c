"""Worker processes: how newscrawl starts them, and what runs inside them.

Two users share this module. A crawl extracts each article page in a worker process
(`WorkerPool`, driven from the crawl's asyncio event loop, see
`newscrawl.extraction_service`), so the event loop keeps downloading while pages are
parsed. `newscrawl reextract` hands whole stretches of WARC files to worker processes
(`concurrent.futures`, see `newscrawl.archive.reextract`). Inside every worker the same
things hold: one `ArticleExtractor` built once from the run's settings (`initialize`),
log records caught per job and handed back with its result (`captured_logs`), so that
they reach the parent's log as if the parent had logged them (`replay_logs`).

`WorkerPool` runs one page at a time per worker, over a socket of its own, so that a
worker that dies (a crash in a C library, the OOM killer) or hangs fails only the page
it was working on: the pool reports it (`WorkerLost`), kills the worker if it still
runs, and starts another in its place.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import itertools
import logging
import mmap
import multiprocessing
import os
import pickle
import resource
import signal
import socket
import struct
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from multiprocessing.context import ForkServerContext, SpawnContext
    from multiprocessing.process import BaseProcess

    from newscrawl.extraction import ArticleExtractor, Extraction, FetchedPage

logger = logging.getLogger(__name__)

#: Modules a forkserver imports once, so each worker forked from it starts warm.
PRELOAD = ["newscrawl.workers", "newscrawl.extraction"]
#: How long a new worker may take to build its extractor before it counts as failed.
START_TIMEOUT = 120.0
#: How long a worker asked to stop may take before it is killed.
STOP_TIMEOUT = 10.0
#: Workers in a row that fail to start before the pool gives up (a broken set-up, not
#: a bad page: every further worker would fail the same way).
MAX_START_FAILURES = 3

_HEADER = struct.Struct("!Q")
#: What `FrameSender` gathers before it sends, at most, and how long it waits for more.
BATCH_BYTES = 256 * 1024
BATCH_DELAY = 0.05
#: Pages sent to a worker ahead of the one it works on, plus that one.
DEPTH = 3
#: Shared memory per worker slot for page bodies: the crawl's DOWNLOAD_MAXSIZE, within these.
DEFAULT_SHARED = 8 * 1024 * 1024
MAX_SHARED = 64 * 1024 * 1024
#: Socket buffer asked for each direction: a few pages, so that handing one over is one
#: system call rather than many small ones while the other side catches up (the kernel
#: caps it at net.core.wmem_max).
SOCKET_BUFFER = 4 * 1024 * 1024


def process_context() -> ForkServerContext | SpawnContext:
    """forkserver where the platform has it, else spawn; never a plain fork.

    A crawl has threads (the reactor's thread pool); forking a process with threads can
    copy a lock another thread held and hang the child. The forkserver imports the
    extraction code once (`PRELOAD`), so every worker forked from it starts warm.
    """
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# --- inside a worker ------------------------------------------------------------------


class _Capture(logging.Handler):
    """Keeps the log records of the job being run, as (logger, level, message)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.records is None:
            return
        message = record.getMessage()
        if record.exc_info:
            message = f"{message}\n{''.join(traceback.format_exception(*record.exc_info))}"
        self.records.append((record.name, record.levelno, message.rstrip()))


@dataclass
class _WorkerState:
    extractor: ArticleExtractor | None = None
    capture: _Capture = field(default_factory=_Capture)


# One per worker process: the extractor is built once, when the process starts.
_STATE = _WorkerState()


def initialize(settings: Mapping[str, Any]) -> None:
    """Make this process a worker: its extractor, and its log records caught per job.

    A worker never logs on its own: records at or above the run's ``LOG_LEVEL`` are
    handed back with each result, and the parent logs them.
    """
    from newscrawl.extraction import ArticleExtractor

    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_STATE.capture)
    root.setLevel(_level(settings.get("LOG_LEVEL")))
    _STATE.extractor = ArticleExtractor.from_settings(settings)


def _level(value: object) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value or "DEBUG").upper())
    return level if isinstance(level, int) else logging.DEBUG


def extractor() -> ArticleExtractor:
    """This worker's extractor (`initialize` has run)."""
    assert _STATE.extractor is not None, "newscrawl.workers.initialize() has not run"
    return _STATE.extractor


@contextlib.contextmanager
def captured_logs() -> Iterator[list[tuple[str, int, str]]]:
    """The log records of the code run inside, as (logger, level, message)."""
    records: list[tuple[str, int, str]] = []
    _STATE.capture.records = records
    try:
        yield records
    finally:
        _STATE.capture.records = None


def extract_page(page: FetchedPage) -> Extraction:
    """One page, with the log records its extraction produced (`Extraction.logs`)."""
    with captured_logs() as logs:
        result = extractor().extract(page)
    result.logs = logs
    return result


def replay_logs(records: list[tuple[str, int, str]]) -> None:
    """Log, in this process, what a worker logged."""
    for name, level, message in records:
        logging.getLogger(name).log(level, "%s", message)


def cpu_seconds() -> float:
    """CPU time this process has used so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def socket_pair() -> tuple[socket.socket, socket.socket]:
    """A connected pair of sockets (this process's end, the child's) with large buffers."""
    ours, theirs = socket.socketpair()
    for end in (ours, theirs):
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            with contextlib.suppress(OSError):  # a smaller buffer only costs speed
                end.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
    return ours, theirs


def frame(message: object) -> bytes:
    """`message` as sent between processes: pickled, its length first."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def receive(sock: socket.socket) -> Any:
    """The next message from a blocking socket; EOFError when the other end closed."""
    header = _receive_exactly(sock, _HEADER.size)
    return pickle.loads(_receive_exactly(sock, _HEADER.unpack(header)[0]))  # noqa: S301


def _receive_exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    while view:
        got = sock.recv_into(view)
        if not got:
            raise EOFError("the parent closed the connection")
        view = view[got:]
    return bytes(buffer)


def send(sock: socket.socket, message: object) -> None:
    """Send `message` through a blocking socket."""
    sock.sendall(frame(message))


class SharedBuffer:
    """Memory one parent shares with one child (a Linux memfd, mapped by both).

    Page bodies travel through it rather than through the socket: copying 90 KB into
    shared memory costs the crawl's event loop a few microseconds, pushing it through a
    socket a hundred or more (the kernel allocates and copies). The memory goes away
    with the last process that maps it, however they end.
    """

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.size = size
        self.map = mmap.mmap(fd, size)
        self.view = memoryview(self.map)

    @classmethod
    def create(cls, size: int) -> SharedBuffer | None:
        """A new buffer, or None where the OS has no memfd (bodies then go inline)."""
        if not hasattr(os, "memfd_create"):
            return None
        fd = os.memfd_create("newscrawl-pages", os.MFD_CLOEXEC)
        try:
            os.ftruncate(fd, size)
            return cls(fd, size)
        except OSError:
            os.close(fd)
            return None

    def hand_over(self, sock: socket.socket) -> None:
        """Give the child its end, before anything else goes through `sock`."""
        socket.send_fds(sock, [_HEADER.pack(self.size)], [self.fd])

    @classmethod
    def take(cls, sock: socket.socket) -> SharedBuffer | None:
        """The child's end, as `hand_over` sent it (None: the parent shares none)."""
        data, fds, _, _ = socket.recv_fds(sock, _HEADER.size, 1)
        if len(data) < _HEADER.size:
            raise EOFError("the parent closed the connection")
        if not fds:
            return None
        return cls(fds[0], _HEADER.unpack(data)[0])

    @staticmethod
    def decline(sock: socket.socket) -> None:
        """Tell the child that bodies come inline."""
        sock.sendall(_HEADER.pack(0))

    def close(self) -> None:
        self.view.release()
        self.map.close()
        os.close(self.fd)


def serve(sock: socket.socket, settings: Mapping[str, Any]) -> None:
    """A pool worker's life: start, then one page after another until told to stop or
    the parent goes away (its end of the socket closes when it dies, however it dies).

    First the parent hands over a `SharedBuffer` (or declines to), cut into `DEPTH`
    slots. Then messages (pickled, length first): to the worker
    ``("page", (FetchedPage, slot, length))`` (the body is the first `length` bytes of
    that slot; -1: it is in the page) and ``("stop", None)``; from it ``("ready", pid)``,
    ``("failed", text)`` (could not start), ``("done", Extraction)`` for each page in
    the order they came, and ``("bye", cpu_seconds)``.
    """
    try:
        shared = SharedBuffer.take(sock)
    except (EOFError, ConnectionError):
        return
    try:
        initialize(settings)
    except Exception:  # anything the set-up raises: the parent logs it and gives up
        send(sock, ("failed", traceback.format_exc()))
        return
    try:
        send(sock, ("ready", os.getpid()))
        while True:
            kind, payload = receive(sock)
            if kind == "stop":
                send(sock, ("bye", cpu_seconds()))
                return
            page, slot, length = payload
            if length >= 0:
                assert shared is not None
                start = slot * (shared.size // DEPTH)
                page = dataclasses.replace(page, body=bytes(shared.view[start : start + length]))
            send(sock, ("done", extract_page(page)))
    except (EOFError, ConnectionError):
        return  # the parent is gone: nobody is left to work for


# --- in the parent --------------------------------------------------------------------


class WorkerLost(Exception):
    """The worker running a page died or took too long; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PoolBroken(Exception):
    """No worker can be started: the set-up is broken (the reason is the last error)."""


@dataclasses.dataclass
class _Job:
    page: FetchedPage
    future: asyncio.Future[Extraction]
    slot: int = -1


class _Worker:
    """One worker process as the pool sees it: the pages sent to it, in order (the first
    is the one it works on), and the shared memory slots their bodies sit in."""

    def __init__(
        self,
        process: BaseProcess,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        shared: SharedBuffer | None,
        depth: int,
    ) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer
        self.shared = shared
        self.sent: collections.deque[_Job] = collections.deque()
        self.free_slots = list(range(depth)) if shared is not None else []
        self.slot_size = shared.size // depth if shared is not None else 0
        self.deadline: asyncio.TimerHandle | None = None
        self.expired = False
        self.task: asyncio.Task[None] | None = None

    def send_page(self, job: _Job) -> None:
        page = job.page
        length = -1
        if self.shared is not None and self.free_slots and len(page.body) <= self.slot_size:
            job.slot = self.free_slots.pop()
            offset = job.slot * self.slot_size
            self.shared.view[offset : offset + len(page.body)] = page.body
            length = len(page.body)
            page = dataclasses.replace(page, body=b"")
        self.sent.append(job)
        self.send(("page", (page, job.slot, length)))

    def send(self, message: object) -> None:
        # Small messages (the body is in shared memory): the transport takes them whole.
        self.writer.write(frame(message))

    async def receive(self) -> tuple[str, Any]:
        header = await self.reader.readexactly(_HEADER.size)
        data = await self.reader.readexactly(_HEADER.unpack(header)[0])
        kind, payload = pickle.loads(data)  # noqa: S301 (our own worker's reply)
        return kind, payload

    def done(self) -> _Job:
        job = self.sent.popleft()
        if job.slot >= 0:
            self.free_slots.append(job.slot)
        return job

    async def exit_status(self, timeout: float) -> int | None:
        """The process's exit code once it has ended (None: still running at `timeout`)."""
        loop = asyncio.get_running_loop()
        ended = loop.create_future()
        sentinel = self.process.sentinel

        def readable() -> None:
            if not ended.done():
                ended.set_result(None)

        loop.add_reader(sentinel, readable)
        try:
            if self.process.exitcode is None:
                await asyncio.wait_for(ended, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            loop.remove_reader(sentinel)
        return self.process.exitcode

    def close(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        self.writer.close()
        if self.shared is not None:
            self.shared.close()
        if self.process.exitcode is not None:
            self.process.close()


def describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class WorkerPool:
    """`size` extraction workers fed from an asyncio event loop.

    `extract(page)` queues the page and returns its `Extraction`. Each worker is sent up
    to `DEPTH` pages ahead, so that it never waits for the event loop between two pages
    (the loop of a busy crawl may take milliseconds to come round); it works on them in
    order. When a worker dies, or spends more than `timeout` seconds on its current page
    (it is then killed), that page fails with `WorkerLost`; the pages queued behind it
    go to other workers, and a new worker is started in its place. `PoolBroken` means
    workers cannot be started at all: the caller then extracts in its own process.
    """

    def __init__(self, size: int, settings: Mapping[str, Any], *, timeout: float) -> None:
        self.size = max(1, size)
        self.settings = dict(settings)
        self.timeout = timeout
        # Bodies up to this size go through shared memory (larger ones inline): the
        # crawl's own limit, so in practice every page. Untouched pages cost no memory.
        limit = int(self.settings.get("DOWNLOAD_MAXSIZE") or 0)
        self.body_limit = limit if 0 < limit <= MAX_SHARED else DEFAULT_SHARED
        self.started = 0
        self.lost = 0
        self.cpu_seconds = 0.0
        self.broken: str | None = None
        self._context = process_context()
        self._waiting: collections.deque[_Job] = collections.deque()
        self._ready: list[_Worker] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._start_failures = 0
        self._starting = 0
        self._closing = False

    def start(self) -> None:
        """Start the workers in the background (pages wait for the first one)."""
        for _ in range(self.size):
            self._spawn_later()

    async def extract(self, page: FetchedPage) -> Extraction:
        if self.broken is not None:
            raise PoolBroken(self.broken)
        job = _Job(page, asyncio.get_running_loop().create_future())
        self._waiting.append(job)
        self._dispatch()
        return await job.future

    def _dispatch(self) -> None:
        while self._waiting:
            worker = min(self._ready, key=lambda w: len(w.sent), default=None)
            if worker is None or len(worker.sent) >= DEPTH:
                return
            job = self._waiting.popleft()
            if job.future.done():  # its caller gave up (the crawl is closing)
                continue
            worker.send_page(job)
            if len(worker.sent) == 1:
                self._arm(worker)

    def _arm(self, worker: _Worker) -> None:
        """Start the clock on the page the worker works on now."""
        if worker.deadline is not None:
            worker.deadline.cancel()
        worker.deadline = asyncio.get_running_loop().call_later(self.timeout, self._expire, worker)

    def _expire(self, worker: _Worker) -> None:
        # Killed, its reader ends on the closed socket and fails the page as too slow.
        worker.expired = True
        worker.deadline = None
        if worker.process.exitcode is None:
            worker.process.kill()

    async def _read(self, worker: _Worker) -> None:
        """Results of `worker`, in the order its pages were sent, until it ends."""
        try:
            while True:
                kind, payload = await worker.receive()
                if kind == "bye":
                    self.cpu_seconds += float(payload)
                    return
                job = worker.done()
                if worker.deadline is not None:
                    worker.deadline.cancel()
                    worker.deadline = None
                if worker.sent:
                    self._arm(worker)
                if not job.future.done():
                    job.future.set_result(payload)
                self._dispatch()
        except (OSError, asyncio.IncompleteReadError):
            await self._lose(worker)

    async def _lose(self, worker: _Worker) -> None:
        code = await worker.exit_status(STOP_TIMEOUT)
        if code is None:
            worker.process.kill()
        if worker in self._ready:
            self._ready.remove(worker)
        if self._closing and not worker.sent:
            worker.close()
            return
        if worker.expired:
            reason = f"extraction took longer than {self.timeout:g} s (worker stopped)"
        else:
            reason = f"extraction worker died ({describe_exit(code)})"
        self.lost += 1
        if worker.sent:
            # The first page is the one it was working on; the others it had not begun.
            failed = worker.done()
            if not failed.future.done():
                failed.future.set_exception(WorkerLost(reason))
            while worker.sent:
                self._waiting.appendleft(worker.sent.pop())
        else:
            logger.warning(
                "An idle extraction worker ended (%(how)s); starting another",
                {"how": describe_exit(code)},
            )
        worker.close()
        self._replace(reason)
        self._dispatch()

    def _spawn_later(self) -> None:
        if self._closing or self.broken is not None:
            return
        self._starting += 1
        task = asyncio.ensure_future(self._spawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _spawn(self) -> None:
        try:
            worker, failure = await self._start_one()
        finally:
            self._starting -= 1
        if worker is None:
            self._start_failures += 1
            logger.error("An extraction worker could not start: %(reason)s", {"reason": failure})
            self._replace(failure)
            return
        if self._closing:
            await self._stop(worker)
            return
        self._start_failures = 0
        self.started += 1
        self._ready.append(worker)
        worker.task = asyncio.ensure_future(self._read(worker))
        self._dispatch()

    async def _start_one(self) -> tuple[_Worker | None, str]:
        """A started worker that said it is ready, or None and why not."""
        ours, theirs = socket_pair()
        process = self._context.Process(
            target=serve, args=(theirs, self.settings), name="newscrawl-extraction", daemon=True
        )
        worker: _Worker | None = None
        shared = SharedBuffer.create(self.body_limit * DEPTH)
        try:
            if shared is not None:
                shared.hand_over(ours)
            else:
                SharedBuffer.decline(ours)
            # Starting may have to start the forkserver first (an interpreter and the
            # imports in PRELOAD): not on the event loop's thread.
            await asyncio.get_running_loop().run_in_executor(None, process.start)
            theirs.close()
            reader, writer = await asyncio.open_connection(sock=ours)
            worker = _Worker(process, reader, writer, shared, DEPTH)
            kind, payload = await asyncio.wait_for(worker.receive(), START_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
            kind, payload = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            theirs.close()
        if kind == "ready" and worker is not None:
            return worker, ""
        if worker is not None:
            worker.writer.close()
        else:
            ours.close()
        if shared is not None:
            shared.close()
        if process.pid is not None and process.exitcode is None:
            process.kill()
        return None, str(payload)

    def _replace(self, reason: str) -> None:
        """Start a worker in place of one that is gone, unless starting keeps failing;
        with no worker left then, the pool is broken."""
        if self._start_failures < MAX_START_FAILURES:
            self._spawn_later()
            return
        if self._ready or self._starting:
            logger.error(
                "Extraction workers keep failing to start; going on with %(n)d",
                {"n": len(self._ready)},
            )
            return
        lines = reason.strip().splitlines()
        self.broken = lines[-1] if lines else "unknown error"
        # Everyone waiting for a worker: none is coming.
        while self._waiting:
            job = self._waiting.popleft()
            if not job.future.done():
                job.future.set_exception(PoolBroken(self.broken))

    async def close(self) -> None:
        """Stop every worker (each reports its CPU time); kill those that do not stop."""
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        workers, self._ready = self._ready, []
        await asyncio.gather(*(self._stop(w) for w in workers))

    async def _stop(self, worker: _Worker) -> None:
        try:
            worker.send(("stop", None))
            if worker.task is None:
                kind, payload = await asyncio.wait_for(worker.receive(), STOP_TIMEOUT)
                if kind == "bye":
                    self.cpu_seconds += float(payload)
            else:
                await asyncio.wait_for(asyncio.shield(worker.task), STOP_TIMEOUT)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
            # It is being stopped anyway; only its CPU time goes unreported.
            logger.debug("An extraction worker did not say goodbye: %(error)r", {"error": exc})
        if await worker.exit_status(STOP_TIMEOUT) is None:
            worker.process.kill()
            await worker.exit_status(STOP_TIMEOUT)
        if worker.task is not None and not worker.task.done():
            worker.task.cancel()
        worker.close()


class FrameSender:
    """Messages to a child process through a socket, from the event loop, never blocking.

    `send` queues a message; queued messages go out together once `BATCH_BYTES` have
    gathered or `BATCH_DELAY` has passed, in one system call, so that the child is woken
    once per batch rather than once per page; the event loop writes what the socket
    cannot take yet as it drains. `backlog` is the bytes queued here (the socket's own
    buffer aside), for the caller's back-pressure. After the child goes away, `failed`
    says why and further messages are dropped.
    """

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self.sock = sock
        self.backlog = 0
        self.failed: str | None = None
        self.on_drained: Callable[[], None] | None = None
        self._queue: collections.deque[memoryview] = collections.deque()
        self._loop = asyncio.get_running_loop()
        self._drained: asyncio.Future[None] | None = None
        self._writing = False
        self._timer: asyncio.TimerHandle | None = None

    def send(self, message: object) -> None:
        if self.failed is not None:
            return
        data = memoryview(frame(message))
        self._queue.append(data)
        self.backlog += len(data)
        if self._writing:
            return  # the socket is full: the event loop sends it when it drains
        if self.backlog >= BATCH_BYTES:
            self._push()
        elif self._timer is None:
            self._timer = self._loop.call_later(BATCH_DELAY, self._push)

    def _push(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._writing:
            self._flush()

    def _flush(self) -> None:
        while self._queue:
            chunk = list(itertools.islice(self._queue, 64))
            try:
                sent = self.sock.sendmsg(chunk)
            except BlockingIOError:
                sent = 0
            except OSError as exc:  # the child is gone (broken pipe, reset)
                self._fail(f"{type(exc).__name__}: {exc}")
                break
            self.backlog -= sent
            whole = sent == sum(len(part) for part in chunk)
            while sent:
                head = self._queue[0]
                if sent < len(head):
                    self._queue[0] = head[sent:]
                    break
                sent -= len(head)
                self._queue.popleft()
            if not whole:
                if not self._writing:
                    self._writing = True
                    self._loop.add_writer(self.sock.fileno(), self._flush)
                return  # the socket is full: wait to be called back
        if self._writing:
            self._writing = False
            self._loop.remove_writer(self.sock.fileno())
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        if self.on_drained is not None:
            self.on_drained()

    def _fail(self, reason: str) -> None:
        self.failed = reason
        self._queue.clear()
        self.backlog = 0

    async def drain(self) -> None:
        """Send what is queued now, and wait until it is all in the socket."""
        self._push()
        if self._queue:
            self._drained = self._loop.create_future()
            await self._drained

    async def receive(self, timeout: float) -> Any:
        """The child's next message (EOFError when it closed its end)."""
        header = await asyncio.wait_for(self._read(_HEADER.size), timeout)
        return pickle.loads(  # noqa: S301 (our own child's reply)
            await asyncio.wait_for(self._read(_HEADER.unpack(header)[0]), timeout)
        )

    async def _read(self, size: int) -> bytes:
        buffer = bytearray(size)
        view = memoryview(buffer)
        while view:
            got = await self._loop.sock_recv_into(self.sock, view)
            if not got:
                raise EOFError("the child closed the connection")
            view = view[got:]
        return bytes(buffer)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._writing:
            self._loop.remove_writer(self.sock.fileno())
        self.sock.close()
