"""Real pen-written digits drawn on the pad, the way a person's strokes reach the app: a yardstick
(UCI pendigits' writer-independent test part, 14 writers, every pen-up kept), never trained on.

The file is not part of the project; `PEN_DIGITS` (or a `--pen` option) names it. Each digit's
strokes are scaled to a random height and place on the 280x280 pad, flipped (the tablet's y grows
upward), and drawn with a round brush of a random width, in one of the pad's three looks.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.drawing import LOOKS, draw_canvas

PEN_ENV_VAR = "PEN_DIGITS"  # path to pendigits-orig-test.json
CANVAS = 280
HEIGHT_RANGE = (0.35, 0.85)  # the digit's height as a share of the pad, as people draw
BRUSH_RANGE = (10, 28)  # px: around the pad's default of 18


@dataclass(frozen=True)
class PenDigit:
    label: int
    writer: int
    strokes: tuple[np.ndarray, ...]  # each (n, 2) tablet points, y growing upward


def pen_digits_path() -> Path | None:
    path = os.environ.get(PEN_ENV_VAR)
    return Path(path) if path and Path(path).is_file() else None


def load_pen_digits(path: str | os.PathLike) -> list[PenDigit]:
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        PenDigit(
            int(r["label"]), int(r["writer"]), tuple(np.asarray(s, dtype=np.float64) for s in r["strokes"])
        )
        for r in records
    ]


def draw_pen_digit(digit: PenDigit, rng: np.random.Generator, look: str | None = None) -> np.ndarray:
    """A pen digit on the pad: (280, 280, 4) uint8 RGBA, at a random size, place, brush and look."""
    points = np.concatenate(digit.strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1.0)
    height = rng.uniform(*HEIGHT_RANGE) * CANVAS
    brush = rng.uniform(*BRUSH_RANGE)
    scale = min(height / span[1], (CANVAS - brush - 4) / span[0])
    size = span * scale
    margin = brush / 2 + 2
    left, top = (rng.uniform(margin, max(margin, CANVAS - extent - margin)) for extent in size)
    strokes = [
        [(left + (x - low[0]) * scale, top + (high[1] - y) * scale) for x, y in s] for s in digit.strokes
    ]
    return draw_canvas(strokes, width=round(brush), look=look or LOOKS[rng.integers(len(LOOKS))])
