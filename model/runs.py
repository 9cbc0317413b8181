"""Training runs started from the app: each one is the training command in its own process.

A separate process (not a thread of the web server) because training keeps both cores busy
for minutes: run at a lower priority, it leaves the server free to answer drawings in every
session, and cancelling it is a signal that stops it cleanly wherever it is.

Layout of the runs folder, one subfolder per run:

    runs/20261125-114210-3f2a/
        run.json      what was asked: settings, data, when (written once, by the app)
        pid           the training process' id (written by the app when it starts it)
        status.json   phase, epoch, batch, time, curves so far (rewritten by the training process)
        train.log     the training command's output
        owner         the visitor who started it: the only one who sees, uses, cancels and deletes it
        cancel        present once someone asked the run to stop
        extra.npz     the saved drawings added to the training images, if asked for
        bundle/       the finished model bundle, same format as `python -m model.train` writes;
                      it only appears, complete, when the run succeeds (written atomically)
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from model.bundle import read_json, write_json
from model.constants import MODEL_FILE, OUTLIER_SHARE, PROJECT_DIR, REAL_SHARE, WRITTEN_SHARE
from model.errors import Explained
from model.progress import ACTIVE_STATES, Progress, Status, progress, read_status

RUNS_ENV_VAR = "DIGITS_RUNS"  # where the app keeps its training runs
DEFAULT_RUNS_DIR = PROJECT_DIR / "runs"  # git-ignored
MAX_EPOCHS = 20  # a run in the app takes at most a few minutes on a laptop CPU
BATCH_SIZES = (32, 64, 128, 256)  # 32 is the tutorial's; larger batches train faster per epoch
NICENESS = 10  # training yields the CPU to the web server, so drawings keep getting answers
RUN_FILE, PID_FILE, STATUS_FILE, LOG_FILE, CANCEL_FILE, BUNDLE_DIR, OWNER_FILE = (
    "run.json",
    "pid",
    "status.json",
    "train.log",
    "cancel",
    "bundle",
    "owner",
)
EXTRA_FILE = "extra.npz"  # the saved drawings a run added to MNIST, kept with the run
RUN_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{4}")  # a run's id and folder name: its start time, UTC, and 4 hex


class RunError(Explained):
    """A run could not be started, cancelled or deleted; the message says why."""


@dataclass(frozen=True)
class RunSettings:
    epochs: int = 5
    batch_size: int = 32
    augment: bool = False
    limit: int | None = None  # train on the first N MNIST training images only
    extra: str | None = None  # an mnist-layout .npz added to the training images
    extra_repeat: int = 1
    seed: int | None = None
    outliers: bool = False  # also teach drawings that are no digit (--outliers OUTLIER_SHARE)
    written: bool = False  # also teach digits written with a pen (--written WRITTEN_SHARE --real REAL_SHARE)
    init: str | None = None  # a model.keras to train further (--init), instead of fresh weights
    learning_rate: float | None = None  # None: RMSprop's default
    lr_decay: bool = False

    def check(self) -> None:
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise RunError(
                "Epochs must be between 1 and {most}, got {epochs}.", most=MAX_EPOCHS, epochs=self.epochs
            )
        if self.batch_size not in BATCH_SIZES:
            raise RunError(
                "Batch size must be one of {sizes}, got {size}.", sizes=BATCH_SIZES, size=self.batch_size
            )
        if self.limit is not None and self.limit < 1:
            raise RunError("The training-image limit must be at least 1, got {limit}.", limit=self.limit)
        if self.learning_rate is not None and not 0 < self.learning_rate <= 1:
            raise RunError(
                "The learning rate must be above 0 and at most 1, got {rate}.", rate=self.learning_rate
            )

    def arguments(self) -> list[str]:
        """These settings as `python -m model.train` options."""
        args = ["--epochs", str(self.epochs), "--batch-size", str(self.batch_size)]
        if self.augment:
            args.append("--augment")
        if self.limit:
            args += ["--limit", str(self.limit)]
        if self.extra:
            args += ["--extra", self.extra, "--extra-repeat", str(self.extra_repeat)]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        if self.outliers:
            args += ["--outliers", str(OUTLIER_SHARE)]
        if self.written:
            args += ["--written", str(WRITTEN_SHARE), "--real", str(REAL_SHARE)]
        if self.init:
            args += ["--init", self.init]
        if self.learning_rate is not None:
            args += ["--learning-rate", str(self.learning_rate)]
        if self.lr_decay:
            args.append("--lr-decay")
        return args


SETTING_TYPES = {  # RunSettings' fields in run.json: (type, may be null)
    "epochs": (int, False),
    "batch_size": (int, False),
    "augment": (bool, False),
    "limit": (int, True),
    "extra": (str, True),
    "extra_repeat": (int, False),
    "seed": (int, True),
    "outliers": (bool, False),
    "written": (bool, False),
    "init": (str, True),
    "learning_rate": (float, True),
    "lr_decay": (bool, False),
}


@dataclass(frozen=True)
class RunInfo:
    """run.json: what was asked for, written once when the run starts."""

    id: str
    created: datetime  # when it started, UTC
    settings: RunSettings
    data: str  # the mnist.npz it trains on, or Keras' loader
    command: tuple[str, ...]

    @classmethod
    def from_record(cls, record, folder_name: str) -> RunInfo:
        """A run.json object -> RunInfo; ValueError naming the first field of the wrong type."""
        if not isinstance(record, dict):
            raise ValueError("run.json holds no object")
        created = record.get("created")
        settings = record.get("settings", {})
        command = record.get("command", [])
        if not isinstance(created, str):
            raise ValueError("created is not a date")
        if not isinstance(settings, dict):
            raise ValueError("settings is not an object")
        if not isinstance(command, list) or not all(isinstance(part, str) for part in command):
            raise ValueError("command is not a list of words")
        try:
            when = datetime.fromisoformat(created)
            typed = RunSettings(**{name: settings[name] for name in SETTING_TYPES if name in settings})
        except (TypeError, ValueError) as error:
            raise ValueError(f"bad created or settings: {error}") from error
        for name, (kind, optional) in SETTING_TYPES.items():
            value = getattr(typed, name)
            if not (optional and value is None) and (type(value) is not kind):  # True is no epoch count
                raise ValueError(f"settings.{name} has the wrong type")
        data = record.get("data", "")
        return cls(folder_name, when, typed, data if isinstance(data, str) else "", tuple(command))


@dataclass(frozen=True)
class Run:
    """One run folder, read once, at one moment: nothing on it reads the disk again."""

    id: str
    folder: Path
    info: RunInfo | None  # None when run.json is damaged
    status: Status  # Status() before the training process has written one
    alive: bool  # its training process is still running
    owner: str | None  # the visitor who started it (None: nobody's, such as runs from before owners)
    cancel_asked: bool  # someone asked it to stop
    has_bundle: bool  # its bundle's model file is there
    damaged: str | None = None  # why its records cannot be read, for the log; None when they can

    @property
    def state(self) -> str:
        """starting/loading/building/training/evaluating/saving, or
        done/failed/cancelled/interrupted/damaged."""
        if self.damaged:
            return "damaged"
        state = self.status.state
        if state in ACTIVE_STATES and not self.alive:
            return "cancelled" if self.cancel_asked else "interrupted"
        return state

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def bundle(self) -> Path:
        return self.folder / BUNDLE_DIR

    @property
    def usable(self) -> bool:
        return self.state == "done" and self.has_bundle

    @property
    def settings(self) -> RunSettings:
        return self.info.settings if self.info else RunSettings()

    @property
    def test_accuracy(self) -> float | None:
        return self.status.test_accuracy

    @property
    def progress(self) -> Progress:
        return progress(self.status)

    def owned_by(self, visitor: str | None) -> bool:
        """Whether `visitor` started it: only they see, use, cancel and delete it."""
        return visitor is not None and self.owner == visitor

    def may_cancel(self, visitor: str | None) -> bool:
        """Whether `visitor` may cancel it now. A run nobody can cancel still ends by itself:
        every run's epochs are bounded (MAX_EPOCHS)."""
        return self.active and self.owned_by(visitor)


def runs_dir() -> Path:
    return Path(os.environ.get(RUNS_ENV_VAR) or DEFAULT_RUNS_DIR)


def run_folder(run_id, root: Path | None = None) -> Path | None:
    """The folder of the run `run_id` names, or None if it is no run id (anything a browser or a
    record sends is checked here: only the pattern of ids `start_run` makes, inside the runs folder)."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        return None
    root = root or runs_dir()
    folder = root / run_id
    return folder if folder.resolve().parent == root.resolve() else None


def read_run(folder: Path) -> Run | None:
    """A run folder -> Run, every file read once; None if it is no run (no run.json file).

    A run whose run.json or status.json cannot be read, or holds fields of the wrong type, is a
    Run all the same, in the state "damaged", so that a page can list it and go on.
    """
    if not (folder / RUN_FILE).is_file():  # a FIFO or a folder of that name would block or fail
        return None
    alive = _alive(folder)
    common = {
        "alive": alive,
        "owner": _read_text(folder / OWNER_FILE),
        "cancel_asked": (folder / CANCEL_FILE).exists(),
        "has_bundle": (folder / BUNDLE_DIR / MODEL_FILE).is_file(),
    }
    try:
        info = RunInfo.from_record(read_json(folder / RUN_FILE), folder.name)
        status = read_status(folder / STATUS_FILE) or Status()
    except FileNotFoundError:
        return None
    except ValueError as error:
        return Run(folder.name, folder, None, Status(), damaged=str(error)[:200], **common)
    return Run(folder.name, folder, info, status, **common)


def _read_text(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def list_runs(root: Path | None = None) -> list[Run]:
    """Every run in the runs folder, newest first."""
    root = root or runs_dir()
    try:
        folders = [run_folder(entry.name, root) for entry in root.iterdir()]
    except OSError:  # no runs folder yet, or one this server may not read
        return []
    folders = [folder for folder in folders if folder is not None and folder.is_dir()]
    runs = [read_run(folder) for folder in folders]
    return sorted((run for run in runs if run), key=lambda run: run.id, reverse=True)


def active_run(runs: list[Run]) -> Run | None:
    """The run in progress among `runs`, if any (one trains at a time)."""
    return next((run for run in runs if run.active), None)


def start_run(
    settings: RunSettings,
    data: str | None,
    root: Path | None = None,
    extra_npz: bytes | None = None,
    owner: str | None = None,
) -> Run:
    """Start the training command in the background for a new run folder; RunError if one is running.

    `data`: the mnist.npz to train on, or None for Keras' loader. `extra_npz`: an mnist-layout
    .npz (the app's export of saved drawings), kept in the run folder and added to the training set.
    `owner`: the visitor who starts it, the only one who sees, uses, cancels and deletes it.
    """
    settings.check()
    root = root or runs_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / ".lock", "w")
    except OSError as error:
        raise RunError(
            "Runs cannot be saved on this server right now (the folder for them cannot be written).",
            detail=f"{root}: {error}; set {RUNS_ENV_VAR} to a writable folder",
        ) from error
    with lock:
        # One start at a time, between this server's sessions (each opens the file anew, so
        # their flocks exclude each other) and between servers sharing the folder.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if active_run(list_runs(root)):
            raise RunError(
                "Another training run is in progress. This machine trains one model at a time: wait "
                "for it to finish."
            )
        created = datetime.now(UTC)
        run_id = f"{created:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        folder = root / run_id
        try:
            folder.mkdir()
            if extra_npz is not None:
                (folder / EXTRA_FILE).write_bytes(extra_npz)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise RunError(
                "The run could not be started: its folder could not be made.", detail=f"{folder}: {error}"
            ) from error
        if extra_npz is not None:
            settings = replace(settings, extra=str(folder / EXTRA_FILE))
        command = [sys.executable, "-m", "model.train", *settings.arguments()]
        if data:
            command += ["--data", str(data)]
        command += ["--out", str(folder / BUNDLE_DIR), "--progress", str(folder / STATUS_FILE)]
        info = {
            "id": run_id,
            "created": created.isoformat(timespec="seconds"),
            "settings": asdict(settings),
            "data": str(data) if data else "keras.datasets.mnist.load_data()",
            "command": command,
        }
        if shutil.which("nice"):
            command = ["nice", "-n", str(NICENESS), *command]
        try:
            with open(folder / LOG_FILE, "wb") as log:
                process = subprocess.Popen(
                    command,
                    cwd=PROJECT_DIR,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: cancel reaches it and only it
                    env={**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"},
                )
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise RunError(
                "The run could not be started: the training process did not start.", detail=str(error)
            ) from error
        threading.Thread(target=process.wait, daemon=True).start()  # reap it when it ends
        (folder / PID_FILE).write_text(str(process.pid))
        if owner:
            (folder / OWNER_FILE).write_text(owner)
        write_json(folder / RUN_FILE, info)  # last: a folder is listed as a run once it has a process
    return read_run(folder)


def cancel_run(run: Run, by: str | None) -> None:
    """Ask a run's training process to stop for the visitor `by`, who must have started it; it
    records "cancelled" and saves nothing."""
    if not run.owned_by(by):
        raise RunError("Only the visitor who started this run can cancel it.")
    (run.folder / CANCEL_FILE).touch()
    pid = _pid(run.folder)
    if pid is None or not _alive(run.folder):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def delete_run(run: Run, by: str | None) -> None:
    """Remove a finished, failed or cancelled run's folder, for the visitor `by` who started it."""
    if not run.owned_by(by):
        raise RunError("Only the visitor who started this run can delete it.")
    current = read_run(run.folder)
    if current and current.active:
        raise RunError("This run is still training: cancel it first.")
    shutil.rmtree(run.folder, ignore_errors=True)


def _pid(folder: Path) -> int | None:
    try:
        return int((folder / PID_FILE).read_text())
    except (OSError, ValueError):
        return None


def _alive(folder: Path) -> bool:
    """Is this run's training process still running (not finished, not a zombie)?"""
    pid = _pid(folder)
    if pid is None:
        return False
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (proc / "cmdline").read_bytes()
        except (OSError, IndexError):
            return False
        # A recycled pid runs something else; an empty command line is a process mid-exec.
        return state != "Z" and (not command or b"model.train" in command)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
