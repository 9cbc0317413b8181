"""Real pen-written digits for training (model/pen_train.py): the training part's 30 writers, drawn on
the pad like any drawing, and never one of the yardstick's digits."""

import io
import zipfile

import numpy as np
import pytest

from model import parallel
from model.data import DataError, DataMissing
from model.pen_train import PEN_TRAIN_FILE, draw_recordings, drawing_order, load_pen_recordings
from model.train import TrainConfig, train
from tests.pen_digits import load_pen_digits, pen_digits_path


@pytest.fixture(scope="module")
def recordings():
    return load_pen_recordings()


def test_the_committed_file_holds_the_training_parts_30_writers(recordings):
    assert len(recordings) == 7494
    assert {r.writer for r in recordings} == set(range(1, 31))
    assert np.bincount([r.label for r in recordings]).min() >= 719  # every digit 719-780 times
    assert all(1 <= len(r.strokes) <= 3 for r in recordings)
    assert all(s.ndim == 2 and s.shape[1] == 2 and len(s) >= 1 for r in recordings for s in r.strokes)
    points = np.concatenate([s for r in recordings for s in r.strokes])
    assert points.min() >= 0 and points.max() <= 500  # the tablet's box


def test_no_training_recording_is_one_of_the_yardsticks_digits(recordings):
    path = pen_digits_path()
    if path is None:
        pytest.skip("needs the real pen digits: set PEN_DIGITS to pendigits-orig-test.json (CI does)")
    yardstick = {tuple(np.concatenate(d.strokes).ravel().tolist()) for d in load_pen_digits(path)}
    assert len(yardstick) > 3400
    trained = {tuple(np.concatenate(r.strokes).ravel().tolist()) for r in recordings}
    assert not yardstick & trained


def test_recordings_are_drawn_as_labelled_mnist_style_images(recordings):
    images, labels = parallel.real(40, 0)
    assert images.shape == (40, 28, 28) and images.dtype == np.uint8 and labels.shape == (40,)
    assert all(image.max() == 255 for image in images)  # ink, fitted like a drawing
    rows = (images.sum(axis=2) @ np.arange(28)) / images.sum(axis=(1, 2))
    assert np.all(np.abs(rows - 14) < 1.5)  # centred by mass, as MNIST
    again, again_labels = parallel.real(40, 0)
    assert np.array_equal(images, again) and np.array_equal(labels, again_labels)  # reproducible


def test_every_recording_is_drawn_once_per_pass_in_a_new_order():
    order = drawing_order(25, 10, np.random.default_rng(2))
    assert len(order) == 25
    assert sorted(order[:10]) == sorted(order[10:20]) == list(range(10))  # two whole passes
    assert len(set(order[20:])) == 5 and not np.array_equal(order[:10], order[10:20])
    assert len(drawing_order(0, 10, np.random.default_rng(2))) == 0


def test_more_digits_than_recordings_draws_each_again(tmp_path, recordings):
    few = tmp_path / "few.npz"
    chosen = [r for r in recordings if r.label == 1][:1] + [r for r in recordings if r.label == 7][:2]
    _save(few, chosen)
    rng = np.random.default_rng(1)
    images, labels = draw_recordings(drawing_order(7, 3, rng), rng, path=few)
    counts = np.bincount(labels, minlength=10)
    assert len(images) == 7 and counts[1] in (2, 3) and counts[1] + counts[7] == 7  # passes of 3, 3, 1
    assert len({image.tobytes() for image in images}) == 7  # drawn afresh each time
    # The tablet's y grows upward: drawn flipped, a 7's wide top is at the top, its stem's end below.
    for seven in images[labels == 7] > 128:
        rows = np.flatnonzero(seven.any(axis=1))
        top, bottom = seven[rows[0] : rows[0] + 3], seven[rows[-1] - 2 : rows[-1] + 1]
        assert top.any(axis=0).sum() > 2 * bottom.any(axis=0).sum()


def _save(path, records, **changes):
    strokes = [s.astype(np.int16) for r in records for s in r.strokes]
    arrays = dict(
        points=np.concatenate(strokes),
        stroke_lengths=np.array([len(s) for s in strokes], np.int32),
        stroke_counts=np.array([len(r.strokes) for r in records], np.int8),
        labels=np.array([r.label for r in records], np.uint8),
        writers=np.array([r.writer for r in records], np.uint8),
    )
    arrays.update(changes)
    np.savez(path, **arrays)


def test_a_missing_or_damaged_file_is_said_plainly(tmp_path, recordings):
    with pytest.raises(DataMissing, match="was not found"):
        load_pen_recordings(tmp_path / "nowhere.npz")
    cut = tmp_path / "cut.npz"
    cut.write_bytes(PEN_TRAIN_FILE.read_bytes()[:5000])
    with pytest.raises(DataError, match="cannot be read"):
        load_pen_recordings(cut)
    pickled = tmp_path / "pickled.npz"
    _save(pickled, recordings[:3], labels=np.array([object()] * 3, dtype=object))
    with pytest.raises(DataError, match="cannot be read"):  # never unpickled
        load_pen_recordings(pickled)
    for name, change in {
        "lengths": {"stroke_lengths": np.array([1], np.int32)},
        "labels": {"labels": np.array([3, 11, 2], np.uint8)},
        "negative": {"labels": np.array([3, -1, 2], np.int8)},
        "counts": {"stroke_counts": np.array([0, 1, 1], np.int8)},
        "kinds": {"labels": np.array([1.5, 2.0, 3.0])},
        "text": {"writers": np.array(["a", "b", "c"])},
    }.items():
        bad = tmp_path / f"{name}.npz"
        _save(bad, recordings[:3], **change)
        with pytest.raises(DataError, match="is damaged"):
            load_pen_recordings(bad)
    missing_key = tmp_path / "key.npz"
    buffer = io.BytesIO()
    np.savez(buffer, points=np.zeros((3, 2), np.int16))
    missing_key.write_bytes(buffer.getvalue())
    with pytest.raises(DataError, match="cannot be read"):
        load_pen_recordings(missing_key)
    assert zipfile.is_zipfile(missing_key)


def test_training_adds_the_real_digits_after_the_written_ones(small_mnist):
    (x_train, y_train), test = small_mnist
    heard = []

    def on_phase(name, **fields):
        if "prepared" in fields:
            heard.append(fields["prepared"][:2])

    config = TrainConfig(epochs=1, seed=3, written=0.1, real=0.2)
    result = train(((x_train[:500], y_train[:500]), test), config, verbose=0, on_phase=on_phase)
    assert result.history["train_samples"] == 500 + 50 + 100
    assert result.history["settings"]["real"] == 0.2
    done, totals = [d for d, _ in heard], {t for _, t in heard}
    assert totals == {150} and done == sorted(done) and done[-1] == 150
