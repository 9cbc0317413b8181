"""A model bundle on disk: model.keras, history.json, summary.txt, evaluation.json, misclassified.npz.

Bundles are written into a temporary folder beside the target and moved into place at the end,
so an interrupted or failed run never leaves a half-written bundle or destroys the previous one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from model.constants import EVALUATION_FILE, HISTORY_FILE, MISSED_FILE, MODEL_FILE, SUMMARY_FILE
from model.errors import Explained


class BundleError(Explained, ValueError):
    """A bundle file that cannot be used; the message says which and why."""


@contextmanager
def atomic_directory(target: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces `target`, on any error it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a bundle is meant to be shared
    try:
        yield staging
        _replace_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace_directory(source: Path, target: Path) -> None:
    if not target.exists():
        os.rename(source, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, retired / target.name)
    try:
        os.rename(source, target)
    except BaseException:
        os.rename(retired / target.name, target)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def write_bundle(target, model, history: dict, evaluation: dict, summary: str, missed_images=None) -> Path:
    """Save a trained model and its records as a bundle folder, atomically.

    `missed_images`: (k, 28, 28) uint8 test digits the model got wrong, in the order of
    evaluation["misclassified"], so the app can show them without the dataset.
    """
    target = Path(target)
    with atomic_directory(target) as staging:
        model.save(staging / MODEL_FILE)
        write_json(staging / HISTORY_FILE, history)
        write_json(staging / EVALUATION_FILE, evaluation)
        (staging / SUMMARY_FILE).write_text(summary + "\n", encoding="utf-8")
        if missed_images is not None:
            np.savez_compressed(staging / MISSED_FILE, images=np.asarray(missed_images, dtype=np.uint8))
    return target


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def read_json(path: str | os.PathLike) -> dict:
    """A bundle's JSON record; FileNotFoundError if absent, ValueError if not a JSON object."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleError(
            "{name} is not a readable JSON file.", name=path.name, detail=f"{path}: {error}"
        ) from error
    if not isinstance(data, dict):
        raise BundleError(
            "{name} should hold a JSON object, found {found}.",
            name=path.name,
            found=type(data).__name__,
            detail=str(path),
        )
    return data


def read_missed_images(bundle_dir: str | os.PathLike) -> np.ndarray | None:
    """The bundle's (k, 28, 28) uint8 thumbnails of misclassified test digits, or None if absent/bad."""
    try:
        with np.load(Path(bundle_dir) / MISSED_FILE, allow_pickle=False) as data:
            images = data["images"]
    except (OSError, ValueError, KeyError):
        return None
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        return None
    return images
