"""Preparing an augmented training set: pen retracing on one core vs spread over the cores.

Both runs use the same seed and must give identical images; the second spreads the retracing
over worker processes, as `python -m model.train --augment` does for large sets.

    MNIST_NPZ=../shared/data/mnist.npz python -m benchmarks.augment_speed [--images 30000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from model import augment
from model.data import load_mnist

ROOT = Path(__file__).resolve().parents[1]


def timed(images, labels, parallel_from: int):
    augment.PARALLEL_FROM = parallel_from
    started = time.perf_counter()
    result = augment.augmented_training_set(images, labels, np.random.default_rng(0))
    return result, time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=30_000, help="MNIST training images to augment")
    args = parser.parse_args(argv)
    (x_train, y_train), _ = load_mnist()
    images, labels = x_train[: args.images], y_train[: args.images]
    parallel_from = augment.PARALLEL_FROM
    (serial_x, serial_y), serial = timed(images, labels, parallel_from=sys.maxsize)
    (spread_x, spread_y), spread = timed(images, labels, parallel_from=parallel_from)
    same = np.array_equal(serial_x, spread_x) and np.array_equal(serial_y, spread_y)
    print(
        f"{args.images:,} MNIST images -> {len(serial_x):,} training images (styled and pen-retraced added)"
    )
    print(f"  one core:                          {serial:6.1f} s")
    print(
        f"  {min(os.cpu_count() or 1, augment.MAX_WORKERS)} worker processes:                {spread:6.1f} s"
    )
    print(f"ratio workers / one core: {spread / serial:.2f}; identical images: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
