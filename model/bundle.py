"""A model bundle on disk: model.keras, history.json, summary.txt, evaluation.json.

Bundles are written into a temporary folder beside the target and moved into place at the end,
so an interrupted or failed run never leaves a half-written bundle or destroys the previous one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from model.constants import EVALUATION_FILE, HISTORY_FILE, MODEL_FILE, SUMMARY_FILE


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


def write_bundle(target, model, history: dict, evaluation: dict, summary: str) -> Path:
    """Save a trained model and its records as a bundle folder, atomically."""
    target = Path(target)
    with atomic_directory(target) as staging:
        model.save(staging / MODEL_FILE)
        write_json(staging / HISTORY_FILE, history)
        write_json(staging / EVALUATION_FILE, evaluation)
        (staging / SUMMARY_FILE).write_text(summary + "\n", encoding="utf-8")
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
        raise ValueError(f"{path} is not a readable JSON file: {error}") from error
    if not isinstance(data, dict):
        raise ValueError(f"{path} should hold a JSON object, found {type(data).__name__}")
    return data
