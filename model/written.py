"""Digits written as pen strokes, for training (`python -m model.train --written SHARE`).

MNIST was written with pens on paper by American writers, then scanned; people draw on the pad with
a round brush of one width, and many write shapes MNIST has few of. Here each digit is written the
way a hand moves: a handful of letter shapes per digit (a "9" whose stem is straight or sweeps left
under its loop, a "7" with a round top and a bar through its stem, a "4" written in one stroke with
an open top...), each a list of strokes through control points. Every control point is moved at
random, the whole digit is slanted, turned and made narrower or wider, then drawn with the pad's
round brush at a random size and width and prepared like any drawing (`canvas_to_image`).

These are made here, for training only. The yardsticks that measure the result (real pen digits,
`tests/pen_digits.py`, and the drawn styles, `tests/styles.py`) are other data, never trained on.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model.preprocess import canvas_to_image

PAD = 140  # px: drawn at half the pad's size (same look after the 20x20 fit, four times cheaper)
HEIGHT_RANGE = (0.35, 0.85)  # the digit's height as a share of the pad, as people draw
BRUSH_RANGE = (5, 14)  # px at this pad size: the app's 10-28 px on its 280 px pad
JITTER = 0.045  # how far (share of the digit's height) each control point moves, one standard deviation
SLANT = (-0.2, 0.45)  # shear: how far the top leans right per unit of height
TURN_DEGREES = 8.0
WIDTH_RANGE = (0.35, 1.15)  # narrow and wide hands: real writers' digits go down to a third as wide as tall
SAMPLES = 12  # points per spline segment
SECONDS_PER_DIGIT = 0.0025  # to write one digit on one core: 2.4-2.5 ms measured
PROGRESS_EVERY = 1_000  # digits written between progress reports (about 2.5 s)

C = 1  # marks a control point where the pen turns sharply (a corner) rather than curving through


def _shape(text: str) -> list[list[tuple]]:
    """ "x,y x,yc ... | x,y ..." -> strokes of (x, y) points, (x, y, C) at a corner."""
    return [
        [
            (*map(float, point.rstrip("c").split(",")), *([C] if point.endswith("c") else []))
            for point in stroke.split()
        ]
        for stroke in text.split("|")
    ]


# Letter shapes per digit: strokes in a unit box (x right, y down) through control points "x,y",
# strokes parted by "|"; a point marked "c" is a corner, where the pen turns sharply.
SHAPES: dict[int, list[list[list[tuple]]]] = {
    0: [
        _shape("0.55,0.02 0.2,0.12 0.05,0.5 0.25,0.92 0.55,1 0.88,0.8 0.95,0.4 0.8,0.08 0.5,0 0.35,0.06"),
        _shape("0.45,0.02 0.8,0.12 0.95,0.5 0.75,0.92 0.45,1 0.12,0.8 0.05,0.4 0.2,0.08 0.5,0 0.65,0.06"),
    ],
    1: [
        _shape("0.5,0 0.5,1"),
        _shape("0.15,0.3 0.5,0c 0.5,1"),
        _shape("0.15,0.3 0.5,0c 0.5,1 | 0.15,1 0.85,1"),
    ],
    2: [
        _shape("0.08,0.28 0.3,0.03 0.65,0 0.9,0.22 0.8,0.5 0.4,0.8 0.05,1c 0.95,0.98"),
        _shape(
            "0.08,0.28 0.3,0.03 0.65,0 0.9,0.22 0.8,0.5 "
            "0.35,0.85 0.15,1 0.08,0.9 0.25,0.82 0.55,0.95 0.95,0.98"
        ),
        _shape("0.1,0.15 0.5,0 0.9,0.15 0.05,1c 0.95,1"),
    ],
    3: [
        _shape("0.1,0.15 0.45,0 0.82,0.12 0.8,0.35 0.4,0.47c 0.85,0.62 0.88,0.85 0.5,1 0.08,0.88"),
        _shape("0.1,0.15 0.45,0 0.82,0.12 0.8,0.35 0.45,0.48 0.85,0.62 0.88,0.85 0.5,1 0.08,0.88"),
        _shape("0.1,0.02 0.85,0c 0.4,0.42c 0.85,0.6 0.88,0.85 0.5,1 0.08,0.85"),
    ],
    4: [
        _shape("0.62,0 0.05,0.68c 0.95,0.68 | 0.68,0.05 0.68,1"),
        _shape("0.15,0 0.1,0.62c 0.95,0.62 | 0.72,0 0.72,1"),
        _shape("0.55,0 0.08,0.58c 0.62,0.6 0.62,1"),
        _shape("0.55,0 0.08,0.58c 0.7,0.6c 0.65,1"),
        _shape("0.15,0 0.1,0.6c 0.9,0.55 | 0.7,0.15 0.68,1"),
        _shape("0.3,0 0.02,0.45 0.15,0.68 0.7,0.74 0.9,1"),
    ],
    5: [
        _shape("0.25,0 0.18,0.45c 0.55,0.38 0.88,0.58 0.85,0.88 0.45,1 0.08,0.85 | 0.25,0 0.9,0"),
        _shape("0.9,0 0.25,0.02c 0.18,0.45c 0.55,0.38 0.88,0.58 0.85,0.88 0.45,1 0.08,0.85"),
    ],
    6: [
        _shape("0.75,0 0.35,0.25 0.1,0.65 0.3,1 0.72,0.92 0.82,0.65 0.45,0.5 0.12,0.68"),
        _shape("0.7,0 0.3,0.35 0.15,0.8 0.35,1 0.6,0.9 0.55,0.72 0.2,0.8"),
        _shape("0.75,0 0.4,0.35 0.25,0.8 0.4,1 0.6,0.92 0.55,0.8 0.3,0.85"),
    ],
    7: [
        _shape("0.05,0.02 0.95,0c 0.4,1"),
        _shape("0.05,0.25 0.05,0.03c 0.95,0c 0.4,1"),
        _shape("0.05,0.12 0.45,0 0.85,0.05 0.8,0.3 0.5,1"),
        _shape("0.1,0.3 0.3,0.03 0.65,0 0.9,0.2 0.6,0.6 0.3,1"),
    ],
    8: [
        _shape(
            "0.85,0.12 0.5,0 0.15,0.15 0.3,0.38 0.72,0.6 0.85,0.85 "
            "0.5,1 0.15,0.85 0.28,0.6 0.7,0.38 0.85,0.15 0.6,0.02"
        ),
        _shape(
            "0.5,0.45 0.25,0.3 0.3,0.05 0.5,0 0.72,0.08 0.72,0.3 "
            "0.5,0.45 0.2,0.62 0.2,0.92 0.5,1 0.8,0.9 0.8,0.62 0.5,0.45"
        ),
    ],
    9: [
        _shape("0.85,0.22 0.55,0.02 0.15,0.12 0.12,0.38 0.45,0.5 0.82,0.35 0.86,0.08c 0.83,0.6 0.8,1"),
        _shape(
            "0.85,0.22 0.55,0.02 0.15,0.12 0.12,0.38 0.45,0.5 "
            "0.82,0.35 0.86,0.08c 0.85,0.5 0.72,0.85 0.45,1 0.12,0.92"
        ),
        _shape(
            "0.85,0.22 0.55,0.02 0.15,0.12 0.12,0.38 0.45,0.5 "
            "0.82,0.35 0.86,0.08c 0.84,0.6 0.75,0.9 0.55,1 0.4,0.9"
        ),
        _shape("0.85,0.15 0.5,0 0.2,0.12 0.2,0.3 0.5,0.36 0.85,0.2 | 0.86,0.05 0.8,1"),
        _shape("0.8,0.12 0.55,0 0.3,0.1 0.3,0.28 0.55,0.32 0.8,0.2 0.82,0.05c 0.8,0.6 0.6,0.95 0.3,0.98"),
        _shape(
            "0.95,0.1 0.75,0 0.5,0.1 0.5,0.35 0.75,0.42 0.95,0.25 0.96,0.05c 0.9,0.6 0.6,0.92 0.2,1 0,0.9"
        ),
        _shape("0.45,0.42 0.15,0.32 0.15,0.08 0.5,0 0.85,0.12 0.82,0.5 0.78,1"),
        _shape("0.8,0.3 0.4,0.4 0.05,0.3 0.1,0.05 0.6,0 0.9,0.2 0.85,0.6 0.7,1"),
        _shape("0.8,0.08 0.45,0 0,0.15 0.3,0.3 0.8,0.2 0.85,0.12c 0.9,0.8 0.6,0.97 0,1"),
        _shape("0.3,0.25 0.55,0.35 0.75,0.2 0.6,0.02 0.3,0.05 0.35,0.2 0.7,0.35 0.85,0.6 0.55,0.9 0,1"),
    ],
}
BAR_SHARE = 0.5  # of 7s: a bar through the stem
ROUND_BAR_SHARE = 0.85  # of the 7s of the last shape (a 2-like round top): without a bar it is a 2
SLASH_SHARE = 0.15  # of 0s: a slash
STEADY_ZERO = 0.6  # a 0's points move less: a ring moved as much grows corners (a heart, a lemon)


def written_digits(count: int, rng: np.random.Generator, on_progress=None) -> tuple[np.ndarray, np.ndarray]:
    """(count, 28, 28) uint8 MNIST-style images of digits written as strokes, and their (count,) labels.

    `on_progress(done)` hears every PROGRESS_EVERY digits and at the end how many are written."""
    images, labels = [], []
    while len(images) < count:
        digit = len(images) % 10
        image = canvas_to_image(draw(written_strokes(digit, rng), rng))
        if image is not None:
            images.append(np.round(image * 255).astype(np.uint8))
            labels.append(digit)
            if on_progress and len(images) % PROGRESS_EVERY == 0 and len(images) < count:
                on_progress(len(images))
    if on_progress:
        on_progress(len(images))
    return np.stack(images), np.asarray(labels, dtype=np.uint8)


def written_strokes(digit: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One hand's strokes of `digit`: a letter shape, moved, slanted, turned, in a unit-height box."""
    shapes = SHAPES[digit]
    shape = int(rng.integers(len(shapes) + (digit == 7)))  # 7s: one more, made below
    jitter = JITTER * (STEADY_ZERO if digit == 0 else 1.0)
    if shape == len(shapes):
        return _shaped([_curve(stroke, rng) for stroke in _seven_with_long_bar(rng)], rng)
    strokes = [_curve(stroke, rng, jitter) for stroke in shapes[shape]]
    if digit == 7 and rng.random() < (ROUND_BAR_SHARE if shape == len(shapes) - 1 else BAR_SHARE):
        strokes.append(_bar(strokes[0], rng))
    if digit == 0 and rng.random() < SLASH_SHARE:
        reach = rng.uniform(0.0, 0.25)
        strokes.append(_curve([(0.85 + reach, -reach), (0.15 - reach, 1.0 + reach)], rng))
    return _shaped(strokes, rng)


def _shaped(strokes: list[np.ndarray], rng) -> list[np.ndarray]:
    """The strokes made narrower or wider, slanted and turned, as one hand writes."""
    slant, turn = rng.uniform(*SLANT), np.deg2rad(rng.uniform(-TURN_DEGREES, TURN_DEGREES))
    width = rng.uniform(*WIDTH_RANGE)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    shaped = []
    for points in strokes:
        x, y = points[:, 0] * width, points[:, 1]
        shaped.append(np.stack([x + slant * (1.0 - y), y], 1) @ rotation.T)
    return shaped


def _seven_with_long_bar(rng) -> list[list[tuple]]:
    """A 7 as many Europeans write it: a short round top, a long stem ending to the left, and a bar
    from left of the stem (often with a tick where the pen lands) far out to the right."""
    top = rng.uniform(0.3, 0.6)  # the top's width, as a share of the height
    bar = rng.uniform(0.45, 0.72)  # how low the bar crosses
    foot = rng.uniform(0.05, 0.35)  # where the stem ends
    start, end = rng.uniform(-0.05, 0.12), top + rng.uniform(0.0, 0.5)
    stem = [
        (0.0, 0.12),
        (0.45 * top, 0.0),
        (top, 0.18),
        (0.95 * top, 0.45),
        (0.6 * top + 0.4 * foot, 0.8),
        (foot, 1.0),
    ]
    crossing = [(start, bar), (end, bar - rng.uniform(-0.02, 0.1))]
    if rng.random() < 0.5:
        crossing = [(start + 0.04, bar + 0.1), (start, bar, C), crossing[1]]
    return [stem, crossing]


def _bar(stem: np.ndarray, rng) -> np.ndarray:
    """A short bar across a 7's stem, below its top, often wider to the left."""
    y = rng.uniform(0.4, 0.8)
    x = float(np.interp(y, *_stem_after_top(stem)))
    left, right = rng.uniform(0.15, 0.5), rng.uniform(0.1, 0.45)
    tilt = rng.uniform(-0.06, 0.04)
    return _curve([(x - left, y - tilt), (x + right, y + tilt)], rng)


def _stem_after_top(stem: np.ndarray):
    """The stem's x by y: the stroke from its rightmost point (the end of the top) down."""
    start = int(np.argmax(stem[:, 0]))
    ys, xs = stem[start:, 1], stem[start:, 0]
    order = np.argsort(ys)
    return ys[order], xs[order]


def _curve(points, rng, jitter: float = JITTER) -> np.ndarray:
    """Control points (x, y[, C]) -> (n, 2) points of a smooth stroke through them, each moved at random.

    Catmull-Rom splines through the points; a point marked C breaks the spline into a corner.
    """
    moved = [(x + rng.normal(0, jitter), y + rng.normal(0, jitter)) for x, y, *_ in points]
    corners = [i for i, point in enumerate(points) if len(point) > 2]
    pieces, start = [], 0
    for end in [*corners, len(points) - 1]:
        if end > start:
            pieces.append(_spline(np.asarray(moved[start : end + 1])))
        start = end
    return np.concatenate(pieces) if pieces else np.asarray(moved)


def _spline(points: np.ndarray) -> np.ndarray:
    if len(points) < 3:
        return points
    padded = np.concatenate([2 * points[:1] - points[1:2], points, 2 * points[-1:] - points[-2:-1]])
    t = np.linspace(0, 1, SAMPLES, endpoint=False)[:, None]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    return np.concatenate([*out, points[-1:]])


def draw(strokes: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Strokes in any box -> (PAD, PAD) uint8 ink, drawn at a random size and place with a round brush."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-3)
    brush = rng.uniform(*BRUSH_RANGE)
    margin = brush / 2 + 2
    scale = min(rng.uniform(*HEIGHT_RANGE) * PAD / span[1], (PAD - 2 * margin) / span[0])
    size = span * scale
    left, top = (rng.uniform(margin, max(margin, PAD - extent - margin)) for extent in size)
    ink = Image.new("L", (PAD, PAD))
    pen = ImageDraw.Draw(ink)
    radius = brush / 2
    for stroke in strokes:
        xy = [(left + (x - low[0]) * scale, top + (y - low[1]) * scale) for x, y in stroke]
        pen.line(xy, fill=255, width=round(brush), joint="curve")
        for x, y in (xy[0], xy[-1]):  # round ends, like the pad's brush
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return np.asarray(ink)
