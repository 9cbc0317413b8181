"""Run folders as a finished training run leaves them, for tests of the views that list runs."""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path


def finished_run(root: Path, bundle: Path, run_id: str = "20261125-101500-abcd", owner=None) -> Path:
    """A run folder as a finished run leaves it, around a copy of a real trained bundle; the
    visitor `owner` started it (None: nobody's)."""
    folder = root / run_id
    shutil.copytree(bundle, folder / "bundle")
    accuracy = json.loads((bundle / "evaluation.json").read_text())["test_accuracy"]
    settings = {"epochs": 2, "batch_size": 32, "augment": False, "limit": None, "extra": None}
    day, time = run_id.split("-")[:2]  # the id is the start time: YYYYmmdd-HHMMSS-xxxx
    created = f"{day[:4]}-{day[4:6]}-{day[6:]}T{time[:2]}:{time[2:4]}:{time[4:]}+00:00"
    (folder / "run.json").write_text(json.dumps({"id": run_id, "created": created, "settings": settings}))
    (folder / "status.json").write_text(
        json.dumps({"state": "done", "test_accuracy": accuracy, "elapsed": 12.0})
    )
    if owner:
        (folder / "owner").write_text(owner)
    return folder


def killed_run(root: Path, run_id: str = "20261125-120000-dead", epochs: int = 1, owner=None) -> Path:
    """A run folder as a training process leaves it when killed mid-epoch: no bundle, a dead pid."""
    import subprocess
    import sys

    folder = root / run_id
    folder.mkdir(parents=True)
    settings = {"epochs": epochs, "batch_size": 32, "augment": False, "limit": None, "extra": None}
    (folder / "run.json").write_text(
        json.dumps({"id": run_id, "created": "2026-11-25T12:00:00+00:00", "settings": settings})
    )
    (folder / "status.json").write_text(
        json.dumps({"state": "training", "epoch": 0, "epochs": epochs, "elapsed": 3.0})
    )
    (folder / "train.log").write_text("Epoch 1/1\n  12/1875 [..............................] - ETA: 20s\n")
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (folder / "pid").write_text(finished.stdout.strip())  # that process has ended: the run died
    if owner:
        (folder / "owner").write_text(owner)
    return folder


@contextmanager
def training_run(root: Path, owner=None, run_id: str = "20261125-130000-a11e"):
    """A run folder whose training process is alive mid-epoch (a stand-in process that only sleeps,
    named like the training command so that the app takes it for one); ended on exit."""
    import subprocess
    import sys

    folder = root / run_id
    folder.mkdir(parents=True)
    settings = {"epochs": 5, "batch_size": 32, "augment": False, "limit": None, "extra": None}
    (folder / "run.json").write_text(
        json.dumps({"id": run_id, "created": "2026-11-25T13:00:00+00:00", "settings": settings})
    )
    (folder / "status.json").write_text(
        json.dumps({"state": "training", "epoch": 1, "epochs": 5, "step": 10, "steps": 32, "elapsed": 9.0})
    )
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "model.train"])
    (folder / "pid").write_text(str(process.pid))
    if owner:
        (folder / "owner").write_text(owner)
    try:
        yield folder
    finally:
        process.kill()
        process.wait()
