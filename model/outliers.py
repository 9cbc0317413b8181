"""Drawings that are no digit, for outlier exposure: training teaches the network to spread its
answer evenly over the ten digits (a flat softmax) when it is shown one of these, so that a low top
probability can say "not a digit" (Hendrycks et al., "Deep Anomaly Detection with Outlier
Exposure", 2019).

Random compositions of two to five pen strokes (polylines, open arcs, zig-zags, wavy lines, small
closed shapes), single scribbles and zig-zags, filled blobs, rings with marks inside or with lobes,
and straight strokes no digit is made of (a flat line, a cross, an arrow), drawn on the pad with its
round brush and prepared like any drawing (`canvas_to_image`). They are made here, for training
only; the yardstick that measures the result (`tests/non_digits.py`) is another generator.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model.preprocess import canvas_to_image

PAD = 280  # px: drawn at the pad's size, so the brush and the 20x20 fit act as on a drawing
BRUSH_RANGE = (10, 28)  # px, around the pad's default brush
STRAIGHT_SHARE = 0.25  # of the drawings: straight strokes only
FILLED_SHARE = 0.1  # of the drawings: a filled blob (with strokes around it, or not)
SINGLE_SHARE = 0.15  # of the drawings: one stroke, a scribble or a zig-zag
RING_SHARE = 0.15  # of the drawings: a ring with marks inside, or a ring with lobes (a 0 it is not)
FLAT_TARGET = 0.1  # each digit's probability in the target of a non-digit: 1 / 10


def non_digit_images(count: int, rng: np.random.Generator) -> np.ndarray:
    """(count, 28, 28) uint8 MNIST-style images of drawings that are no digit."""
    images = []
    while len(images) < count:
        kind = rng.random()
        if kind < STRAIGHT_SHARE:
            strokes = _straight(rng)
        elif kind < STRAIGHT_SHARE + SINGLE_SHARE:
            strokes = [_stroke(rng, kind=rng.choice([0, 3]))]
        elif kind < STRAIGHT_SHARE + SINGLE_SHARE + RING_SHARE:
            strokes = _ring(rng)
        else:  # two to five strokes
            strokes = _composition(rng)
        brush = rng.uniform(*BRUSH_RANGE)
        size = rng.uniform(0.4, 0.85) * PAD
        ink = Image.new("L", (PAD, PAD))
        pen = ImageDraw.Draw(ink)
        if kind > 1 - FILLED_SHARE:  # a blob: a filled, lumpy shape, sometimes alone
            pen.polygon([(30 + x * size, 30 + y * size) for x, y in _lumpy_ring(rng)], fill=255)
            strokes = strokes[: int(rng.integers(0, 3))]
        for stroke in strokes:
            pen.line(
                [(30 + x * size, 30 + y * size) for x, y in stroke],
                fill=255,
                width=round(brush),
                joint="curve",
            )
        canvas = np.zeros((PAD, PAD, 4), dtype=np.uint8)
        canvas[..., :3] = np.asarray(ink)[..., None]
        canvas[..., 3] = 255
        image = canvas_to_image(canvas)
        if image is not None:
            images.append(np.round(image * 255).astype(np.uint8))
    return np.stack(images)


def _composition(rng) -> list[np.ndarray]:
    return [_stroke(rng) for _ in range(int(rng.integers(2, 6)))]


def _stroke(rng, kind: int | None = None) -> np.ndarray:
    """One random stroke in a unit box: (n, 2) points."""
    kind = rng.integers(5) if kind is None else kind
    if kind == 0:  # a polyline of several points, up to a scribble
        return rng.uniform(0, 1, size=(int(rng.integers(5, 16)), 2))
    if kind == 1:  # an open arc
        cx, cy, radius = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7), rng.uniform(0.1, 0.4)
        start = rng.uniform(0, 2 * np.pi)
        angles = np.linspace(start, start + rng.uniform(0.6, 1.6) * np.pi, 16)
        return np.stack(
            [cx + radius * np.cos(angles), cy + radius * rng.uniform(0.6, 1.4) * np.sin(angles)], 1
        )
    if kind == 3:  # a zig-zag, at any angle
        teeth = int(rng.integers(4, 9))
        depth = rng.uniform(0.1, 0.5)
        points = [(i / teeth, 0.5 + depth * (1 if i % 2 else -1)) for i in range(teeth + 1)]
        return _rotated(np.array(points), rng.uniform(0, np.pi))
    if kind == 2:  # a wavy line, at any angle
        t = np.linspace(0, 1, 20)
        wave = 0.5 + rng.uniform(0.05, 0.25) * np.sin(2 * np.pi * rng.uniform(1, 4) * t + rng.uniform(0, 6))
        return _rotated(np.stack([t, wave], 1), rng.uniform(0, np.pi))
    corners = int(rng.integers(3, 7))  # a small closed shape, off centre
    angles = np.linspace(0, 2 * np.pi, corners + 1) + rng.uniform(0, 6)
    radius = rng.uniform(0.15, 0.4)
    return np.stack([0.5 + radius * np.cos(angles), 0.5 + radius * np.sin(angles)], 1) + rng.uniform(
        -0.2, 0.2, 2
    )


def _ring(rng) -> list[np.ndarray]:
    """A closed curve that is no 0: an oval with two or three marks inside (dots, short strokes, small
    arcs), or a ring with three to five lobes, with a mark or none."""
    rx, ry = rng.uniform(0.3, 0.45), rng.uniform(0.3, 0.45)
    lobes = int(rng.integers(3, 6)) if rng.random() < 0.5 else 0
    depth = rng.uniform(0.15, 0.35) if lobes else 0.0
    angles = np.linspace(0, 2 * np.pi, 49) + rng.uniform(0, 2 * np.pi)
    radius = 1.0 + depth * np.cos(lobes * angles + rng.uniform(0, 2 * np.pi))
    strokes = [np.stack([0.5 + rx * radius * np.cos(angles), 0.5 + ry * radius * np.sin(angles)], 1)]
    for _ in range(int(rng.integers(0, 2) if lobes else rng.integers(2, 4))):
        x, y = 0.5 + rx * rng.uniform(-0.5, 0.5), 0.5 + ry * rng.uniform(-0.5, 0.5)
        if rng.random() < 0.4:  # a dot
            strokes.append(np.array([[x, y], [x + 0.005, y]]))
        else:  # a short stroke or a small arc
            bend = rng.uniform(-0.08, 0.08)
            half = rng.uniform(0.05, 0.2) * np.array([np.cos(a := rng.uniform(0, np.pi)), np.sin(a)])
            middle = np.array([x, y]) + bend * np.array([-np.sin(a), np.cos(a)])
            strokes.append(np.array([[x, y] - half, middle, [x, y] + half]))
    return strokes


def _lumpy_ring(rng) -> np.ndarray:
    """The outline of a blob: a ring of 6-12 points at random distances from a centre."""
    corners = int(rng.integers(6, 13))
    angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
    radius = rng.uniform(0.2, 0.45) * rng.uniform(0.6, 1.0, corners)
    centre = rng.uniform(0.4, 0.6, 2)
    return np.stack([centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)], 1)


def _straight(rng) -> list[np.ndarray]:
    """A flat line, a cross or an arrow: straight strokes no digit is made of."""
    flat = _rotated(np.array([[0.05, 0.5], [0.95, 0.5]]), np.deg2rad(rng.uniform(-20, 20)))
    kind = rng.integers(3)
    if kind == 0:
        return [flat]
    if kind == 1:
        return [flat, _rotated(flat, np.deg2rad(rng.uniform(70, 110)))]
    head = flat[1]
    return [flat, np.array([head + [-0.2, -0.15], head, head + [-0.2, 0.15]])]


def _rotated(points: np.ndarray, angle: float) -> np.ndarray:
    """Points turned by `angle` (radians) about the unit box's centre."""
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return (points - 0.5) @ turn.T + 0.5
