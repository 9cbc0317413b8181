"""Training progress as a small JSON file that another process (the app) can poll.

The training command writes it when given `--progress FILE`: the run's phase, the epoch and batch
reached, elapsed and estimated remaining seconds, and the per-epoch curves so far. Each write
replaces the file atomically, so a reader never sees half a record.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import keras

from model.history import CURVE_KEYS

# Phases, in order; a run then ends as "done", "failed" or "cancelled".
ACTIVE_STATES = ("starting", "loading", "preparing", "training", "evaluating", "saving")
WRITE_EVERY = 0.25  # seconds between batch updates: often enough for a smooth bar, cheap to write


def write_status(path: str | os.PathLike, status: dict) -> None:
    """Replace the JSON file at `path` with `status` in one atomic rename."""
    path = Path(path)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(status, file)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def read_status(path: str | os.PathLike) -> dict | None:
    """The status record at `path`, or None if it is missing or unreadable."""
    try:
        status = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return status if isinstance(status, dict) else None


class ProgressFile(keras.callbacks.Callback):
    """Keras callback + phase reporter that keeps a status file up to date during a run."""

    def __init__(self, path: str | os.PathLike):
        super().__init__()
        self.path = Path(path)
        self.status = {
            "state": "starting",
            "epoch": 0,
            "epochs": None,
            "step": 0,
            "steps": None,
            "elapsed": 0.0,
            "remaining": None,
            "history": {key: [] for key in CURVE_KEYS},
            "message": "",
        }
        self._started = None
        self._last_write = 0.0
        self.write()

    def phase(self, state: str, message: str = "", **fields) -> None:
        """Record a new phase (see ACTIVE_STATES) and write it at once."""
        self.status.update(state=state, message=message, **fields)
        self.write()

    def write(self) -> None:
        write_status(self.path, self.status)
        self._last_write = time.perf_counter()

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()
        self.status.update(state="training", epochs=self.params.get("epochs"), steps=self.params.get("steps"))
        self.write()

    def on_epoch_begin(self, epoch, logs=None):
        self.status.update(epoch=epoch, step=0)

    def on_train_batch_end(self, batch, logs=None):
        steps = self.status["steps"]
        self.status["step"] = min(batch + 1, steps) if steps else batch + 1
        if time.perf_counter() - self._last_write >= WRITE_EVERY:
            self._update_clock()
            self.write()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        for key in CURVE_KEYS:
            if key in logs:
                self.status["history"][key].append(float(logs[key]))
        self.status.update(epoch=epoch + 1, step=0)
        self._update_clock()
        self.write()

    def _update_clock(self) -> None:
        elapsed = time.perf_counter() - self._started
        self.status["elapsed"] = round(elapsed, 2)
        self.status["remaining"] = remaining_seconds(
            elapsed, self.status["epoch"], self.status["step"], self.status["epochs"], self.status["steps"]
        )


def fraction_done(epoch: int, step: int, epochs: int | None, steps: int | None) -> float:
    """How much of the training is done, in [0, 1]: `epoch` finished epochs, `step` batches of the next."""
    if not epochs:
        return 0.0
    return min(1.0, (epoch + (min(step, steps) / steps if steps else 0)) / epochs)


def remaining_seconds(elapsed: float, epoch: int, step: int, epochs: int | None, steps: int | None) -> float | None:
    """Seconds left if the rest goes at the pace so far; None until there is a pace to go by."""
    done = fraction_done(epoch, step, epochs, steps)
    if done <= 0:
        return None
    return round(elapsed * (1 - done) / done, 1)
