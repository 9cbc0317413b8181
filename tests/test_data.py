"""Step 1 of the flow: loading MNIST, flattening, normalizing, one-hot labels."""

import zipfile

import numpy as np
import pytest

from model import data
from model.data import flatten, inputs_and_targets, load_mnist, normalize, one_hot


def write_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def valid_arrays(n_train=6, n_test=4):
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def test_flatten_turns_images_into_784_vectors():
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    flat = flatten(images)
    assert flat.shape == (2, 784)
    assert np.array_equal(flat[1], images[1].ravel())


def test_flatten_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        flatten(np.zeros((2, 27, 28), dtype=np.uint8))


def test_normalize_divides_by_the_maximum_into_float32_unit_range():
    pixels = np.array([[0, 51, 255]], dtype=np.uint8)
    out = normalize(pixels)
    assert out.dtype == np.float32
    assert np.allclose(out, [[0.0, 0.2, 1.0]])


def test_one_hot_labels_have_a_single_one_in_the_labels_column():
    labels = np.array([0, 3, 9], dtype=np.uint8)
    hot = one_hot(labels)
    assert hot.shape == (3, 10) and hot.dtype == np.float32
    assert np.array_equal(hot.argmax(axis=1), labels)
    assert np.array_equal(hot.sum(axis=1), [1, 1, 1])


def test_inputs_and_targets_are_model_ready_arrays(mnist):
    (x_train, y_train), _ = mnist
    x, y = inputs_and_targets(x_train[:100], y_train[:100])
    assert x.shape == (100, 784) and y.shape == (100, 10)
    assert 0.0 <= x.min() and x.max() == 1.0


def test_real_mnist_has_the_keras_shapes_and_labels(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert list(y_train[:5]) == [5, 0, 4, 1, 9] and list(y_test[:5]) == [7, 2, 1, 0, 4]


def test_path_argument_wins_over_environment(tmp_path, monkeypatch):
    good = write_npz(tmp_path / "good.npz", **valid_arrays(n_train=6))
    monkeypatch.setenv("MNIST_NPZ", str(tmp_path / "elsewhere.npz"))
    (x_train, _), _ = load_mnist(good)
    assert len(x_train) == 6


def test_environment_variable_is_used_without_a_path(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_NPZ", str(write_npz(tmp_path / "env.npz", **valid_arrays(n_train=5))))
    (x_train, _), _ = load_mnist()
    assert len(x_train) == 5


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load_mnist(tmp_path / "nope.npz")


def test_file_that_is_not_a_zip_is_rejected(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("hello")
    with pytest.raises(ValueError, match="text.npz.*not a zip"):
        load_mnist(path)


def test_truncated_archive_is_rejected(tmp_path):
    path = write_npz(tmp_path / "whole.npz", **valid_arrays())
    broken = tmp_path / "broken.npz"
    broken.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ValueError, match="broken.npz"):
        load_mnist(broken)


def test_missing_keys_are_named(tmp_path):
    arrays = valid_arrays()
    del arrays["y_test"]
    with pytest.raises(ValueError, match="missing keys.*y_test"):
        load_mnist(write_npz(tmp_path / "keys.npz", **arrays))


@pytest.mark.parametrize(
    "key, bad, message",
    [
        ("x_train", np.zeros((6, 28, 27), dtype=np.uint8), "shape"),
        ("y_train", np.zeros((5,), dtype=np.uint8), "shape"),
        ("x_test", np.zeros((4, 28, 28), dtype=np.float32), "uint8"),
        ("y_test", np.full(4, 12, dtype=np.uint8), "labels outside"),
    ],
)
def test_wrong_shapes_dtypes_and_labels_are_rejected(tmp_path, key, bad, message):
    arrays = valid_arrays()
    arrays[key] = bad
    with pytest.raises(ValueError, match=message):
        load_mnist(write_npz(tmp_path / "bad.npz", **arrays))


def test_object_arrays_are_refused_without_unpickling(tmp_path):
    arrays = valid_arrays()
    arrays["x_train"] = np.array([object()] * 6, dtype=object)
    path = tmp_path / "pickle.npz"
    np.savez(path, **arrays)
    assert zipfile.is_zipfile(path)
    with pytest.raises(ValueError, match="pickle.npz"):
        load_mnist(path)


def test_offline_without_a_file_explains_how_to_provide_one(monkeypatch, tmp_path):
    import keras

    def offline():
        raise Exception("URL fetch failure on https://example/mnist.npz")

    monkeypatch.delenv("MNIST_NPZ", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # no cached download either
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    with pytest.raises(FileNotFoundError, match="--data.*MNIST_NPZ"):
        data.load_mnist()
