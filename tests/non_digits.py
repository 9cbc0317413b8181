"""Drawings that are no digit, as people draw them on the pad: a yardstick for "not a digit",
never trained on (a training set of non-digits must come from another generator).

Each kind is drawn by many hands: pen strokes in a unit box (x right, y down), bent by the writer's
slant, size and wobble, then drawn on the 280x280 pad with a round brush at a random size, place,
width and look, as `tests/pen_digits.py` draws the real pen digits. Letters are traced along their
centre lines, the way a pen writes them, not from a font.
"""

from __future__ import annotations

import numpy as np

from tests.drawing import LOOKS, draw_canvas

CANVAS = 280
Strokes = list[list[tuple[float, float]]]


def arc(cx, cy, rx, ry, start, end, steps=24) -> list[tuple[float, float]]:
    """Points along an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down)."""
    angles = np.deg2rad(np.linspace(start, end, steps))
    return [(cx + rx * np.cos(a), cy + ry * np.sin(a)) for a in angles]


# Capital letters that look like no digit, as centre lines in a unit box (several ways to write some)
LETTERS: dict[str, list[Strokes]] = {
    "A": [[[(0.1, 1), (0.5, 0), (0.9, 1)], [(0.28, 0.6), (0.72, 0.6)]]],
    "E": [
        [[(0.85, 0), (0.15, 0), (0.15, 1), (0.85, 1)], [(0.15, 0.5), (0.7, 0.5)]],
        [[(0.15, 0), (0.15, 1)], [(0.15, 0), (0.85, 0)], [(0.15, 0.5), (0.7, 0.5)], [(0.15, 1), (0.85, 1)]],
    ],
    "F": [[[(0.85, 0), (0.15, 0), (0.15, 1)], [(0.15, 0.5), (0.7, 0.5)]]],
    "H": [[[(0.15, 0), (0.15, 1)], [(0.85, 0), (0.85, 1)], [(0.15, 0.5), (0.85, 0.5)]]],
    "K": [[[(0.15, 0), (0.15, 1)], [(0.85, 0), (0.15, 0.55), (0.85, 1)]]],
    "M": [[[(0.05, 1), (0.1, 0), (0.5, 0.65), (0.9, 0), (0.95, 1)]]],
    "N": [[[(0.15, 1), (0.15, 0), (0.85, 1), (0.85, 0)]]],
    "R": [[[(0.15, 1), (0.15, 0), *arc(0.45, 0.25, 0.35, 0.25, -90, 90), (0.15, 0.5), (0.85, 1)]]],
    "V": [[[(0.05, 0), (0.5, 1), (0.95, 0)]]],
    "W": [[[(0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1, 0)]]],
    "X": [[[(0.1, 0), (0.9, 1)], [(0.9, 0), (0.1, 1)]]],
    "Y": [[[(0.1, 0), (0.5, 0.5), (0.9, 0)], [(0.5, 0.5), (0.5, 1)]]],
    "C": [[arc(0.55, 0.5, 0.45, 0.5, -50, -310)]],
    "U": [[[(0.15, 0), *arc(0.5, 0.65, 0.35, 0.35, 180, 0), (0.85, 0)]]],
    "T": [[[(0.05, 0), (0.95, 0)], [(0.5, 0), (0.5, 1)]]],
}

# Hangul syllables a Korean pupil writes first, as jamo strokes in a unit box
HANGUL: dict[str, Strokes] = {
    "가": [[(0.05, 0.2), (0.45, 0.2), (0.3, 0.8)], [(0.7, 0), (0.7, 1)], [(0.7, 0.5), (0.95, 0.5)]],
    "나": [[(0.1, 0.15), (0.1, 0.75), (0.5, 0.75)], [(0.7, 0), (0.7, 1)], [(0.7, 0.45), (0.95, 0.45)]],
    "한": [
        [(0.35, 0), (0.45, 0.08)],
        [(0.1, 0.15), (0.7, 0.15)],
        arc(0.4, 0.35, 0.18, 0.12, 0, 360),
        [(0.8, 0), (0.8, 0.55)],
        [(0.8, 0.28), (0.97, 0.28)],
        [(0.2, 0.65), (0.2, 0.95), (0.85, 0.95)],
    ],
    "글": [
        [(0.15, 0.05), (0.85, 0.05), (0.8, 0.25)],
        [(0.05, 0.38), (0.95, 0.38)],
        [(0.15, 0.55), (0.85, 0.55), (0.85, 0.72), (0.15, 0.72), (0.15, 0.95), (0.88, 0.95)],
    ],
    "미": [
        [(0.08, 0.15), (0.08, 0.8)],
        [(0.08, 0.15), (0.5, 0.15), (0.5, 0.8), (0.08, 0.8)],
        [(0.8, 0), (0.8, 1)],
    ],
    "우": [arc(0.5, 0.25, 0.25, 0.2, 0, 360), [(0.05, 0.6), (0.95, 0.6)], [(0.5, 0.6), (0.5, 1)]],
}


def smiley(rng) -> Strokes:
    eye = rng.uniform(0.02, 0.05)
    return [
        arc(0.5, 0.5, 0.5, 0.5, 0, 360, 40),
        [(0.33, 0.35), (0.33 + eye, 0.35 + eye)],
        [(0.67, 0.35), (0.67 + eye, 0.35 + eye)],
        arc(0.5, 0.55, 0.25, rng.uniform(0.1, 0.22), 20, 160),
    ]


def heart(rng) -> Strokes:
    return [
        [(0.5, 1.0), *arc(0.27, 0.3, 0.23, 0.25, 160, 360), *arc(0.73, 0.3, 0.23, 0.25, 180, 380), (0.5, 1.0)]
    ]


def star(rng) -> Strokes:
    points = [(0.5 + 0.5 * np.sin(a), 0.5 - 0.5 * np.cos(a)) for a in np.deg2rad(np.arange(0, 721, 144))]
    return [points]


def arrow(rng) -> Strokes:
    return [[(0, 0.5), (1, 0.5)], [(0.7, 0.25), (1, 0.5), (0.7, 0.75)]]


def plus(rng) -> Strokes:
    return [[(0, 0.5), (1, 0.5)], [(0.5, 0), (0.5, 1)]]


def dot(rng) -> Strokes:
    return [[(0.5, 0.5), (0.5 + rng.uniform(0, 0.02), 0.5 + rng.uniform(0, 0.02))]]


def line(rng) -> Strokes:
    angle = rng.choice([rng.uniform(-25, 25), rng.uniform(35, 55), rng.uniform(125, 145)])  # not upright: a 1
    dx, dy = 0.5 * np.cos(np.deg2rad(angle)), 0.5 * np.sin(np.deg2rad(angle))
    return [[(0.5 - dx, 0.5 - dy), (0.5 + dx, 0.5 + dy)]]


def zigzag(rng) -> Strokes:
    teeth = int(rng.integers(3, 7))
    return [[(i / teeth, 0.0 if i % 2 else 1.0) for i in range(teeth + 1)]]


def scribble(rng) -> Strokes:
    return [[tuple(p) for p in rng.uniform(0, 1, size=(int(rng.integers(8, 20)), 2))]]


def blot(rng) -> Strokes:
    turns = np.linspace(0, 6 * np.pi, 120)
    radius = turns / turns[-1] * 0.5
    return [[(0.5 + r * np.cos(t), 0.5 + r * np.sin(t)) for r, t in zip(radius, turns)]]


SHAPES = {
    "smiley": smiley,
    "heart": heart,
    "star": star,
    "arrow": arrow,
    "cross": plus,
    "dot": dot,
    "line": line,
    "zig-zag": zigzag,
    "scribble": scribble,
    "filled blot": blot,
}
KINDS = ("letter", "hangul", *SHAPES, "edge")


def strokes_of(kind: str, rng: np.random.Generator) -> Strokes:
    if kind == "letter":
        return list(LETTERS[rng.choice(list(LETTERS))][0 if rng.random() < 0.7 else -1])
    if kind == "hangul":
        return HANGUL[rng.choice(list(HANGUL))]
    if kind == "edge":
        return SHAPES[rng.choice(["scribble", "line", "zig-zag"])](rng)
    return SHAPES[kind](rng)


def hand(strokes: Strokes, rng: np.random.Generator) -> list[np.ndarray]:
    """One writer's version: slant, rotation, aspect and a wobble on every point."""
    slant, tilt = rng.uniform(-0.25, 0.35), np.deg2rad(rng.uniform(-12, 12))
    aspect = rng.uniform(0.75, 1.3)
    out = []
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64) - 0.5
        x, y = points[:, 0] * aspect + slant * -points[:, 1], points[:, 1]
        x, y = x * np.cos(tilt) - y * np.sin(tilt), x * np.sin(tilt) + y * np.cos(tilt)
        wobble = rng.normal(0, 0.015 * min(1.0, 6 / len(x)), size=(len(x), 2))  # a shaky hand, not a saw
        out.append(np.stack([x, y], axis=1) + wobble)
    return out


def draw_non_digit(kind: str, rng: np.random.Generator, look: str | None = None) -> np.ndarray:
    """One drawing of `kind` on the pad: (280, 280, 4) uint8 RGBA."""
    strokes = hand(strokes_of(kind, rng), rng)
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-3)
    brush = rng.uniform(10, 28)
    size = rng.uniform(0.3, 0.85) * CANVAS
    scale = min(size / max(span), (CANVAS - brush - 4) / max(span))
    if kind in ("dot",):
        scale = 1.0
    extent = span * scale
    margin = brush / 2 + 2
    left, top = (rng.uniform(margin, max(margin, CANVAS - e - margin)) for e in extent)
    if kind == "edge":  # ink running off the pad: a fifth to a half of the drawing lies outside it
        outside = rng.uniform(0.2, 0.5) * extent[0]
        left = -outside if rng.random() < 0.5 else CANVAS - extent[0] + outside
    pixels = [[(left + (x - low[0]) * scale, top + (y - low[1]) * scale) for x, y in s] for s in strokes]
    return draw_canvas(pixels, width=round(brush), look=look or LOOKS[rng.integers(len(LOOKS))])


def non_digit_set(per_kind: int, seed: int = 0):
    """(kind, canvas) for `per_kind` drawings of every kind, each by its own hand."""
    rng = np.random.default_rng(seed)
    for kind in KINDS:
        for _ in range(per_kind):
            yield kind, draw_non_digit(kind, rng)
