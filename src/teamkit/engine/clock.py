"""The engine's clock, and the stop that Ctrl-C asks for.

Every search loop asks :func:`expired` whether its deadline has passed, and every budget
comes from :func:`left`. While a solve or repair runs in the main thread,
:func:`interruptible` turns the first Ctrl-C into a stop request instead
of a ``KeyboardInterrupt``: from then on every deadline has passed and no time is left, so
every loop ends at its next check as if its time were up, and every CP-SAT search running
at that moment is told to stop (:func:`stoppable`). The engine then finishes as it does at its time limit and
returns the best plan it has, with ``stopped_by == "interrupted"``. A second Ctrl-C raises
``KeyboardInterrupt`` as usual, for a user who wants out at once.

CP-SAT runs in C++ with the main thread inside it, where no Python signal handler can run
until it returns; so the signal also reaches a small watcher thread through
:func:`signal.set_wakeup_fd`, and that thread stops the running CP-SAT searches at once.
CP-SAT's own Ctrl-C handling is turned off (``catch_sigint_signal``) for the same reason:
it would take the signal for itself and the engine would never know.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator

_lock = threading.Lock()
_stopping = False
_depth = 0
_stoppers: list[Callable[[], None]] = []


def expired(deadline: float) -> bool:
    """Whether ``deadline`` (a ``time.monotonic()`` instant) has passed, or a stop was asked for."""
    return _stopping or time.monotonic() > deadline


def left(deadline: float) -> float:
    """Seconds until ``deadline``; none (0.0) once a stop was asked for."""
    return 0.0 if _stopping else deadline - time.monotonic()


def stop_requested() -> bool:
    """Whether Ctrl-C (or :func:`request_stop`) asked the running solve to stop."""
    return _stopping


def request_stop() -> None:
    """Asks the running solve to stop and return its best plan so far, as the first Ctrl-C
    does; also stops every CP-SAT search under way. Safe from any thread."""
    global _stopping
    with _lock:
        _stopping = True
        stoppers = list(_stoppers)
    for stop in stoppers:
        stop()


@contextlib.contextmanager
def stoppable(stop: Callable[[], None]) -> Iterator[None]:
    """While inside, :func:`request_stop` calls ``stop`` (a CP-SAT solver's ``stop_search``).

    A search that starts after the stop runs as usual, with the short budget :func:`left`
    gives it: the steps that finish a plan (stations, roles) still need their solves.
    """
    with _lock:
        _stoppers.append(stop)
    try:
        yield
    finally:
        with _lock:
            _stoppers.remove(stop)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the outermost call in the main thread: the first Ctrl-C requests a stop (see
    the module docstring), the second raises ``KeyboardInterrupt``. In another thread, or
    nested inside an outer call, it changes nothing. The stop request is cleared when the
    outermost call ends."""
    global _depth, _stopping
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        # Another thread, or a handler installed outside Python that could not be restored.
        yield
        return
    if _depth > 0:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return

    presses = 0

    def on_sigint(signum: int, frame: object) -> None:
        nonlocal presses
        presses += 1
        if presses > 1:
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        request_stop()

    _depth = 1
    _stopping = False
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, on_sigint)
    watcher = _Watcher.start()
    try:
        yield
    finally:
        if watcher is not None:
            watcher.close()
        if signal.getsignal(signal.SIGINT) is on_sigint:
            signal.signal(signal.SIGINT, previous)
        _depth = 0
        _stopping = False


class _Watcher:
    """A thread woken by the bytes that :func:`signal.set_wakeup_fd` writes when a signal
    arrives, even while the main thread is inside C++; on SIGINT it requests the stop."""

    def __init__(self, reader: socket.socket, writer: socket.socket, previous_fd: int) -> None:
        self.reader, self.writer, self.previous_fd = reader, writer, previous_fd
        self.thread = threading.Thread(target=self._run, name="teamkit-sigint", daemon=True)
        self.thread.start()

    @classmethod
    def start(cls) -> _Watcher | None:
        reader, writer = socket.socketpair()
        writer.setblocking(False)
        try:
            previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
        except (ValueError, OSError):
            reader.close()
            writer.close()
            return None
        if previous_fd != -1:
            # Someone else (an event loop) reads the wake-ups: leave them theirs; the
            # handler alone still stops the search, only later inside CP-SAT.
            signal.set_wakeup_fd(previous_fd)
            reader.close()
            writer.close()
            return None
        return cls(reader, writer, previous_fd)

    def _run(self) -> None:
        while True:
            try:
                data = self.reader.recv(64)
            except OSError:
                return
            if not data:
                return
            if signal.SIGINT in data:
                request_stop()

    def close(self) -> None:
        signal.set_wakeup_fd(self.previous_fd)
        self.writer.close()  # the reader sees end of file and the thread ends
        self.thread.join(timeout=1.0)
        self.reader.close()
