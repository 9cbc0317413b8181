"""Training images drawn on all the CPU's cores, the same images whatever the number of cores.

`mapper` is the one place worker processes are started: for these images, and for `--augment`'s
pen retracing (`model/augment.py`).

Digits written as strokes, real pen digits drawn on the pad and drawings that are no digit take
1.5-3 ms each on one core: about four minutes for the committed bundle's 100,000. They are made in
chunks of CHUNK, each chunk with its own random numbers, taken from the run's seed, the kind of image
(`stream`) and the chunk's number, so that one core and four make the same images.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from model.outliers import non_digit_images
from model.pen_train import draw_recordings, drawing_order, load_pen_recordings
from model.written import written_digits

CHUNK = 1_000  # images per chunk: 1.5-3 s of work, and a step of the progress bar
PARALLEL_FROM = 10_000  # images: below this, starting worker processes (~4 s) costs more than it saves
MAX_WORKERS = 4
WRITTEN, REAL, NO_DIGITS = 1, 2, 3  # streams of random numbers, one per kind of image


def base_seed(seed: int | None) -> int:
    """The number every chunk's random numbers start from: the run's seed, or a fresh one."""
    return seed if seed is not None else int(np.random.SeedSequence().entropy % 2**63)


def workers(images: int) -> int:
    """How many processes make `images` images: 1 (this one) or the worker processes."""
    cores = min(os.cpu_count() or 1, MAX_WORKERS)
    return cores if images >= PARALLEL_FROM and cores >= 2 else 1


@contextmanager
def mapper(images: int):
    """`map` over worker processes when there are `images` enough to be worth it, else plain `map`."""
    workers_ = workers(images)
    if workers_ == 1:
        yield map
        return
    # Spawned, not forked: the parent may already run TensorFlow's threads.
    pool = ProcessPoolExecutor(workers_, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield pool.map
    except BaseException:  # e.g. the run is cancelled: do not wait for the remaining chunks
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def written(count: int, seed: int, on_progress=None, map_=map) -> tuple[np.ndarray, np.ndarray]:
    """`count` digits written as pen strokes (model/written.py), every digit as often."""
    return _made(
        map_, [(_written_chunk, size, (seed, WRITTEN, i)) for i, size in _chunks(count)], on_progress
    )


def real(count: int, seed: int, on_progress=None, map_=map) -> tuple[np.ndarray, np.ndarray]:
    """`count` drawings of the real pen-written digits (model/pen_train.py): every recording once per pass."""
    order = drawing_order(count, len(_recordings()), np.random.default_rng([seed, REAL]))
    jobs = [(_real_chunk, order[i * CHUNK : i * CHUNK + size], (seed, REAL, i)) for i, size in _chunks(count)]
    return _made(map_, jobs, on_progress)


def no_digits(count: int, seed: int, on_progress=None, map_=map) -> np.ndarray:
    """`count` drawings that are no digit (model/outliers.py)."""
    jobs = [(_no_digits_chunk, size, (seed, NO_DIGITS, i)) for i, size in _chunks(count)]
    return _made(map_, jobs, on_progress)[0]


def _chunks(count: int):
    return [(i, min(CHUNK, count - start)) for i, start in enumerate(range(0, count, CHUNK))]


def _made(map_, jobs, on_progress) -> tuple[np.ndarray, np.ndarray]:
    images, labels, done = [], [], 0
    for chunk_images, chunk_labels in map_(_run, jobs):  # results come back in order
        images.append(chunk_images)
        labels.append(chunk_labels)
        done += len(chunk_images)
        if on_progress:
            on_progress(done)
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    return np.concatenate(images), np.concatenate(labels)


def _run(job):
    make, argument, key = job
    return make(argument, np.random.default_rng(list(key)))


def _written_chunk(count: int, rng) -> tuple[np.ndarray, np.ndarray]:
    return written_digits(count, rng)


def _real_chunk(indices, rng) -> tuple[np.ndarray, np.ndarray]:
    return draw_recordings(indices, rng, recordings=_recordings())


@functools.cache
def _recordings():  # read once per worker process, not once per chunk
    return load_pen_recordings()


def _no_digits_chunk(count: int, rng) -> tuple[np.ndarray, np.ndarray]:
    return non_digit_images(count, rng), np.zeros(count, np.uint8)
