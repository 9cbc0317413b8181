"""The feedback store: round trip, concurrent submits, export, damaged files."""

import threading

import numpy as np
import pytest

from model.data import load_mnist
from model.feedback import FeedbackError, FeedbackStore, export_npz, summary


def digit(value=0.5):
    image = np.zeros((28, 28), dtype=np.float32)
    image[4:24, 13:15] = value
    return image


def test_round_trip_keeps_everything(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
    probabilities = np.full(10, 0.1)
    new_id = store.add(digit(1.0), label=1, predicted=7, probabilities=probabilities, model_id="m1", canvas_png=b"PNG")
    [saved] = store.drawings()
    assert saved.id == new_id and saved.label == 1 and saved.predicted == 7 and saved.model_id == "m1"
    assert saved.probabilities == pytest.approx([0.1] * 10)
    assert saved.digit.dtype == np.uint8 and saved.digit[10, 13] == 255 and saved.digit[0, 0] == 0
    assert saved.created.endswith("+00:00")
    assert store.canvas_png(new_id) == b"PNG"


def test_bad_records_are_refused(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
    with pytest.raises(ValueError, match="digit 0-9"):
        store.add(digit(), label=10, predicted=1, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        store.add(np.zeros((27, 28)), label=1, predicted=1, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    assert store.drawings() == []


def test_concurrent_submits_lose_nothing(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
    errors = []

    def submit(worker):
        try:
            for n in range(25):
                store.add(digit(), label=(worker + n) % 10, predicted=n % 10, probabilities=[0.1] * 10,
                          model_id=f"w{worker}", canvas_png=b"x" * 1000)
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
    store = FeedbackStore(tmp_path / "f.sqlite")
    for label, predicted in [(1, 1), (7, 1), (7, 7), (3, 3)]:
        store.add(digit(), label=label, predicted=predicted, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    result = summary(store.drawings())
    assert result["count"] == 4 and result["accuracy"] == 0.75
    assert result["confusion_matrix"][7, 1] == 1 and result["confusion_matrix"].sum() == 4
    assert summary([])["accuracy"] is None


def test_export_is_an_mnist_npz_the_loader_accepts(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
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
    with pytest.raises(FeedbackError, match="damaged.*Move it aside"):
        FeedbackStore(path).drawings()


def test_locked_store_reports_busy(tmp_path, monkeypatch):
    import sqlite3

    from model import feedback

    monkeypatch.setattr(feedback, "BUSY_TIMEOUT_S", 0.1)
    path = tmp_path / "f.sqlite"
    store = FeedbackStore(path)
    store.drawings()  # create it
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackError, match="busy"):
            store.add(digit(), label=1, predicted=1, probabilities=[0.1] * 10, model_id="m", canvas_png=None)
    finally:
        holder.rollback()
        holder.close()
