"""Step 1 of the flow: load MNIST, flatten to 784 values, normalize to [0, 1], one-hot labels."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.constants import IMAGE_SIDE, INPUT_SIZE, MNIST_ENV_VAR, MNIST_KEYS, NUM_CLASSES
from model.errors import Explained

Split = tuple[np.ndarray, np.ndarray]


class DataError(Explained, ValueError):
    """An mnist.npz that cannot be used; the message says why."""


class DataMissing(Explained, FileNotFoundError):
    """No MNIST where it was looked for."""


@dataclass(frozen=True)
class MnistSource:
    """Where MNIST comes from, worked out without reading it."""

    kind: str  # "option" (--data), "environment" ($MNIST_NPZ), "keras-cache", or "keras-download"
    path: Path | None  # the mnist.npz to read; None: Keras' loader must download it

    @property
    def local(self) -> bool:
        """True when a file is named or cached, so reading needs no download."""
        return self.path is not None


def mnist_source(path: str | os.PathLike | None = None) -> MnistSource:
    """The one place that decides where MNIST comes from, in this order: `path` (the command
    line's or the app's --data), the MNIST_NPZ environment variable, Keras' cached download,
    else `keras.datasets.mnist.load_data()`, which downloads it (needs internet)."""
    if path:
        return MnistSource("option", Path(path))
    if os.environ.get(MNIST_ENV_VAR):
        return MnistSource("environment", Path(os.environ[MNIST_ENV_VAR]))
    cached = keras_cache_path()
    if cached.is_file():
        return MnistSource("keras-cache", cached)
    return MnistSource("keras-download", None)


def load_mnist(path: str | os.PathLike | None = None) -> tuple[Split, Split]:
    """((x_train (60000, 28, 28) uint8, y_train (60000,) uint8), (x_test, y_test)) from
    `mnist_source(path)`."""
    (train, test), _ = load_mnist_with_source(path)
    return train, test


def load_mnist_with_source(path=None) -> tuple[tuple[Split, Split], str]:
    """Like `load_mnist`, also returning the name of the file it read (or Keras' loader), for the
    records. Only the name: a bundle's records travel (the committed one is in the repository), the
    folders of the machine it was trained on stay there."""
    source = mnist_source(path)
    if source.path is not None:
        return read_mnist_npz(source.path), source.path.name
    return _load_from_keras(), "keras.datasets.mnist.load_data()"


def locate_mnist(path: str | os.PathLike | None = None) -> str | None:
    """Check that MNIST can be loaded before a run starts: the validated file to train on.

    Returns the file `mnist_source(path)` names, resolved, after reading it; else downloads it
    with Keras' loader (where there is internet) and returns its cache file, or None if the
    loader left none. Raises FileNotFoundError or ValueError, saying how to provide the data.
    """
    source = mnist_source(path)
    if source.path is None:
        _load_from_keras()
        source = mnist_source(path)
        if source.path is None:
            return None
    read_mnist_npz(source.path)
    return str(source.path.resolve())


def keras_cache_path() -> Path:
    """Where keras.datasets.mnist.load_data() keeps its download."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets" / "mnist.npz"


def read_mnist_npz(path: str | os.PathLike) -> tuple[Split, Split]:
    """Read and validate an mnist.npz file; never unpickles."""
    path = Path(path)
    if not path.is_file():
        raise DataMissing(
            "The MNIST file {name} was not found.",
            name=path.name,
            detail=f"no file {path}; point --data or {MNIST_ENV_VAR} at an mnist.npz "
            "(keys x_train, y_train, x_test, y_test)",
        )
    if not zipfile.is_zipfile(path):
        raise DataError(
            "{name} is not a valid MNIST .npz: not a zip/npz archive", name=path.name, detail=str(path)
        )
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(
            "{name} is not a valid MNIST .npz: it cannot be read", name=path.name, detail=f"{path}: {error}"
        ) from error
    with npz:
        missing = [key for key in MNIST_KEYS if key not in npz.files]
        if missing:
            raise DataError(
                "{name} is not a valid MNIST .npz: missing keys {missing} (has {found})",
                name=path.name,
                detail=str(path),
                missing=missing,
                found=sorted(npz.files),
            )
        try:
            arrays = {key: npz[key] for key in MNIST_KEYS}
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
            # Object arrays need pickle, which np.load refuses here: it raises ValueError.
            raise DataError(
                "{name} is not a valid MNIST .npz: its arrays cannot be read",
                name=path.name,
                detail=f"{path}: {error}",
            ) from error
    for prefix in ("train", "test"):
        _check_split(path, prefix, arrays[f"x_{prefix}"], arrays[f"y_{prefix}"])
    return (
        (arrays["x_train"], arrays["y_train"]),
        (arrays["x_test"], arrays["y_test"]),
    )


def _check_split(path: Path, prefix: str, x: np.ndarray, y: np.ndarray) -> None:
    if x.dtype != np.uint8 or y.dtype != np.uint8:
        raise DataError(
            "{name} is not a valid MNIST .npz: x_{split} and y_{split} must be uint8, got {x} and {y}",
            name=path.name,
            detail=str(path),
            split=prefix,
            x=x.dtype,
            y=y.dtype,
        )
    if x.ndim != 3 or x.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise DataError(
            "{name} is not a valid MNIST .npz: x_{split} must have shape (n, 28, 28), got {shape}",
            name=path.name,
            detail=str(path),
            split=prefix,
            shape=x.shape,
        )
    if y.shape != (x.shape[0],):
        raise DataError(
            "{name} is not a valid MNIST .npz: y_{split} must have shape ({n},), got {shape}",
            name=path.name,
            detail=str(path),
            split=prefix,
            n=x.shape[0],
            shape=y.shape,
        )
    if x.shape[0] == 0:
        raise DataError(
            "{name} is not a valid MNIST .npz: x_{split} is empty",
            name=path.name,
            detail=str(path),
            split=prefix,
        )
    if y.max() >= NUM_CLASSES:
        raise DataError(
            "{name} is not a valid MNIST .npz: y_{split} holds labels outside 0-9 (max {top})",
            name=path.name,
            detail=str(path),
            split=prefix,
            top=y.max(),
        )


def _load_from_keras() -> tuple[Split, Split]:
    import keras

    try:
        return keras.datasets.mnist.load_data()
    except Exception as error:  # offline: Keras raises a generic Exception on URL failures
        raise DataMissing(
            "No MNIST data available: it could not be downloaded.",
            detail=f"keras.datasets.mnist.load_data() failed ({error.__class__.__name__}: "
            f"{str(error)[:200]}); provide a local copy with --data path/to/mnist.npz or the "
            f"{MNIST_ENV_VAR} environment variable",
        ) from error


def add_extra(mnist: tuple[Split, Split], extra: tuple[Split, Split], repeat: int = 1) -> tuple[Split, Split]:
    """MNIST plus another mnist-layout dataset's training split (repeated `repeat` times).

    The test split stays MNIST's, so test accuracy remains comparable between runs.
    """
    (x_train, y_train), test = mnist
    (x_extra, y_extra), _ = extra
    return (
        (
            np.concatenate([x_train, *[x_extra] * repeat]),
            np.concatenate([y_train, *[y_extra] * repeat]),
        ),
        test,
    )


def flatten(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) -> (n, 784), same dtype."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"expected images of shape (n, 28, 28), got {images.shape}")
    return images.reshape(len(images), INPUT_SIZE)


def normalize(pixels: np.ndarray, maximum: float = 255.0) -> np.ndarray:
    """uint8 0..255 (any shape) -> float32 in [0, 1], dividing by the maximum pixel value."""
    return np.asarray(pixels, dtype=np.float32) / np.float32(maximum)


def one_hot(labels: np.ndarray) -> np.ndarray:
    """(n,) ints 0-9 -> (n, 10) float32 one-hot rows, via keras.utils.to_categorical."""
    import keras

    return keras.utils.to_categorical(labels, NUM_CLASSES).astype(np.float32)


def inputs_and_targets(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, 28, 28) uint8 images and (n,) labels -> (n, 784) float32 in [0, 1] and (n, 10) one-hot."""
    return normalize(flatten(images)), one_hot(labels)
