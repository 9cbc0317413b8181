"""Training progress: the status file a run's training process keeps, read as one typed value.

The training command writes it when given `--progress FILE` (`model.callbacks.ProgressFile`): the
run's phase, the epoch and batch reached, elapsed and estimated remaining seconds, and the
per-epoch curves so far. Each write replaces the file atomically, so a reader never sees half a
record; a record whose fields have the wrong types is refused as a whole (`Status.from_record`).
`progress()` turns a status into what a page shows: how much is done and what is going on.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from model.errors import Explained, fields
from model.history import CURVE_KEYS, is_number

# Phases, in order; a run then ends as "done", "failed" or "cancelled".
ACTIVE_STATES = ("starting", "loading", "building", "training", "evaluating", "saving")
OLD_NAMES = {"preparing": "building"}  # status files written before the phase was renamed
ENDED_STATES = ("done", "failed", "cancelled")
WRITE_EVERY = 0.25  # seconds between batch updates: often enough for a smooth bar, cheap to write
MIN_PACE_SHARE = 0.02  # the first batches include compiling: no estimate of the time left before


@dataclass(frozen=True)
class Status:
    """A run's status record: what its training process last wrote."""

    state: str = "starting"
    epoch: int = 0  # epochs finished
    epochs: int | None = None
    step: int = 0  # batches of the current epoch finished
    steps: int | None = None  # batches per epoch
    elapsed: float = 0.0  # seconds of training so far
    remaining: float | None = None  # seconds of training left at the pace so far
    prepared: tuple[int, int, float] | None = None  # while building: images retraced, of, seconds
    history: dict[str, list[float]] = field(default_factory=lambda: {key: [] for key in CURVE_KEYS})
    test_accuracy: float | None = None  # once done
    reason: Explained | None = None  # why it failed, when the training process could say

    @classmethod
    def from_record(cls, record) -> Status:
        """A status.json object -> Status; ValueError naming the first field of the wrong type."""
        if not isinstance(record, dict):
            raise ValueError("a status record is a JSON object")
        state = _typed(record, "state", str, "starting")
        state = OLD_NAMES.get(state, state)
        if state not in ACTIVE_STATES + ENDED_STATES:
            raise ValueError(f"unknown state {state!r}")
        prepared = record.get("prepared")
        if prepared is not None and not (
            isinstance(prepared, list) and len(prepared) == 3 and all(is_number(v) for v in prepared)
        ):
            raise ValueError("prepared must be [done, total, seconds]")
        history = record.get("history") or {}
        if not isinstance(history, dict) or not all(
            isinstance(history.get(key, []), list) and all(is_number(v) for v in history.get(key, []))
            for key in CURVE_KEYS
        ):
            raise ValueError("history must hold lists of numbers")
        reason = record.get("reason")
        if reason is not None:
            if not (
                isinstance(reason, dict)
                and isinstance(reason.get("template"), str)
                and isinstance(reason.get("values", {}), dict)
            ):
                raise ValueError("reason must be {template, values}")
            try:  # a page fills the template in: every field it names must have a value
                named = fields(reason["template"])
            except ValueError:
                named = None
            if named is None or not named <= set(reason.get("values", {})):
                raise ValueError("reason's template names values it does not have")
            reason = Explained(reason["template"], **reason.get("values", {}))
        return cls(
            state=state,
            epoch=_typed(record, "epoch", int, 0),
            epochs=_typed(record, "epochs", int, None),
            step=_typed(record, "step", int, 0),
            steps=_typed(record, "steps", int, None),
            elapsed=float(_typed(record, "elapsed", (int, float), 0.0)),
            remaining=_typed(record, "remaining", (int, float), None),
            prepared=(int(prepared[0]), int(prepared[1]), float(prepared[2])) if prepared else None,
            history={key: [float(v) for v in history.get(key, [])] for key in CURVE_KEYS},
            test_accuracy=_typed(record, "test_accuracy", (int, float), None),
            reason=reason,
        )

    def to_record(self) -> dict:
        record = {
            "state": self.state,
            "epoch": self.epoch,
            "epochs": self.epochs,
            "step": self.step,
            "steps": self.steps,
            "elapsed": self.elapsed,
            "remaining": self.remaining,
            "history": self.history,
        }
        if self.prepared is not None:
            record["prepared"] = list(self.prepared)
        if self.test_accuracy is not None:
            record["test_accuracy"] = self.test_accuracy
        if self.reason is not None:
            record["reason"] = {"template": self.reason.template, "values": _plain(self.reason.values)}
        return record


def _typed(record: dict, key: str, kind, default):
    value = record.get(key, default)
    if value is None:
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"{key} has the wrong type ({type(value).__name__})")
    return value


def _plain(values: dict) -> dict:
    """An error's values as JSON can hold them (paths and such become text)."""
    return {
        key: value if isinstance(value, (int, float, str)) else str(value) for key, value in values.items()
    }


def write_status(path: str | os.PathLike, status: Status) -> None:
    """Replace the JSON file at `path` with `status` in one atomic rename."""
    path = Path(path)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(status.to_record(), file)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def read_status(path: str | os.PathLike) -> Status | None:
    """The status at `path`; None if there is none yet; ValueError if it is damaged."""
    path = Path(path)
    if not path.is_file():  # also refuses a FIFO or a folder of that name, which would block or fail
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"unreadable status: {error.__class__.__name__}") from error
    return Status.from_record(record)


@dataclass(frozen=True)
class Progress:
    """Where a run is, for a progress bar: what it is doing, how much is done, how long is left."""

    phase: str  # an ACTIVE_STATES name, or "retracing" while building draws augmentation's pen copies
    fraction: float  # of this phase's work, in [0, 1]
    epoch: int = 0  # the epoch under way, 1-based (the last one once all are done)
    epochs: int = 0
    step: int = 0  # batches of that epoch done
    steps: int | None = None
    elapsed: float = 0.0  # seconds
    remaining: float | None = None  # seconds, once there is a pace to go by
    retraced: tuple[int, int] | None = None  # while retracing: images done, of


def progress(status: Status) -> Progress:
    """A run's status -> its Progress."""
    if status.state == "building" and status.prepared:
        done, total, seconds = status.prepared
        left = seconds * (total - done) / done if done else None
        return Progress("retracing", done / total if total else 0.0, remaining=left, retraced=(done, total))
    if status.state != "training":
        return Progress(status.state, 1.0 if status.state in ("evaluating", "saving") else 0.0)
    epochs = status.epochs or 1
    fraction = fraction_done(status.epoch, status.step, epochs, status.steps)
    epoch, step = status.epoch + 1, status.step
    if status.epoch >= epochs:  # every epoch done: the last one, full, until evaluation starts
        epoch, step = epochs, status.steps or 0
    remaining = status.remaining if fraction > MIN_PACE_SHARE else None
    return Progress("training", fraction, epoch, epochs, step, status.steps, status.elapsed, remaining)


def fraction_done(epoch: int, step: int, epochs: int | None, steps: int | None) -> float:
    """How much of the training is done, in [0, 1]: `epoch` finished epochs, `step` batches of the next."""
    if not epochs:
        return 0.0
    return min(1.0, (epoch + (min(step, steps) / steps if steps else 0)) / epochs)


def remaining_seconds(
    elapsed: float, epoch: int, step: int, epochs: int | None, steps: int | None
) -> float | None:
    """Seconds left if the rest goes at the pace so far; None until there is a pace to go by."""
    done = fraction_done(epoch, step, epochs, steps)
    if done <= 0:
        return None
    return round(elapsed * (1 - done) / done, 1)
