"""Reading a bundle's training records for display: curves, run facts, where overfitting starts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from model.bundle import read_json
from model.constants import EVALUATION_FILE, HISTORY_FILE, SUMMARY_FILE
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
            problems.append(Explained("{name} is missing from {folder}", name=name, folder=bundle_dir))
        except ValueError as error:
            parts[name] = None
            problems.append(error)
    history = parts[HISTORY_FILE]
    if history is not None and not has_curves(history):
        problems.append(
            Explained(
                "{path} lacks the per-epoch lists {keys}",
                path=bundle_dir / HISTORY_FILE,
                keys=list(CURVE_KEYS),
            )
        )
        history = None
    try:
        summary = (bundle_dir / SUMMARY_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        summary = None
        problems.append(
            Explained("{name} is missing or unreadable in {folder}", name=SUMMARY_FILE, folder=bundle_dir)
        )
    return BundleRecords(history, parts[EVALUATION_FILE], summary, tuple(problems))


def has_curves(history: dict) -> bool:
    lists = [history.get(key) for key in CURVE_KEYS]
    return (
        all(isinstance(values, list) and values for values in lists)
        and len({len(values) for values in lists}) == 1
    )


def curves(history: dict) -> dict[str, list[float]]:
    """history.json -> {"epoch": [1..n], "loss": [...], "val_loss": [...], ...}."""
    epochs = len(history["loss"])
    return {"epoch": list(range(1, epochs + 1)), **{key: history[key] for key in CURVE_KEYS}}


def overfitting_epoch(history: dict) -> int | None:
    """The 1-based epoch after which validation loss rises (its minimum), or None if it never rises."""
    val_loss = history["val_loss"]
    best = min(range(len(val_loss)), key=val_loss.__getitem__)
    return best + 1 if best < len(val_loss) - 1 else None
