"""Group commit: one writer thread runs queued units of work in shared transactions.

With ``synchronous=FULL`` an SQLite commit returns once the write-ahead log is on disk:
one commit per ballot caps durable ballots at the disk's flush rate, and concurrent
writers queue on SQLite's single write lock, whose busy handler sleeps in steps of up to
100 ms. Here the threads that serve connections hand their unit of work to one writer
thread and wait on a future. The writer takes everything queued (up to ``max_batch``),
runs each unit in its own SAVEPOINT of one transaction — a refused unit rolls back alone,
the others stand —, commits once, and only then resolves the futures: a result obtained
from a future is on disk, so an acknowledgement sent after it is durable. (A batch is first
run without SAVEPOINTs, the common case of units that all succeed; if one fails, the
transaction is undone and the batch run again with them.)

Batches form by themselves: while one batch commits, the next one accumulates, and
before taking a batch the writer yields once so that whatever is ready to be queued is
(under gevent, where the writer is a greenlet, nothing else would run before it). A lone
ballot waits for nothing but its own commit.

A unit of work is a function of a SQLAlchemy ``Session``. It must not commit nor roll back
the session itself (:func:`in_batch` tells code shared with ordinary sessions where it
runs); whatever it raises is raised again by the future, its writes undone.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")

BATCH_KEY = "chemins.batch"
"""``Session.info`` key set on the sessions of the writer: the writer owns the transaction."""

DEFAULT_MAX_BATCH = 200
"""Units of work per transaction at most: bounds the wait of the first one in a batch."""

logger = logging.getLogger(__name__)


class WriterStopped(RuntimeError):
    """The writer was stopped while a unit of work was waiting (the server is stopping)."""


def in_batch(session: Session) -> bool:
    """Whether ``session`` belongs to the writer (the caller must not commit it)."""
    return bool(session.info.get(BATCH_KEY))


@dataclass
class _Job(Generic[T]):
    work: Callable[[Session], T]
    future: Future[T]


_STOP = object()


@dataclass
class WriterStats:
    """What the writer did since it was created (for benchmarks and the log)."""

    batches: int = 0
    jobs: int = 0
    largest_batch: int = 0
    last_batch: int = 0


class GroupCommitter:
    """The writer thread and its queue; see the module docstring.

    ``sessions`` makes a new session on the writing engine. The thread starts on the
    first :meth:`submit` (never before a server forks) and again after :meth:`stop`.
    """

    def __init__(
        self,
        sessions: Callable[[], Session],
        *,
        max_batch: int = DEFAULT_MAX_BATCH,
        name: str = "chemins-writer",
    ) -> None:
        self._sessions = sessions
        self.max_batch = max_batch
        self.name = name
        self.stats = WriterStats()
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def queue_length(self) -> int:
        """Units of work waiting for the writer now (approximate: for monitoring)."""
        return self._queue.qsize()

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Queue ``work``; the future holds its result once its transaction is committed."""
        future: Future[T] = Future()
        self._ensure_thread()
        self._queue.put(_Job(work, future))
        return future

    def run(self, work: Callable[[Session], T], timeout: float | None = None) -> T:
        """Run ``work`` in the next batch and return its result once committed.

        Raises whatever ``work`` raised (nothing of it is kept), or the commit's error,
        or ``TimeoutError`` after ``timeout`` seconds (the work may still be committed
        later: the client resends with the same ``client_id``, which is counted once).
        """
        return self.submit(work).result(timeout)

    # The thread -----------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            # Let every thread or greenlet that is ready run first: those that just read a
            # ballot queue it and join this batch, instead of each paying its own
            # transaction and commit. A yield, not a wait: a lone ballot is not delayed.
            time.sleep(0)
            batch: list[_Job[Any]] = [first]
            stop_after = False
            while len(batch) < self.max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is _STOP:
                    stop_after = True
                    break
                batch.append(job)
            try:
                self._run_batch(batch)
            except Exception as error:  # the writer must outlive any one bad batch
                logger.exception("échec d'un lot d'écritures")
                for job in batch:
                    if not job.future.done():
                        job.future.set_exception(error)
            if stop_after:
                return

    def _run_batch(self, batch: list[_Job[Any]]) -> None:
        jobs = [job for job in batch if job.future.set_running_or_notify_cancel()]
        # Most batches are all accepted ballots: run them without a SAVEPOINT each (two
        # statements per unit saved). If any unit fails, undo the whole transaction and
        # run the batch again with one SAVEPOINT per unit, so only the failed ones undo.
        outcomes = self._attempt(jobs, savepoints=False)
        if outcomes is None:
            outcomes = self._attempt(jobs, savepoints=True)
        assert outcomes is not None  # with savepoints every outcome is kept
        self.stats.batches += 1
        self.stats.jobs += len(batch)
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        self.stats.last_batch = len(batch)
        for job, value, failure in outcomes:
            if failure is not None:
                job.future.set_exception(failure)
            else:
                job.future.set_result(value)

    def _attempt(
        self, jobs: list[_Job[Any]], *, savepoints: bool
    ) -> list[tuple[_Job[Any], Any, BaseException | None]] | None:
        """Run the jobs in one transaction; ``None`` if one failed without ``savepoints``."""
        outcomes: list[tuple[_Job[Any], Any, BaseException | None]] = []
        with self._sessions() as session:
            session.info[BATCH_KEY] = True
            for job in jobs:
                try:
                    if savepoints:
                        with session.begin_nested():
                            value = job.work(session)
                    else:
                        value = job.work(session)
                except Exception as error:
                    if not savepoints:
                        session.rollback()
                        return None
                    outcomes.append((job, None, error))
                else:
                    outcomes.append((job, value, None))
            try:
                session.commit()
            except Exception as error:
                session.rollback()
                logger.exception("échec de l'enregistrement d'un lot de %d écritures", len(jobs))
                # Nothing of this batch is on disk: every unit fails, none is acknowledged.
                outcomes = [(job, None, failure or error) for job, _, failure in outcomes]
        return outcomes

    def stop(self, timeout: float = 5.0) -> None:
        """Run what is queued, then stop the thread (a later :meth:`submit` restarts it)."""
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive():
                self._fail_queued()
                return
            self._queue.put(_STOP)
        if thread is not threading.current_thread():
            thread.join(timeout)
        self._fail_queued()

    def _fail_queued(self) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job is not _STOP and job.future.set_running_or_notify_cancel():
                job.future.set_exception(WriterStopped("le serveur s'arrête"))
