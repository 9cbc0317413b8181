"""Preparing the training set on one core vs spread over the cores: pen retracing (`--augment`),
then digits written as strokes, real pen digits drawn on the pad and drawings that are no digit
(`--written`, `--real`, `--outliers`, `model/parallel.py`).

Both runs of each use the same seed and must give identical images; the second spreads the work
over worker processes, as `python -m model.train` does for large sets.

    MNIST_NPZ=../shared/data/mnist.npz python -m benchmarks.augment_speed [--images 30000] [--drawn 10000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from model import augment, parallel
from model.data import load_mnist

ROOT = Path(__file__).resolve().parents[1]


def timed(images, labels, parallel_from: int):
    parallel.PARALLEL_FROM = parallel_from
    started = time.perf_counter()
    result = augment.augmented_training_set(images, labels, np.random.default_rng(0))
    return result, time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=30_000, help="MNIST training images to augment")
    parser.add_argument(
        "--drawn", type=int, default=10_000, help="images of each drawn kind: written, real, no digit"
    )
    args = parser.parse_args(argv)
    (x_train, y_train), _ = load_mnist()
    images, labels = x_train[: args.images], y_train[: args.images]
    parallel_from = parallel.PARALLEL_FROM
    (serial_x, serial_y), serial = timed(images, labels, parallel_from=sys.maxsize)
    (spread_x, spread_y), spread = timed(images, labels, parallel_from=parallel_from)
    same = np.array_equal(serial_x, spread_x) and np.array_equal(serial_y, spread_y)
    print(
        f"{args.images:,} MNIST images -> {len(serial_x):,} training images (styled and pen-retraced added)"
    )
    print(f"  one core:                          {serial:6.1f} s")
    print(
        f"  {min(os.cpu_count() or 1, parallel.MAX_WORKERS)} worker processes:                {spread:6.1f} s"
    )
    print(f"ratio workers / one core: {spread / serial:.2f}; identical images: {same}")
    drawn_same = drawn(args.drawn)
    return 0 if same and drawn_same else 1


def drawn(count: int) -> bool:
    """`count` written, `count` real and `count` no-digit images, on one core and on worker processes."""
    timings, results = [], []
    for spread in (False, True):
        started = time.perf_counter()
        with parallel.mapper(3 * count if spread else 0) as map_:
            results.append(
                [
                    *parallel.written(count, 0, map_=map_),
                    *parallel.real(count, 0, map_=map_),
                    parallel.no_digits(count, 0, map_=map_),
                ]
            )
        timings.append(time.perf_counter() - started)
    same = all(np.array_equal(a, b) for a, b in zip(*results, strict=True))
    print(f"{count:,} each of written, real pen and no-digit images ({3 * count:,} in all)")
    print(f"  one core:                          {timings[0]:6.1f} s")
    workers = min(os.cpu_count() or 1, parallel.MAX_WORKERS)
    print(f"  {workers} worker processes:                {timings[1]:6.1f} s")
    print(f"ratio workers / one core: {timings[1] / timings[0]:.2f}; identical images: {same}")
    return same


if __name__ == "__main__":
    sys.exit(main())
