"""Real digits written with a pen, for training (`python -m model.train --real SHARE`).

The training part of UCI's "Pen-Based Recognition of Handwritten Digits" (E. Alpaydin, F. Alimoglu,
Boğaziçi University, 1998; CC BY 4.0): 7,494 digits written with a stylus on a tablet by 30 writers,
each in their own hand, every recorded point and pen-up kept (`model/data/pendigits-train.npz`,
made from the original `pendigits-orig.tra`). The set's other 14 writers, its test part, are the
yardstick that measures the result (`tests/pen_digits.py`): other people, never trained on.

Each digit is drawn the way a drawing reaches the app: its strokes at a random size, place and brush
width (`written.draw`), then prepared like any drawing (`canvas_to_image`). Each pass over the 7,494
draws every digit once more, at a new size, place and brush (`model/parallel.py` makes them).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.data import DataError, DataMissing
from model.preprocess import canvas_to_image
from model.written import draw

PEN_TRAIN_FILE = Path(__file__).parent / "data" / "pendigits-train.npz"
SECONDS_PER_DIGIT = 0.0015  # to draw and prepare one recorded digit on one core: 1.3-1.5 ms measured
KEYS = ("points", "stroke_lengths", "stroke_counts", "labels", "writers")


@dataclass(frozen=True)
class PenRecording:
    label: int
    writer: int
    strokes: tuple[np.ndarray, ...]  # each (n, 2) tablet points, y growing upward


def load_pen_recordings(path: str | Path | None = None) -> list[PenRecording]:
    """The recorded digits (from PEN_TRAIN_FILE unless `path` is given); DataMissing or DataError (a
    message a person reads) if they cannot be."""
    path = Path(path or PEN_TRAIN_FILE)
    if not path.is_file():
        raise DataMissing(
            "The file of real pen-written digits {name} was not found.", name=path.name, detail=str(path)
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in KEYS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(
            "The file of real pen-written digits {name} cannot be read.",
            name=path.name,
            detail=f"{path}: {error}",
        ) from None
    points, lengths, counts = arrays["points"], arrays["stroke_lengths"], arrays["stroke_counts"]
    labels, writers = arrays["labels"], arrays["writers"]
    if not (
        all(array.dtype.kind in "iu" for array in arrays.values())  # whole numbers only
        and points.ndim == 2
        and points.shape[1] == 2
        and lengths.ndim == counts.ndim == labels.ndim == writers.ndim == 1
        and len(counts) == len(labels) == len(writers) > 0
        and counts.min() >= 1
        and lengths.min() >= 1
        and int(counts.sum()) == len(lengths)
        and int(lengths.sum()) == len(points)
        and 0 <= labels.min() <= labels.max() <= 9
    ):
        raise DataError(
            "The file of real pen-written digits {name} is damaged.",
            name=path.name,
            detail=f"{path}: arrays do not fit",
        )
    strokes = np.split(points.astype(np.float64), np.cumsum(lengths)[:-1])
    firsts = np.concatenate([[0], np.cumsum(counts)])
    return [
        PenRecording(int(label), int(writer), tuple(strokes[firsts[i] : firsts[i + 1]]))
        for i, (label, writer) in enumerate(zip(labels, writers))
    ]


def drawing_order(count: int, recordings: int, rng: np.random.Generator) -> np.ndarray:
    """Which recording to draw, `count` times: every recording once per pass, each pass shuffled."""
    passes = -(-count // max(recordings, 1))
    return np.concatenate([rng.permutation(recordings) for _ in range(passes)] or [[]])[:count].astype(int)


def draw_recordings(
    indices, rng: np.random.Generator, path: str | Path | None = None, recordings=None
) -> tuple[np.ndarray, np.ndarray]:
    """The recordings at `indices` drawn on the pad at random sizes, places and brushes, prepared like
    any drawing: (n, 28, 28) uint8 images and (n,) labels."""
    recordings = recordings if recordings is not None else load_pen_recordings(path)
    images, labels = [], []
    for index in indices:
        recording = recordings[index]
        flipped = [stroke * (1.0, -1.0) for stroke in recording.strokes]  # the tablet's y grows upward
        image = canvas_to_image(draw(flipped, rng))
        if image is None:  # no ink inside the pad: cannot happen with a pen's strokes
            raise DataError(
                "The file of real pen-written digits {name} is damaged.",
                name=Path(path or PEN_TRAIN_FILE).name,
                detail=f"recording {index} draws no ink",
            )
        images.append(np.round(image * 255).astype(np.uint8))
        labels.append(recording.label)
    if not images:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    return np.stack(images), np.asarray(labels, dtype=np.uint8)
