"""The feedback store: drawings people confirmed or corrected, kept in SQLite for later training.

Each row holds the 28x28 image the model saw (in the column `digit`, named so since the first
stores), the canvas as PNG, what the app answered and what the drawing really is (a digit 0-9,
or `NOT_A_DIGIT`), the probabilities, which model answered, when, and whose it is. A store
object is bound to one owner (a visitor of the app): everything it saves is theirs, and it reads,
finds, deletes and exports their drawings only. Rows saved before drawings had owners belong to
nobody and are shown to no one. Every call opens its own connection (SQLite serialises writers;
WAL lets readers go on meanwhile), so browser sessions and threads can submit at once without
losing rows.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from model.constants import IMAGE_SIDE, NOT_A_DIGIT, NUM_CLASSES, PACKAGE_DIR
from model.errors import Explained

FEEDBACK_ENV_VAR = "DIGITS_FEEDBACK_DB"
DEFAULT_FEEDBACK_DB = PACKAGE_DIR.parent / "data" / "feedback.sqlite"  # data/ is git-ignored
BUSY_TIMEOUT_S = 10.0  # how long a writer waits for another before reporting the store busy
WAL_TRIES = 100  # 5 s of retries for the switch to WAL (see _use_wal)
TEST_EVERY = 5  # export: every 5th drawing goes to the test split, the rest to training

DRAWING_COLUMNS = """
    created TEXT NOT NULL,
    model_id TEXT NOT NULL,
    predicted INTEGER NOT NULL CHECK (predicted BETWEEN 0 AND 10),
    label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 10),
    probabilities TEXT NOT NULL,
    digit BLOB NOT NULL,"""  # what every stored drawing has (`drawing_values`), here and in a class's
COLUMNS = f"""(
    id INTEGER PRIMARY KEY AUTOINCREMENT,{DRAWING_COLUMNS}
    canvas_png BLOB,
    drawing_key TEXT,
    owner TEXT
)"""
SCHEMA = f"CREATE TABLE IF NOT EXISTS drawings {COLUMNS}"
COLUMN_NAMES = "id, created, model_id, predicted, label, probabilities, digit, canvas_png, drawing_key, owner"
# Stores made before "not a digit" only took labels 0-9; SQLite cannot change a CHECK, so the
# table is rebuilt once (same rows and ids).
NARROW_LABELS = "label BETWEEN 0 AND 9"
# Stores made before drawing_key or owner existed get the column on first use. One drawing (one
# owner's key) is one row, however often it is submitted; rows without a key are never merged.
NEW_COLUMNS = {
    "drawing_key": "ALTER TABLE drawings ADD COLUMN drawing_key TEXT",
    "owner": "ALTER TABLE drawings ADD COLUMN owner TEXT",
}
INDEXES = {
    "drawings_by_key": "CREATE UNIQUE INDEX IF NOT EXISTS drawings_by_key ON drawings (drawing_key)",
    "drawings_by_owner": "CREATE INDEX IF NOT EXISTS drawings_by_owner ON drawings (owner, id)",
}


class FeedbackError(Explained):
    """The store cannot be used; `kind` says why: busy, damaged, read-only or other."""

    def __init__(self, template: str, *, kind: str = "other", **values):
        super().__init__(template, **values)
        self.kind = kind

    def __reduce__(self):
        return _rebuild_feedback_error, (self.template, self.values, self.detail, self.kind)


def _rebuild_feedback_error(template: str, values: dict, detail: str | None, kind: str) -> FeedbackError:
    return FeedbackError(template, detail=detail, kind=kind, **values)


@dataclass(frozen=True)
class Drawing:
    id: int
    created: str
    model_id: str
    predicted: int
    label: int
    probabilities: list[float]
    image: np.ndarray  # (28, 28) uint8: the input the model saw

    @property
    def is_digit(self) -> bool:
        return self.label != NOT_A_DIGIT


def feedback_path() -> Path:
    return Path(os.environ.get(FEEDBACK_ENV_VAR) or DEFAULT_FEEDBACK_DB)


class SqliteStore:
    """The SQLite file at `path` (default: `feedback_path()`): connections that create what they need
    (`_prepare`), read even where nothing may be written, and errors a visitor may read."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else feedback_path()

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Create or update this store's tables (runs on every writing connection)."""

    def _connect(self) -> sqlite3.Connection:
        """A connection that may write (creating the file and tables if need be)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
            _use_wal(connection)
            self._prepare(connection)
            return connection
        except (sqlite3.Error, OSError) as error:
            raise self._explain(error) from error

    def _reader(self) -> sqlite3.Connection | None:
        """A connection to read with, also where writing is impossible; None if there is no store yet."""
        if not self.path.exists():
            return None
        try:
            return self._connect()
        except FeedbackError as error:
            if error.kind != "read-only":
                raise
        # The file or its folder cannot be written: read it as it is. A WAL store whose folder
        # is read-only cannot get its shared-memory file, hence immutable (nothing else writes).
        for options in ("mode=ro", "immutable=1"):
            try:
                connection = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?{options}", uri=True, timeout=BUSY_TIMEOUT_S
                )
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return connection
            except sqlite3.Error as error:
                last = error
        raise self._explain(last) from last

    def _explain(self, error: Exception) -> FeedbackError:
        """What a visitor reads (no path, no variable); the rest is the detail, for the server's log."""
        text = str(error)
        where = f"{self.path}: {text}"
        if "locked" in text or "busy" in text:
            return FeedbackError(
                "The saved drawings are busy (another program is using them); try again in a moment.",
                kind="busy",
                detail=where,
            )
        if "not a database" in text or "malformed" in text:
            return FeedbackError(
                "The saved drawings are damaged, so none can be saved or shown. The person running the "
                "app finds what to do in its log.",
                kind="damaged",
                detail=f"{where}; move the file aside and a new store will be started",
            )
        if (
            "readonly" in text
            or "read-only" in text
            or isinstance(error, PermissionError)
            or "unable to open" in text
        ):
            return FeedbackError(
                "Drawings cannot be saved on this server right now (its store is read-only); those "
                "already saved can still be seen.",
                kind="read-only",
                detail=f"{where}; make the file and its folder writable, or set {FEEDBACK_ENV_VAR} to a "
                "file in a writable folder",
            )
        return FeedbackError("The saved drawings cannot be used right now.", detail=where)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A writing connection, committed when the block ends (rolled back if it raises); SQLite's
        errors become errors a visitor may read."""
        try:
            with closing(self._connect()) as connection, connection:
                yield connection
        except sqlite3.Error as error:
            raise self._explain(error) from error

    def _write(self, query: str, parameters: tuple = ()) -> sqlite3.Cursor:
        with self._transaction() as connection:
            return connection.execute(query, parameters)

    def _read(self, query: str, parameters: tuple = ()) -> list[tuple]:
        """The rows a query returns; [] while nothing has been saved (no file yet)."""
        try:
            connection = self._reader()
            if connection is None:
                return []
            with closing(connection):
                return connection.execute(query, parameters).fetchall()
        except sqlite3.Error as error:
            if "no such column: owner" in str(error):
                return []  # a read-only store from before owners: it holds nobody's drawings
            raise self._explain(error) from error


class FeedbackStore(SqliteStore):
    """One owner's drawings in the store at `path` (default: `feedback_path()`)."""

    def __init__(self, path: str | os.PathLike | None = None, *, owner: str):
        if not owner:
            raise ValueError("a feedback store is opened for an owner")
        super().__init__(path)
        self.owner = owner

    def _prepare(self, connection: sqlite3.Connection) -> None:
        connection.execute(SCHEMA)
        # Schema changes take the write lock: only when needed, or concurrent writers queue up on them.
        columns = {row[1] for row in connection.execute("PRAGMA table_info(drawings)")}
        for column, statement in NEW_COLUMNS.items():
            if column not in columns:
                connection.execute(statement)
        if NARROW_LABELS in _table_sql(connection):
            _widen_labels(connection)
        indexes = connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        indexed = {row[0] for row in indexes}
        for index, statement in INDEXES.items():
            if index not in indexed:
                connection.execute(statement)

    def add(
        self,
        image: np.ndarray,
        label: int,  # what the drawing is: 0-9, or NOT_A_DIGIT
        predicted: int,  # what the app answered: 0-9, or NOT_A_DIGIT
        probabilities,
        model_id: str,
        canvas_png: bytes | None,
        key: str | None = None,
    ) -> int:
        """Store one drawing: (28, 28) float in [0, 1] as shown to the model, and its true label.

        `key` names the drawing (for example a hash of the canvas): a drawing this owner already
        stored under that key keeps its row and only takes the new label (another owner's drawing
        under the same key is another row). Returns the row's id.
        """
        row = (
            *drawing_values(image, label, predicted, probabilities, model_id),
            canvas_png,
            self._key(key),
            self.owner,
        )
        with self._transaction() as connection:
            (saved,) = connection.execute(
                "INSERT INTO drawings (created, model_id, predicted, label, probabilities, digit,"
                " canvas_png, drawing_key, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (drawing_key) DO UPDATE SET label = excluded.label RETURNING id",
                row,
            ).fetchone()
            return int(saved)

    def _key(self, key: str | None) -> str | None:
        """The stored key: the owner's, so that two owners' equal drawings never share a row."""
        return None if key is None else f"{self.owner}:{key}"

    def find(self, key: str) -> tuple[int, int] | None:
        """(id, label) of this owner's drawing stored under `key`, or None."""
        rows = self._read("SELECT id, label FROM drawings WHERE drawing_key = ?", (self._key(key),))
        return (int(rows[0][0]), int(rows[0][1])) if rows else None

    def delete(self, drawing_id: int) -> bool:
        """Remove one of this owner's drawings; False if they have none with that id."""
        query = "DELETE FROM drawings WHERE id = ? AND owner = ?"
        return self._write(query, (int(drawing_id), self.owner)).rowcount == 1

    def drawings(self, newest_first: bool = True) -> list[Drawing]:
        """This owner's drawings that can be read, newest first; see `damaged()` for the others."""
        return self.read(newest_first)[0]

    def damaged(self) -> list[int]:
        """The ids of this owner's rows that cannot be read as drawings (changed by another program)."""
        return self.read()[1]

    def read(self, newest_first: bool = True) -> tuple[list[Drawing], list[int]]:
        """(the drawings, the ids of damaged rows): one damaged row does not hide the others."""
        order = "DESC" if newest_first else "ASC"
        rows = self._read(
            "SELECT id, created, model_id, predicted, label, probabilities, digit FROM drawings"
            f" WHERE owner = ? ORDER BY id {order}",
            (self.owner,),
        )
        drawings, damaged = [], []
        for row in rows:
            drawing = drawing_from_row(row)
            if drawing is None:
                damaged.append(row[0])
            else:
                drawings.append(drawing)
        return drawings, damaged

    def canvas_png(self, drawing_id: int) -> bytes | None:
        rows = self._read(
            "SELECT canvas_png FROM drawings WHERE id = ? AND owner = ?", (drawing_id, self.owner)
        )
        return rows[0][0] if rows else None


def drawing_values(image, label: int, predicted: int, probabilities, model_id: str) -> tuple:
    """A drawing as the stores keep it, in DRAWING_COLUMNS' order (the 28x28 image as 784 bytes, the
    probabilities as JSON). ValueError for an image of another shape, or a label or answer that is
    neither a digit nor NOT_A_DIGIT."""
    image = np.asarray(image)
    if image.shape != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"expected a (28, 28) image, got {image.shape}")
    for name, value in (("label", label), ("predicted", predicted)):
        if not 0 <= int(value) <= NOT_A_DIGIT:
            raise ValueError(f"{name} must be a digit 0-9 or {NOT_A_DIGIT} (not a digit), got {value}")
    pixels = np.round(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
    return (
        datetime.now(UTC).isoformat(timespec="seconds"),
        model_id,
        int(predicted),
        int(label),
        json.dumps([round(float(p), 6) for p in probabilities]),
        pixels.tobytes(),
    )


def drawing_from_row(row: tuple) -> Drawing | None:
    """A row -> Drawing, or None when a field is not what the store writes."""
    drawing_id, created, model_id, predicted, label, probabilities, image = row
    try:
        probabilities = json.loads(probabilities)
    except (TypeError, ValueError):
        return None
    if not (
        isinstance(image, bytes)
        and len(image) == IMAGE_SIDE * IMAGE_SIDE
        and isinstance(created, str)
        and isinstance(model_id, str)
        and all(isinstance(v, int) and 0 <= v <= NOT_A_DIGIT for v in (predicted, label))
        and isinstance(probabilities, list)
        and len(probabilities) in (0, NUM_CLASSES)  # the first stores could save none
        and all(isinstance(p, (int, float)) for p in probabilities)
    ):
        return None
    pixels = np.frombuffer(image, dtype=np.uint8).reshape(IMAGE_SIDE, IMAGE_SIDE)
    return Drawing(drawing_id, created, model_id, predicted, label, probabilities, pixels)


def _table_sql(connection: sqlite3.Connection) -> str:
    row = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'drawings'"
    ).fetchone()
    return row[0] if row else ""


def _widen_labels(connection: sqlite3.Connection) -> None:
    """Rebuild a store made when labels were 0-9 only, so that it takes NOT_A_DIGIT: same rows, same ids,
    and no id handed out before is handed out again. One transaction: all or nothing."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        if NARROW_LABELS in _table_sql(connection):  # not done meanwhile by another connection
            (last,) = connection.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'drawings'"
            ).fetchone() or (0,)
            connection.execute(f"CREATE TABLE drawings_widened {COLUMNS}")
            connection.execute(
                f"INSERT INTO drawings_widened ({COLUMN_NAMES}) SELECT {COLUMN_NAMES} FROM drawings"
            )
            connection.execute("DROP TABLE drawings")
            connection.execute("ALTER TABLE drawings_widened RENAME TO drawings")
            connection.execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'drawings'", (int(last),)
            )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch a store to write-ahead logging, once. Reading the mode waits for other writers like
    any read (and reports a store held by another program as busy); the switch itself takes an
    exclusive lock without waiting for it, so connections opening a brand-new store at once retry
    it briefly."""
    if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    for attempt in range(WAL_TRIES):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_TRIES - 1:
                raise
            time.sleep(0.05)


def summary(drawings: list[Drawing]) -> dict:
    """Count, how often the app answered right, and the 11x11 confusion (rows = what the drawing is,
    columns = what the app answered; the last row and column: not a digit)."""
    matrix = np.zeros((NOT_A_DIGIT + 1, NOT_A_DIGIT + 1), dtype=np.int64)
    for drawing in drawings:
        matrix[drawing.label, drawing.predicted] += 1
    count = len(drawings)
    return {
        "count": count,
        "accuracy": float(np.trace(matrix) / count) if count else None,
        "confusion_matrix": matrix,
    }


def exportable(drawings: list[Drawing]) -> list[Drawing]:
    """The drawings an export holds: the digits (those marked "not a digit" have no digit to teach)."""
    return [d for d in drawings if d.is_digit]


def export_npz(drawings: list[Drawing]) -> bytes:
    """The digits among the drawings -> an .npz in mnist.npz's layout (x_* uint8 (n, 28, 28), y_* uint8);
    every 5th is test. Drawings marked "not a digit" are left out (`exportable`).

    Usable with `python -m model.train --data` once there are at least two digits.
    """
    drawings = exportable(drawings)
    if len(drawings) < 2:
        raise ValueError("At least two drawings of digits are needed: one for training, one for testing.")
    ordered = sorted(drawings, key=lambda d: d.id)
    test = np.arange(len(ordered)) % TEST_EVERY == TEST_EVERY - 1
    if not test.any():
        test[-1] = True
    return npz_of([d for d, t in zip(ordered, test) if not t], [d for d, t in zip(ordered, test) if t])


def npz_of(train: list[Drawing], test: list[Drawing]) -> bytes:
    """Two lists of drawings of digits -> an .npz in mnist.npz's layout: x_train, y_train, x_test, y_test."""

    def arrays(drawings):
        images = np.stack([d.image for d in drawings]) if drawings else np.zeros((0, IMAGE_SIDE, IMAGE_SIDE))
        return images.astype(np.uint8), np.array([d.label for d in drawings], dtype=np.uint8)

    (x_train, y_train), (x_test, y_test) = arrays(train), arrays(test)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return buffer.getvalue()
