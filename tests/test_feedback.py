"""The feedback store: round trip, concurrent submits, export, damaged files."""

import io
import os
import subprocess
import threading
from contextlib import contextmanager

import numpy as np
import pytest

from model.constants import NOT_A_DIGIT
from model.data import load_mnist
from model.feedback import FeedbackError, FeedbackStore, export_npz, summary

OWNER, OTHER = "a" * 32, "b" * 32  # two visitors' owner ids


def digit(value=0.5):
    image = np.zeros((28, 28), dtype=np.float32)
    image[4:24, 13:15] = value
    return image


def test_round_trip_keeps_everything(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    probabilities = np.full(10, 0.1)
    new_id = store.add(
        digit(1.0), label=1, predicted=7, probabilities=probabilities, model_id="m1", canvas_png=b"PNG"
    )
    [saved] = store.drawings()
    assert saved.id == new_id and saved.label == 1 and saved.predicted == 7 and saved.model_id == "m1"
    assert saved.probabilities == pytest.approx([0.1] * 10)
    assert saved.image.dtype == np.uint8 and saved.image[10, 13] == 255 and saved.image[0, 0] == 0
    assert saved.created.endswith("+00:00")
    assert store.canvas_png(new_id) == b"PNG"


def test_bad_records_are_refused(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    with pytest.raises(ValueError, match="digit 0-9"):
        store.add(digit(), label=11, predicted=1, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    with pytest.raises(ValueError, match="digit 0-9"):
        store.add(digit(), label=-1, predicted=1, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        store.add(
            np.zeros((27, 28)), label=1, predicted=1, probabilities=[0.1] * 10, model_id="m", canvas_png=None
        )
    assert store.drawings() == []


def test_concurrent_submits_lose_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    errors = []

    def submit(worker):
        try:
            for n in range(25):
                store.add(
                    digit(),
                    label=(worker + n) % 10,
                    predicted=n % 10,
                    probabilities=[0.1] * 10,
                    model_id=f"w{worker}",
                    canvas_png=b"x" * 1000,
                )
        except Exception as error:  # collected: a thread's exception would otherwise be lost
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    saved = store.drawings()
    assert len(saved) == 200 and len({d.id for d in saved}) == 200


def test_summary_counts_accuracy_and_confusion(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    for label, predicted in [(1, 1), (7, 1), (7, 7), (3, 3)]:
        store.add(
            digit(), label=label, predicted=predicted, probabilities=[0.1] * 10, model_id="m", canvas_png=None
        )
    result = summary(store.drawings())
    assert result["count"] == 4 and result["accuracy"] == 0.75
    assert result["confusion_matrix"][7, 1] == 1 and result["confusion_matrix"].sum() == 4
    assert summary([])["accuracy"] is None


def test_not_a_digit_is_kept_counted_and_left_out_of_the_export(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    save = {"probabilities": [0.1] * 10, "model_id": "m", "canvas_png": None}
    store.add(digit(), label=NOT_A_DIGIT, predicted=0, **save)  # a smiley the app read as 0
    store.add(digit(), label=NOT_A_DIGIT, predicted=NOT_A_DIGIT, **save)  # a heart it said was none
    store.add(digit(), label=3, predicted=NOT_A_DIGIT, **save)  # a 3 it took for no digit
    for n in (1, 2):
        store.add(digit(), label=n, predicted=n, **save)
    drawings = store.drawings()
    assert [d.is_digit for d in drawings] == [True, True, True, False, False]
    result = summary(drawings)
    assert result["count"] == 5 and result["accuracy"] == 0.6
    matrix = result["confusion_matrix"]
    assert matrix.shape == (11, 11) and matrix[NOT_A_DIGIT, 0] == 1 and matrix[3, NOT_A_DIGIT] == 1
    path = tmp_path / "mine.npz"
    path.write_bytes(export_npz(drawings))
    (_, y_train), (_, y_test) = load_mnist(path)
    assert sorted(y_train.tolist() + y_test.tolist()) == [1, 2, 3]
    with pytest.raises(ValueError, match="two drawings of digits"):
        export_npz([d for d in drawings if d.label in (NOT_A_DIGIT, 1)])


def test_a_store_that_took_digits_only_is_widened_keeping_rows_and_ids(tmp_path):
    import sqlite3

    path = tmp_path / "digits-only.sqlite"
    with sqlite3.connect(path) as old:  # the schema before "not a digit": labels 0-9
        old.execute(
            "CREATE TABLE drawings (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,"
            " model_id TEXT NOT NULL, predicted INTEGER NOT NULL CHECK (predicted BETWEEN 0 AND 9),"
            " label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9), probabilities TEXT NOT NULL,"
            " digit BLOB NOT NULL, canvas_png BLOB, drawing_key TEXT, owner TEXT)"
        )
        for n in (1, 2, 3):
            old.execute(
                "INSERT INTO drawings VALUES (?, 'now', 'm', ?, ?, '[]', ?, NULL, ?, ?)",
                (n, n, n, bytes(784), f"{OWNER}:k{n}", OWNER),
            )
        old.execute("DELETE FROM drawings WHERE id = 3")  # id 3 was handed out: never again
    store = FeedbackStore(path, owner=OWNER)
    assert [d.id for d in store.drawings()] == [2, 1]
    added = store.add(
        digit(),
        label=NOT_A_DIGIT,
        predicted=4,
        probabilities=[0.1] * 10,
        model_id="m",
        canvas_png=None,
        key="k1",
    )
    assert added == 1 and store.drawings()[1].label == NOT_A_DIGIT  # the same drawing, now "not a digit"
    new = store.add(digit(), label=5, predicted=5, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    assert new > 3
    assert store.find("k2") == (2, 2)


def test_export_is_an_mnist_npz_the_loader_accepts(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    for n in range(10):
        store.add(digit(), label=n, predicted=n, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    path = tmp_path / "mine.npz"
    path.write_bytes(export_npz(store.drawings()))
    (x_train, y_train), (x_test, y_test) = load_mnist(path)
    assert x_train.shape == (8, 28, 28) and x_test.shape == (2, 28, 28) and x_train.dtype == np.uint8
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(10))
    with pytest.raises(ValueError, match="two drawings"):
        export_npz(store.drawings()[:1])


def test_damaged_store_gives_a_clear_error(tmp_path):
    path = tmp_path / "f.sqlite"
    path.write_bytes(b"this is not an sqlite database at all" * 100)
    with pytest.raises(FeedbackError, match="damaged.*move the file aside"):
        FeedbackStore(path, owner=OWNER).drawings()


def test_locked_store_reports_busy(tmp_path, monkeypatch):
    import sqlite3

    from model import feedback

    monkeypatch.setattr(feedback, "BUSY_TIMEOUT_S", 0.1)
    path = tmp_path / "f.sqlite"
    store = FeedbackStore(path, owner=OWNER)
    store.drawings()  # create it
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackError, match="busy"):
            store.add(digit(), label=1, predicted=1, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    finally:
        holder.rollback()
        holder.close()


def test_the_same_drawing_is_stored_once_and_a_correction_relabels_it(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    first = store.add(
        digit(), label=2, predicted=2, probabilities=[0.1] * 10, model_id="m", canvas_png=b"PNG", key="k1"
    )
    again = store.add(
        digit(), label=2, predicted=2, probabilities=[0.1] * 10, model_id="m", canvas_png=b"PNG", key="k1"
    )
    assert again == first and len(store.drawings()) == 1 and store.find("k1") == (first, 2)
    corrected = store.add(
        digit(), label=7, predicted=2, probabilities=[0.1] * 10, model_id="m", canvas_png=b"PNG", key="k1"
    )
    assert corrected == first and [d.label for d in store.drawings()] == [7]
    other = store.add(
        digit(), label=7, predicted=2, probabilities=[0.1] * 10, model_id="m", canvas_png=b"PNG", key="k2"
    )
    assert other != first and len(store.drawings()) == 2 and store.find("nope") is None


def test_a_store_made_before_keys_and_owners_gains_them_and_keeps_its_rows_for_nobody(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:  # the schema of the first release, without drawing_key
        old.execute(
            "CREATE TABLE drawings (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,"
            " model_id TEXT NOT NULL, predicted INTEGER NOT NULL, label INTEGER NOT NULL,"
            " probabilities TEXT NOT NULL, digit BLOB NOT NULL, canvas_png BLOB)"
        )
        old.execute("INSERT INTO drawings VALUES (1, 'now', 'm', 3, 3, '[]', ?, NULL)", (bytes(784),))
    store = FeedbackStore(path, owner=OWNER)
    assert store.drawings() == []  # saved before drawings had owners: nobody's, shown to no one
    store.add(digit(), label=4, predicted=4, probabilities=[0.1] * 10, model_id="m", canvas_png=None, key="k")
    store.add(digit(), label=4, predicted=4, probabilities=[0.1] * 10, model_id="m", canvas_png=None, key="k")
    assert len(store.drawings()) == 1 and not store.delete(1)
    with sqlite3.connect(path) as kept:
        assert kept.execute("SELECT id, owner FROM drawings ORDER BY id").fetchall() == [
            (1, None),
            (2, OWNER),
        ]


def test_a_drawing_can_be_deleted(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite", owner=OWNER)
    ids = [
        store.add(digit(), label=n, predicted=n, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
        for n in range(3)
    ]
    assert store.delete(ids[1]) and not store.delete(ids[1])
    assert [d.id for d in store.drawings(newest_first=False)] == [ids[0], ids[2]]


@contextmanager
def read_only(folder):
    """Make a folder and its files unwritable, also for root (immutable attribute); undo after."""
    paths = [folder, *folder.iterdir()]
    for path in paths:
        os.chmod(path, path.stat().st_mode & ~0o222)
    immutable = os.access(folder, os.W_OK)  # root writes regardless of modes
    if immutable and subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True).returncode:
        pytest.skip("cannot make a folder read-only here (root, and no chattr)")
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
        for path in paths:
            os.chmod(path, path.stat().st_mode | 0o200)


def test_a_read_only_store_can_still_be_read_and_says_why_it_cannot_save(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    store = FeedbackStore(folder / "f.sqlite", owner=OWNER)
    for n in range(3):
        store.add(digit(), label=n, predicted=n, probabilities=[0.1] * 10, model_id="m", canvas_png=b"PNG")
    with read_only(folder):
        assert [d.label for d in FeedbackStore(folder / "f.sqlite", owner=OWNER).drawings()] == [2, 1, 0]
        assert FeedbackStore(folder / "f.sqlite", owner=OWNER).canvas_png(1) == b"PNG"
        with pytest.raises(FeedbackError, match="cannot be saved.*read-only"):
            store.add(digit(), label=5, predicted=5, probabilities=[0.1] * 10, model_id="m", canvas_png=None)


def test_each_owner_sees_finds_deletes_and_exports_only_their_own_drawings(tmp_path):
    path = tmp_path / "f.sqlite"
    mine, theirs = FeedbackStore(path, owner=OWNER), FeedbackStore(path, owner=OTHER)
    save = dict(probabilities=[0.1] * 10, model_id="m", canvas_png=b"PNG")
    my_ids = [mine.add(digit(), label=n, predicted=n, key=f"k{n}", **save) for n in (1, 2)]
    their_id = theirs.add(digit(), label=7, predicted=1, key="k1", **save)  # the same drawing, theirs
    assert their_id not in my_ids  # equal drawings of two visitors are two rows
    assert [d.label for d in mine.drawings()] == [2, 1] and [d.label for d in theirs.drawings()] == [7]
    assert mine.find("k1") == (my_ids[0], 1) and theirs.find("k1") == (their_id, 7)
    assert not theirs.delete(my_ids[0]) and theirs.canvas_png(my_ids[0]) is None
    assert len(mine.drawings()) == 2
    with np.load(io.BytesIO(export_npz(mine.drawings()))) as exported:
        assert sorted(exported["y_train"].tolist() + exported["y_test"].tolist()) == [1, 2]


def test_a_store_is_always_opened_for_an_owner(tmp_path):
    with pytest.raises(ValueError, match="owner"):
        FeedbackStore(tmp_path / "f.sqlite", owner="")


def test_what_a_visitor_reads_of_a_store_problem_names_no_path(tmp_path):
    path = tmp_path / "secret-folder" / "f.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(FeedbackError) as raised:
        FeedbackStore(path, owner=OWNER).drawings()
    error = raised.value
    shown = error.template.format(**error.values)
    assert "secret-folder" not in shown and "DIGITS_FEEDBACK_DB" not in shown
    assert str(path) in error.detail  # the server's log gets it
