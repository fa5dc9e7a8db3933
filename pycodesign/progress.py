"""Progress of long steps: a bar with ETA on a terminal, plain lines in logs and CI.

Flows and library functions take ``progress``: any callable receiving
message strings (``print`` works).  A :class:`Progress` is such a callable
that can also show a bar for a counted task::

    progress = Progress()                      # tqdm bars on a TTY, else lines
    with task(progress, "ngspice", total=539, unit="image") as advance:
        ...
        advance(50)                            # 50 more done

:func:`task` works with any ``progress``: with a plain callable (or None) it
reports the start and the end as lines, so library code never needs to know
what it was given.  Bars are off when the stream is not a terminal or the
``CI`` environment variable is set; then a line is printed at most every
``line_interval_s`` seconds with the count, elapsed time and an ETA.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Callable, Iterator

__all__ = ["Progress", "task"]


def _eta(elapsed: float, done: float, total: float) -> str:
    if done <= 0 or total <= 0:
        return "?"
    left = elapsed / done * (total - done)
    return f"{left:.0f} s" if left < 120 else f"{left / 60:.1f} min"


class Progress:
    """Messages and counted tasks for one run (see the module doc).

    Parameters
    ----------
    quiet : bool
        Print nothing at all.
    stream : file
        Where to write (default: standard error, so pipes of standard output stay clean).
    bars : bool or None
        Force bars on or off (default: on a terminal and not under CI).
    line_interval_s : float
        Shortest time between two plain progress lines of one task.
    """

    def __init__(self, *, quiet: bool = False, stream=None, bars: bool | None = None,
                 line_interval_s: float = 5.0):
        self.quiet = quiet
        self.stream = stream if stream is not None else sys.stderr
        if bars is None:
            bars = bool(getattr(self.stream, "isatty", lambda: False)()) and not os.environ.get("CI")
        self.bars = bars and not quiet
        self.line_interval_s = line_interval_s
        self._bar = None

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    @contextlib.contextmanager
    def task(self, description: str, total: int, *, unit: str = "it") -> Iterator[Callable[[int], None]]:
        """A counted task: yields ``advance(n=1)``."""
        if self.quiet:
            yield lambda n=1: None
            return
        if self.bars:
            from tqdm import tqdm

            import shutil

            # a terminal that reports no size (some pseudo-terminals) gets a fixed one, not a hidden bar
            size = shutil.get_terminal_size((0, 0))
            wide = size.columns >= 40
            bar = tqdm(total=total, desc=description, unit=unit, file=self.stream, dynamic_ncols=wide,
                       ncols=None if wide else 100, nrows=None if size.lines > 0 else 24, mininterval=0.5,
                       leave=True)
            previous, self._bar = self._bar, bar
            try:
                yield lambda n=1: bar.update(n)
            finally:
                bar.close()
                self._bar = previous
            return
        t0 = time.perf_counter()
        state = {"done": 0, "last": t0}

        def advance(n: int = 1) -> None:
            state["done"] += n
            now = time.perf_counter()
            if now - state["last"] >= self.line_interval_s and state["done"] < total:
                state["last"] = now
                el = now - t0
                print(f"{description}: {state['done']}/{total} {unit}s, {el:.0f} s elapsed, ETA "
                      f"{_eta(el, state['done'], total)}", file=self.stream, flush=True)

        print(f"{description}: {total} {unit}s", file=self.stream, flush=True)
        yield advance
        print(f"{description}: done ({state['done']}/{total}) in {time.perf_counter() - t0:.1f} s",
              file=self.stream, flush=True)


@contextlib.contextmanager
def task(progress, description: str, total: int, *, unit: str = "it") -> Iterator[Callable[[int], None]]:
    """A counted task on any ``progress`` (a :class:`Progress`, a plain callable, or None)."""
    if isinstance(progress, Progress):
        with progress.task(description, total, unit=unit) as advance:
            yield advance
        return
    if progress is not None:
        progress(f"{description}: {total} {unit}s")
    yield lambda n=1: None
