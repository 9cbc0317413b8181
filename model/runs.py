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
        owner         the id of the browser session that may cancel it (rewritten when it reloads)
        cancel        present once someone asked the run to stop
        extra.npz     the saved drawings added to the training images, if asked for
        bundle/       the finished model bundle, same format as `python -m model.train` writes;
                      it only appears, complete, when the run succeeds (written atomically)
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from model.bundle import read_json, write_json
from model.constants import MODEL_FILE, PROJECT_DIR
from model.errors import Explained
from model.progress import ACTIVE_STATES, read_status

RUNS_ENV_VAR = "DIGITS_RUNS"  # where the app keeps its training runs
DEFAULT_RUNS_DIR = PROJECT_DIR / "runs"  # git-ignored
MAX_EPOCHS = 20  # a run in the app takes at most a few minutes on a laptop CPU
BATCH_SIZES = (32, 64, 128, 256)  # 32 is the tutorial's; larger batches train faster per epoch
NICENESS = 10  # training yields the CPU to the web server, so drawings keep getting answers
RUN_FILE, PID_FILE, STATUS_FILE, LOG_FILE, CANCEL_FILE, BUNDLE_DIR, OWNER_FILE = (
    "run.json", "pid", "status.json", "train.log", "cancel", "bundle", "owner",
)
EXTRA_FILE = "extra.npz"  # the saved drawings a run added to MNIST, kept with the run


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

    def check(self) -> None:
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise RunError("Epochs must be between 1 and {most}, got {epochs}.", most=MAX_EPOCHS, epochs=self.epochs)
        if self.batch_size not in BATCH_SIZES:
            raise RunError("Batch size must be one of {sizes}, got {size}.", sizes=BATCH_SIZES, size=self.batch_size)
        if self.limit is not None and self.limit < 1:
            raise RunError("The training-image limit must be at least 1, got {limit}.", limit=self.limit)

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
        return args


@dataclass(frozen=True)
class Run:
    """One run folder, read at one moment."""

    id: str
    folder: Path
    info: dict  # run.json
    status: dict  # status.json, or {} before the training process has written it
    alive: bool  # its training process is still running

    @property
    def state(self) -> str:
        """starting/loading/preparing/training/evaluating/saving, or done/failed/cancelled/interrupted."""
        state = self.status.get("state", "starting")
        if state in ACTIVE_STATES and not self.alive:
            return "cancelled" if (self.folder / CANCEL_FILE).exists() else "interrupted"
        return state

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def state_text(self) -> str:
        """The state in words, the same wherever a run is shown."""
        return "in progress" if self.active else self.state

    @property
    def owner(self) -> str | None:
        """The id of the browser session that started (or since claimed) the run, if any."""
        try:
            return (self.folder / OWNER_FILE).read_text().strip() or None
        except OSError:
            return None

    @property
    def bundle(self) -> Path:
        return self.folder / BUNDLE_DIR

    @property
    def usable(self) -> bool:
        return self.state == "done" and (self.bundle / MODEL_FILE).is_file()

    @property
    def settings(self) -> dict:
        return self.info.get("settings", {})

    @property
    def test_accuracy(self) -> float | None:
        return self.status.get("test_accuracy")

    @property
    def label(self) -> str:
        """A short name for lists: when, and the main settings."""
        when = self.info.get("created", self.id)[:16].replace("T", " ") + " UTC"
        s = self.settings
        epochs = s.get("epochs")
        parts = [f"{epochs} epoch{'' if epochs == 1 else 's'}", f"batch {s.get('batch_size')}"]
        if s.get("augment"):
            parts.append("augmented")
        if s.get("limit"):
            parts.append(f"{s['limit']:,} images")
        if s.get("extra"):
            parts.append("+ your drawings")
        return f"{when} · {', '.join(parts)}"


def runs_dir() -> Path:
    return Path(os.environ.get(RUNS_ENV_VAR) or DEFAULT_RUNS_DIR)


def read_run(folder: Path) -> Run | None:
    """A run folder -> Run, or None if it is not one (no readable run.json)."""
    try:
        info = read_json(folder / RUN_FILE)
    except (FileNotFoundError, ValueError):
        return None
    return Run(folder.name, folder, info, read_status(folder / STATUS_FILE) or {}, _alive(folder))


def list_runs(root: Path | None = None) -> list[Run]:
    """Every run in the runs folder, newest first."""
    root = root or runs_dir()
    try:
        folders = [folder for folder in root.iterdir() if folder.is_dir() and not folder.name.startswith(".")]
    except OSError:  # no runs folder yet, or one this server may not read
        return []
    runs = [read_run(folder) for folder in folders]
    return sorted((run for run in runs if run), key=lambda run: run.id, reverse=True)


def active_run(root: Path | None = None) -> Run | None:
    return next((run for run in list_runs(root) if run.active), None)


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
    `owner`: the browser session that started it, recorded in run.json.
    """
    settings.check()
    root = root or runs_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / ".lock", "w")
    except OSError as error:
        raise RunError(
            "Cannot use the runs folder {folder}: {error}. Set {variable} to a writable folder.",
            folder=root,
            error=error,
            variable=RUNS_ENV_VAR,
        ) from error
    with lock:
        # One start at a time, between this server's sessions (each opens the file anew, so
        # their flocks exclude each other) and between servers sharing the folder.
        fcntl.flock(lock, fcntl.LOCK_EX)
        running = active_run(root)
        if running:
            raise RunError(
                "Another training run is in progress ({run}). This machine trains one model at a "
                "time: wait for it to finish, or cancel it.",
                run=running.label,
            )
        created = datetime.now(timezone.utc)
        run_id = f"{created:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        folder = root / run_id
        try:
            folder.mkdir()
            if extra_npz is not None:
                (folder / EXTRA_FILE).write_bytes(extra_npz)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise RunError("Cannot create the run folder {folder}: {error}", folder=folder, error=error) from error
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
            raise RunError("Could not start the training process: {error}", error=error) from error
        threading.Thread(target=process.wait, daemon=True).start()  # reap it when it ends
        (folder / PID_FILE).write_text(str(process.pid))
        if owner:
            (folder / OWNER_FILE).write_text(owner)
        write_json(folder / RUN_FILE, info)  # last: a folder is listed as a run once it has a process
    return read_run(folder)


def claim_run(run: Run, owner: str) -> None:
    """Make `owner` (a browser session) the one that started the run, e.g. after its page reloads."""
    temporary = run.folder / f".{OWNER_FILE}.{owner}"
    try:
        temporary.write_text(owner)
        temporary.replace(run.folder / OWNER_FILE)
    except OSError as error:
        raise RunError("Cannot update {path}: {error}", path=run.folder / OWNER_FILE, error=error) from error


def cancel_run(run: Run) -> None:
    """Ask a run's training process to stop; it records "cancelled" and saves nothing."""
    (run.folder / CANCEL_FILE).touch()
    pid = _pid(run.folder)
    if pid is None or not _alive(run.folder):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


def delete_run(run: Run) -> None:
    """Remove a finished, failed or cancelled run's folder."""
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
