"""Reading a bundle's training records for display: curves, run facts, where overfitting starts."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from model.bundle import read_json
from model.constants import EVALUATION_FILE, HISTORY_FILE, NUM_CLASSES, SUMMARY_FILE
from model.errors import Explained

CURVE_KEYS = ("loss", "val_loss", "accuracy", "val_accuracy")


@dataclass(frozen=True)
class BundleRecords:
    """What a bundle says about its training; any part may be missing (None)."""

    history: dict | None
    evaluation: dict | None
    summary: str | None
    problems: tuple[Explained, ...]  # one per missing or unreadable file; str() reads it in English


def read_records(bundle_dir: str | os.PathLike) -> BundleRecords:
    """A bundle folder -> its history, evaluation and summary, never raising for a bad file."""
    bundle_dir = Path(bundle_dir)
    problems = []
    parts = {}
    for name in (HISTORY_FILE, EVALUATION_FILE):
        try:
            parts[name] = read_json(bundle_dir / name)
        except FileNotFoundError:
            parts[name] = None
            problems.append(
                Explained("{name} is missing from the model's files.", name=name, detail=str(bundle_dir))
            )
        except ValueError as error:
            parts[name] = None
            problems.append(error)
    history, evaluation = parts[HISTORY_FILE], parts[EVALUATION_FILE]
    if history is not None and not has_curves(history):
        problems.append(damaged(HISTORY_FILE, bundle_dir, "the per-epoch lists " + ", ".join(CURVE_KEYS)))
        history = None
    wrong = evaluation_problem(evaluation) if evaluation is not None else None
    if wrong:
        problems.append(damaged(EVALUATION_FILE, bundle_dir, wrong))
        evaluation = None
    try:
        summary = (bundle_dir / SUMMARY_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        summary = None
        problems.append(
            Explained(
                "{name} is missing from the model's files, or unreadable.",
                name=SUMMARY_FILE,
                detail=str(bundle_dir),
            )
        )
    return BundleRecords(history, evaluation, summary, tuple(problems))


def damaged(name: str, folder: Path, field: str) -> Explained:
    return Explained(
        "The model's {name} is damaged ({field}: missing or of the wrong kind), so it is not shown.",
        name=name,
        field=field,
        detail=str(folder),
    )


def is_number(value) -> bool:
    """A finite int or float that is no bool: what a record's number fields must hold."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_digit(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < NUM_CLASSES


def evaluation_problem(evaluation: dict) -> str | None:
    """The first field of evaluation.json a page cannot use as it is, or None if all are fine."""
    matrix = evaluation.get("confusion_matrix")
    if not (
        isinstance(matrix, list)
        and len(matrix) == NUM_CLASSES
        and all(isinstance(row, list) and len(row) == NUM_CLASSES for row in matrix)
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for row in matrix for n in row)
        and sum(map(sum, matrix)) > 0
    ):
        return "confusion_matrix"
    if not is_number(evaluation.get("test_accuracy")):
        return "test_accuracy"
    shares = evaluation.get("per_class_accuracy")
    if not isinstance(shares, list) or len(shares) != NUM_CLASSES or not all(map(is_number, shares)):
        return "per_class_accuracy"
    misses, tested = evaluation.get("misclassified", []), sum(map(sum, matrix))
    if not isinstance(misses, list) or not all(
        isinstance(miss, dict)
        and isinstance(miss.get("index"), int)
        and 0 <= miss["index"] < tested
        and _is_digit(miss.get("true"))
        and _is_digit(miss.get("predicted"))
        and is_number(miss.get("confidence"))
        for miss in misses
    ):
        return "misclassified"
    return None


def has_curves(history: dict) -> bool:
    """Whether history.json has the four per-epoch lists, of numbers, all as long."""
    lists = [history.get(key) for key in CURVE_KEYS]
    return (
        all(isinstance(values, list) and values and all(map(is_number, values)) for values in lists)
        and len({len(values) for values in lists}) == 1
    )


def curves(history: dict) -> dict[str, list[float]]:
    """history.json -> {"epoch": [1..n], "loss": [...], "val_loss": [...], ...}."""
    epochs = len(history["loss"])
    return {"epoch": list(range(1, epochs + 1)), **{key: history[key] for key in CURVE_KEYS}}


OVERFITTING_RISE = 0.1  # validation loss ending this share above its lowest is a rise, not a wiggle:
# from one epoch to the next it moves by a few percent (the committed bundle ends 1.2% above its
# lowest, after epoch 19 of 20, while it reads the test digits as well as ever)
OVERFITTING_EPOCHS = 2  # ...and it must rise for at least this many epochs after its lowest


@dataclass(frozen=True)
class Overfitting:
    """Where a run starts to memorise its training set: validation loss clearly rises after `epoch`."""

    epoch: int  # 1-based: the epoch after which validation loss was lowest
    rise: float  # how far the last validation loss lies above that lowest, as a share of it


def overfitting(history: dict) -> Overfitting | None:
    """Overfitting, if the curves show it: validation loss rises clearly (by OVERFITTING_RISE or
    more, over OVERFITTING_EPOCHS or more) after its lowest while training loss keeps falling;
    otherwise None."""
    val_loss, loss = history["val_loss"], history["loss"]
    best = min(range(len(val_loss)), key=val_loss.__getitem__)
    rise = val_loss[-1] / val_loss[best] - 1 if val_loss[best] > 0 else 0.0
    if len(val_loss) - 1 - best < OVERFITTING_EPOCHS or rise < OVERFITTING_RISE or loss[-1] >= loss[best]:
        return None
    return Overfitting(best + 1, rise)
