"""Shared fixtures: where MNIST is, small real subsets of it, and a quickly trained bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.constants import MNIST_ENV_VAR  # noqa: E402


def mnist_source() -> Path | None:
    """An mnist.npz to test with: $MNIST_NPZ, else Keras' download cache; None if neither exists."""
    candidates = [os.environ.get(MNIST_ENV_VAR), Path.home() / ".keras" / "datasets" / "mnist.npz"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    path = mnist_source()
    if path is None:
        pytest.skip(f"needs the MNIST dataset: set {MNIST_ENV_VAR} to an mnist.npz (CI does)")
    return path


@pytest.fixture(scope="session")
def mnist(mnist_path):
    from model.data import load_mnist

    return load_mnist(mnist_path)


@pytest.fixture(scope="session")
def small_mnist(mnist):
    """3,000 real training digits and 1,000 real test digits: enough to learn, quick to train."""
    (x_train, y_train), (x_test, y_test) = mnist
    return (x_train[:3000], y_train[:3000]), (x_test[:1000], y_test[:1000])


@pytest.fixture(scope="session")
def small_mnist_npz(small_mnist, tmp_path_factory) -> Path:
    (x_train, y_train), (x_test, y_test) = small_mnist
    path = tmp_path_factory.mktemp("data") / "small_mnist.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


@pytest.fixture(scope="session")
def trained_bundle(small_mnist_npz, tmp_path_factory) -> Path:
    """A bundle written by the real training command on the small subset (2 epochs)."""
    from model.train import main

    out = tmp_path_factory.mktemp("bundles") / "small"
    assert main(["--data", str(small_mnist_npz), "--epochs", "2", "--seed", "0", "--out", str(out)]) == 0
    return out
