"""Classes: a teacher's class code, the pupils in it, and the drawings they give it.

A teacher starts a class and gets a short code (four characters without look-alikes, easy to
read aloud) and a secret: only a hash of the secret is kept, and only who has the secret sees
the class's board. A visitor (a browser) is in one class at a time, with an optional nickname.
Every drawing a pupil confirms or corrects is also given to the class: a copy of its own (the
pupil may delete theirs, the teacher the class's), in the same SQLite file as the drawings.
Ending a class removes its drawings, its members and the class itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from model.feedback import (
    DRAWING_COLUMNS,
    Drawing,
    FeedbackError,
    SqliteStore,
    drawing_from_row,
    drawing_values,
)
from model.runs import RunSettings

CLASS_DRAWINGS_COUNT = 300  # the class's drawings are repeated until they count about this many times
MAX_REPEAT = 50
CLASS_EPOCHS = 3  # the teacher's default; the model answering the class is trained further
CLASS_BATCH_SIZE = 128
CLASS_LEARNING_RATE = 0.0002  # a fifth of RMSprop's default: adjust what it knows, not start over

CODE_LETTERS = "ACDEFHJKMNPRTWXY3479"  # no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V look-alikes
CODE_LENGTH = 4  # 20^4 = 160,000 codes
NICKNAME_LENGTH = 20  # characters; no real names needed

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY,
    teacher TEXT NOT NULL,
    created TEXT NOT NULL,
    model_run TEXT,
    candidate_run TEXT
)""",
    """CREATE TABLE IF NOT EXISTS class_members (
    owner TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    nickname TEXT NOT NULL DEFAULT ''
)""",
    f"""CREATE TABLE IF NOT EXISTS class_drawings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    owner TEXT NOT NULL,
    nickname TEXT NOT NULL,{DRAWING_COLUMNS}
    drawing_key TEXT,
    UNIQUE (code, drawing_key)
)""",
    "CREATE INDEX IF NOT EXISTS class_drawings_by_code ON class_drawings (code, id)",
)


@dataclass(frozen=True)
class ClassDrawing(Drawing):
    """A drawing given to a class: whose it is (an owner id, never shown) and their nickname."""

    pupil: str = ""
    nickname: str = ""


KEPT_ASIDE_EVERY = 4  # every 4th pupil's drawings are kept aside to test the class's model
MIN_TRAINING_DIGITS = 10  # drawings of digits a class needs before its model can be trained


def split_by_pupil(drawings: list[ClassDrawing]) -> tuple[list[ClassDrawing], list[ClassDrawing]]:
    """The class's drawings of digits -> (to train on, kept aside to test on), split by pupil so that a
    pupil's own style is not both taught and tested: every 4th pupil, in the order they first saved,
    and at least one. With one pupil only, every 5th drawing is kept aside instead."""
    digits = sorted((d for d in drawings if d.is_digit), key=lambda d: d.id)
    pupils = list(dict.fromkeys(d.pupil for d in digits))
    if len(pupils) < 2:
        aside = {d.id for d in digits[4::5]}
    else:
        tested = set(pupils[KEPT_ASIDE_EVERY - 1 :: KEPT_ASIDE_EVERY]) or {pupils[-1]}
        aside = {d.id for d in digits if d.pupil in tested}
    return [d for d in digits if d.id not in aside], [d for d in digits if d.id in aside]


def class_repeat(train_count: int) -> int:
    """How many times each of `train_count` drawings is repeated to count about CLASS_DRAWINGS_COUNT."""
    return max(1, min(MAX_REPEAT, -(-CLASS_DRAWINGS_COUNT // max(train_count, 1))))


def class_run_settings(train_count: int, start_from: str, epochs: int = CLASS_EPOCHS) -> RunSettings:
    """How the class's own model is trained: the model answering the class (`start_from`, its
    model.keras) trained further on MNIST plus `train_count` drawings of the class, each repeated so
    that they count about CLASS_DRAWINGS_COUNT times, with augmentation, digits written with a pen
    (written as strokes, and real ones by 30 writers) and drawings that are no digit, at a small
    learning rate that decays to zero. (Trained
    from fresh weights in 5 epochs, as the Train page's defaults, it read the class's kept-aside
    drawings and MNIST worse than the app's model; trained further without the written digits, it
    forgot how real writers write: 97.17% of the real pen digits instead of the app model's 98.08%,
    with twice as many 7s read as 2. `python -m benchmarks.class_model`, `benchmarks.drawn_digits`.)"""
    return RunSettings(
        epochs=epochs,
        batch_size=CLASS_BATCH_SIZE,
        augment=True,
        outliers=True,
        written=True,
        extra_repeat=class_repeat(train_count),
        init=start_from,
        learning_rate=CLASS_LEARNING_RATE,
        lr_decay=True,
    )


@dataclass(frozen=True)
class Membership:
    code: str
    nickname: str
    model_run: str | None = None  # the run the teacher chose to answer the class, if any


def normal_code(text: str) -> str | None:
    """What someone typed as a class code -> the code, or None if it cannot be one."""
    code = "".join(str(text or "").split()).upper()
    if len(code) != CODE_LENGTH or any(letter not in CODE_LETTERS for letter in code):
        return None
    return code


def clean_nickname(text: str) -> str:
    """A nickname as typed -> one line of at most NICKNAME_LENGTH printable characters."""
    spaced = (" " if c.isspace() else c for c in str(text or ""))
    kept = "".join(c for c in spaced if unicodedata.category(c)[0] != "C")  # no controls or direction marks
    return " ".join(kept.split())[:NICKNAME_LENGTH]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ClassStore(SqliteStore):
    """The classes in the store at `path` (default: the drawings' file, `feedback_path()`)."""

    def _prepare(self, connection: sqlite3.Connection) -> None:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "class_drawings_by_code" not in tables:  # once: schema changes take the write lock
            for statement in SCHEMA:
                connection.execute(statement)

    # The class ----------------------------------------------------------------------------------

    def start(self) -> tuple[str, str]:
        """A new class: (its code, the teacher's secret). The secret is shown once, never stored."""
        secret = secrets.token_urlsafe(24)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        for _ in range(100):
            code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
            try:
                insert = "INSERT INTO classes (code, teacher, created) VALUES (?, ?, ?)"
                self._write(insert, (code, _hash(secret), created))
                return code, secret
            except FeedbackError as error:  # the code is taken: draw another
                if not isinstance(error.__cause__, sqlite3.IntegrityError):
                    raise
        raise RuntimeError("no free class code")

    def exists(self, code: str) -> bool:
        return bool(self._read("SELECT 1 FROM classes WHERE code = ?", (code,)))

    def is_teacher(self, code: str, secret: str | None) -> bool:
        """Does `secret` open the board of class `code`?"""
        if not secret:
            return False
        rows = self._read("SELECT teacher FROM classes WHERE code = ?", (code,))
        return bool(rows) and hmac.compare_digest(rows[0][0], _hash(secret))

    def end(self, code: str) -> None:
        """The class, its drawings and its members are removed, in one transaction."""
        with self._transaction() as connection:
            for table in ("class_drawings", "class_members", "classes"):
                connection.execute(f"DELETE FROM {table} WHERE code = ?", (code,))

    # The class's own model ---------------------------------------------------------------------

    def models(self, code: str) -> tuple[str | None, str | None]:
        """(the run answering the class, or None: the app's model; the run last trained for it)."""
        rows = self._read("SELECT model_run, candidate_run FROM classes WHERE code = ?", (code,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    def train_candidate(self, code: str, run_id: str) -> None:
        self._write("UPDATE classes SET candidate_run = ? WHERE code = ?", (run_id, code))

    def use_model(self, code: str, run_id: str | None) -> None:
        """From now on `run_id` (None: the app's model) answers every pupil of the class."""
        self._write("UPDATE classes SET model_run = ? WHERE code = ?", (run_id, code))

    # Pupils -------------------------------------------------------------------------------------

    def join(self, owner: str, code: str, nickname: str = "") -> bool:
        """The visitor `owner` joins class `code` (leaving any other); False if there is no such class."""
        if not self.exists(code):
            return False
        self._write(
            "INSERT INTO class_members (owner, code, nickname) VALUES (?, ?, ?)"
            " ON CONFLICT (owner) DO UPDATE SET code = excluded.code, nickname = excluded.nickname",
            (owner, code, clean_nickname(nickname)),
        )
        return True

    def leave(self, owner: str) -> None:
        self._write("DELETE FROM class_members WHERE owner = ?", (owner,))

    def membership(self, owner: str) -> Membership | None:
        """The class the visitor is in, if it still exists."""
        rows = self._read(
            "SELECT m.code, m.nickname, c.model_run FROM class_members m JOIN classes c ON c.code = m.code"
            " WHERE m.owner = ?",
            (owner,),
        )
        return Membership(*rows[0]) if rows else None

    # Drawings -----------------------------------------------------------------------------------

    def add(
        self,
        code: str,
        owner: str,
        nickname: str,
        image: np.ndarray,
        label: int,
        predicted: int,
        probabilities,
        model_id: str,
        key: str | None = None,
    ) -> int | None:
        """Give one drawing to the class; the same drawing (`key`) of the same pupil only takes the new
        label. Returns its id, or None when the class has ended meanwhile."""
        row = (
            code,
            owner,
            clean_nickname(nickname),
            *drawing_values(image, label, predicted, probabilities, model_id),
            None if key is None else f"{owner}:{key}",
        )
        with self._transaction() as connection:
            if not connection.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                return None
            (saved,) = connection.execute(
                "INSERT INTO class_drawings (code, owner, nickname, created, model_id, predicted, label,"
                " probabilities, digit, drawing_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (code, drawing_key) DO UPDATE SET label = excluded.label RETURNING id",
                row,
            ).fetchone()
            return int(saved)

    def drawings(self, code: str) -> list[ClassDrawing]:
        """The class's drawings that can be read, newest first (a damaged row is left out)."""
        rows = self._read(
            "SELECT id, created, model_id, predicted, label, probabilities, digit, owner, nickname"
            " FROM class_drawings WHERE code = ? ORDER BY id DESC",
            (code,),
        )
        found = []
        for row in rows:
            drawing = drawing_from_row(row[:7])
            if drawing is not None and isinstance(row[7], str) and isinstance(row[8], str):
                found.append(ClassDrawing(*vars(drawing).values(), pupil=row[7], nickname=row[8]))
        return found

    def delete(self, code: str, drawing_id: int) -> bool:
        """Remove one drawing from the class (the pupil's own copy stays theirs)."""
        cursor = self._write("DELETE FROM class_drawings WHERE id = ? AND code = ?", (int(drawing_id), code))
        return cursor.rowcount == 1
