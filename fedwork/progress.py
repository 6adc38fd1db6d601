"""A small text progress bar for long management commands (loads, benchmarks)."""

import sys
import time


class ProgressBar:
    """Redraws one line on a terminal, at most a few times a second; quiet when not a terminal."""

    def __init__(self, stream=None, width: int = 30, interval: float = 0.2):
        self.stream = stream or sys.stderr
        self.width = width
        self.interval = interval
        self._last = 0.0
        self._label = None

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if not finished and label == self._label and now - self._last < self.interval:
            return
        self._last, self._label = now, label
        share = done / total if total else 1
        filled = int(self.width * share)
        line = f"\r{label:<12} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
        if self.stream.isatty() or finished:
            self.stream.write(line + ("\n" if finished else ""))
            self.stream.flush()
