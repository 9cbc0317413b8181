"""The training command's Keras callbacks: seconds per epoch, and the run's status file kept current.

`model/train.py` imports them only when it trains: its worker processes need no TensorFlow.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import keras

from model.errors import Explained
from model.progress import WRITE_EVERY, Status, remaining_seconds, write_status


class EpochTimer(keras.callbacks.Callback):
    """Records wall-clock seconds per epoch (training plus validation)."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(round(time.perf_counter() - self._start, 3))


class ProgressFile(keras.callbacks.Callback):
    """Keras callback + phase reporter that keeps a run's status file (`model/progress.py`) current."""

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self.status = Status()
        self._started = None
        self._last_write = 0.0
        self.write()

    def phase(self, state: str, reason: Explained | None = None, **fields) -> None:
        """Record a new phase (see ACTIVE_STATES, or an ending) and write it at once."""
        self.status = replace(self.status, state=state, reason=reason, **fields)
        self.write()

    def write(self) -> None:
        write_status(self.path, self.status)
        self._last_write = time.perf_counter()

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()
        self.phase("training", epochs=self.params.get("epochs"), steps=self.params.get("steps"))

    def on_epoch_begin(self, epoch, logs=None):
        self.status = replace(self.status, epoch=epoch, step=0)

    def on_train_batch_end(self, batch, logs=None):
        steps = self.status.steps
        self.status = replace(self.status, step=min(batch + 1, steps) if steps else batch + 1)
        if time.perf_counter() - self._last_write >= WRITE_EVERY:
            self._update_clock()
            self.write()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        history = {
            key: [*values, float(logs[key])] if key in logs else values
            for key, values in self.status.history.items()
        }
        self.status = replace(self.status, epoch=epoch + 1, step=0, history=history)
        self._update_clock()
        self.write()

    def _update_clock(self) -> None:
        elapsed = time.perf_counter() - self._started
        s = self.status
        remaining = remaining_seconds(elapsed, s.epoch, s.step, s.epochs, s.steps)
        self.status = replace(s, elapsed=round(elapsed, 2), remaining=remaining)
