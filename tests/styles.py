"""Handwriting styles drawn on the canvas: stroke scripts for digits MNIST has few of.

Each style is a function that draws one writer's version of a digit as strokes in a box one unit
high and `width` units wide (x to the right, y down). `styled_canvas` turns a style into a pad
drawing: each writer gets their own slant, tilt, width, size, place, brush and a wobbly hand, and
the strokes are drawn with `tests/drawing.py`'s round brush in one of the canvas looks.

This set is a yardstick only: nothing in `model/` trains on it (`model/augment.py` draws its own
styles onto MNIST digits). `benchmarks/drawn_digits.py` reports it per style.
"""

from __future__ import annotations

import numpy as np

from tests.drawing import SIZE, draw_canvas

CURVE_POINTS = 48  # points per full turn of an arc: smooth at the pad's size


def arc(cx, cy, rx, ry, start, end, points=None):
    """Points on an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = up, growing
    anticlockwise)."""
    count = points or max(4, int(abs(end - start) / 360 * CURVE_POINTS))
    angles = np.deg2rad(np.linspace(start, end, count))
    return [(cx + rx * np.cos(a), cy - ry * np.sin(a)) for a in angles]


def _ellipse_reach(rx, ry, angle):
    """Distance from an ellipse's centre to its outline in direction `angle` (degrees)."""
    a = np.deg2rad(angle)
    return 1.0 / np.hypot(np.cos(a) / rx, np.sin(a) / ry)


# --- the styles: each (rng) -> (strokes in the unit box, box width) ---------------------------


def zero(rng):
    width = rng.uniform(0.45, 0.9)
    start = rng.uniform(60, 120)
    overlap = rng.uniform(-20, 35)  # some leave a gap at the top, some go past the start
    ring = np.asarray(arc(width / 2, 0.5, width / 2, 0.5, start, start + 360 + overlap))
    egg = rng.uniform(-0.25, 0.25)  # narrower at the top or at the bottom
    ring[:, 0] = width / 2 + (ring[:, 0] - width / 2) * (1 + egg * (ring[:, 1] - 0.5))
    return [[tuple(p) for p in ring]], width


def slashed_zero(rng):
    """A zero with a slash through it: steep or flat, inside the ring or well past it."""
    strokes, width = zero(rng)
    angle = rng.uniform(25, 85) if rng.random() < 0.8 else rng.uniform(100, 150)
    cx, cy = width / 2 + rng.uniform(-0.04, 0.04), 0.5 + rng.uniform(-0.05, 0.05)
    reach = _ellipse_reach(width / 2, 0.5, angle)
    ends = []
    for direction in (1, -1):  # each end stops short of the ring, on it, or past it
        length = reach * (1 + rng.uniform(-0.2, 0.6))
        a = np.deg2rad(angle)
        ends.append((cx + direction * length * np.cos(a), cy - direction * length * np.sin(a)))
    strokes.append([ends[1], ends[0]])  # drawn from the lower end up
    return strokes, width


def _nine_loop(rng, width):
    """The loop of a 9, drawn from its right side anticlockwise; returns points and its right edge."""
    rx, ry = width / 2 * rng.uniform(0.85, 1.0), rng.uniform(0.17, 0.33)
    cx, cy = width / 2, ry
    loop = arc(cx, cy, rx, ry, rng.uniform(-10, 40), 360 + rng.uniform(-40, 5))  # may stay open
    return loop, cx + rx, cy


def nine_straight(rng):
    width = rng.uniform(0.5, 0.75)
    loop, right, middle = _nine_loop(rng, width)
    foot = right - rng.uniform(0.0, 0.2) * width
    return [loop + [(right, middle), (foot, 1.0)]], width


def nine_curled(rng):
    """The stem curves round to the left at the bottom, like a g's tail."""
    width = rng.uniform(0.5, 0.75)
    loop, right, middle = _nine_loop(rng, width)
    radius = rng.uniform(0.3, 0.5) * width
    turn = 1.0 - radius * rng.uniform(0.7, 1.1)
    tail = arc(right - radius, turn, radius, 1.0 - turn, 0, -rng.uniform(90, 180))
    return [loop + [(right, middle)] + tail], width


def nine_hooked(rng):
    """The stem ends in a short sharp hook to the left."""
    width = rng.uniform(0.5, 0.75)
    loop, right, middle = _nine_loop(rng, width)
    hook = rng.uniform(0.12, 0.3) * width
    lift = rng.uniform(0.02, 0.1)
    return [loop + [(right, middle), (right, 1.0), (right - hook, 1.0 - lift)]], width


def four_closed(rng):
    """Two strokes: down-left diagonal and the bar, then the stem from the apex."""
    width = rng.uniform(0.6, 0.9)
    stem = rng.uniform(0.6, 0.8) * width
    bar = rng.uniform(0.55, 0.72)
    return [[(stem, 0.0), (0.0, bar), (width, bar)], [(stem, 0.0), (stem, 1.0)]], width


def four_open(rng):
    """The left stroke and the stem do not meet at the top."""
    width = rng.uniform(0.6, 0.9)
    stem = rng.uniform(0.6, 0.8) * width
    bar = rng.uniform(0.5, 0.65)
    left_top = (rng.uniform(0.0, 0.4) * width, rng.uniform(0.0, 0.15))
    stem_top = rng.uniform(-0.02, 0.15)
    return [[left_top, (0.0, bar), (width, bar)], [(stem, stem_top), (stem, 1.0)]], width


def one_stick(rng):
    return [[(0.0, 0.0), (rng.uniform(-0.05, 0.05), 1.0)]], 0.1


def one_flag(rng):
    """A flag up into the top of the stem, short or long, flat or steep.

    Not both long and flat: a flag longer than ~half the height at under 25 degrees is a 7's bar,
    and people read it as a 7.
    """
    length = rng.uniform(0.12, 0.45)
    angle = np.deg2rad(rng.uniform(25, 70))
    flag = (-length * np.cos(angle), length * np.sin(angle))
    return [[flag, (0.0, 0.0), (0.0, 1.0)]], length


def one_flag_base(rng):
    strokes, width = one_flag(rng)
    half = rng.uniform(0.15, 0.3)
    return strokes + [[(-half, 1.0), (half, 1.0)]], width


def seven(rng):
    width = rng.uniform(0.55, 0.85)
    foot = rng.uniform(0.15, 0.45) * width
    start = [(0.0, rng.uniform(0.05, 0.15))] if rng.random() < 0.3 else []  # a small tick first
    return [start + [(0.0, 0.0), (width, 0.0), (foot, 1.0)]], width


def seven_barred(rng):
    """A bar across the stem, as much of Europe writes it."""
    strokes, width = seven(rng)
    foot = strokes[0][-1][0]
    y = rng.uniform(0.45, 0.6)
    x = width + (foot - width) * y  # where the stem is at that height
    half = rng.uniform(0.2, 0.35) * width
    return strokes + [[(x - half, y), (x + half, y + rng.uniform(-0.04, 0.04))]], width


def eight(rng):
    """One stroke: an S down and back up again, crossing in the middle."""
    width = rng.uniform(0.5, 0.75)
    waist = rng.uniform(0.4, 0.5)  # the crossing: the top loop is often the smaller
    t = np.linspace(0, 2 * np.pi, CURVE_POINTS)
    # y runs from 0 (top) down to 1 and back; the two loops split at `waist`.
    phase = (1 - np.cos(t)) / 2  # 0 -> 1 -> 0
    y = np.where(phase < 0.5, phase * 2 * waist, waist + (phase - 0.5) * 2 * (1 - waist))
    x = width / 2 - width / 2 * np.sin(2 * t) * np.where(phase < 0.5, 0.85, 1.0)
    return [list(zip(x, y)) + [(x[0], y[0])]], width


def four_curved(rng):
    """One stroke: a curved left side and the bar, then up and down the stem without lifting."""
    width = rng.uniform(0.6, 0.9)
    stem = rng.uniform(0.6, 0.8) * width
    bar = rng.uniform(0.5, 0.65)
    top = rng.uniform(0.0, 0.25) * width
    side = arc(stem / 2 + top / 2, bar / 2, stem / 2 - top / 2, bar / 2, 180 - rng.uniform(0, 30), 270)
    rise = rng.uniform(0.0, 0.15)
    return [[(top, 0.0)] + side + [(stem, bar), (stem + rng.uniform(-0.05, 0.05), rise), (stem, 1.0)]], width


def eight_two_loops(rng):
    """Two rings, one on the other, each its own stroke."""
    width = rng.uniform(0.5, 0.75)
    waist = rng.uniform(0.4, 0.5)
    upper = width / 2 * rng.uniform(0.7, 0.95)
    start = rng.uniform(60, 120)
    return [
        arc(width / 2, waist / 2, upper, waist / 2, start, start + 360),
        arc(width / 2, (1 + waist) / 2, width / 2, (1 - waist) / 2, start, start + 360),
    ], width


STYLES = {  # name -> (label, style)
    "0 plain": (0, zero),
    "0 slashed": (0, slashed_zero),
    "9 straight stem": (9, nine_straight),
    "9 curled stem": (9, nine_curled),
    "9 hooked stem": (9, nine_hooked),
    "4 closed": (4, four_closed),
    "4 open": (4, four_open),
    "4 curved": (4, four_curved),
    "1 stick": (1, one_stick),
    "1 flag": (1, one_flag),
    "1 flag and base": (1, one_flag_base),
    "7 plain": (7, seven),
    "7 barred": (7, seven_barred),
    "8 one stroke": (8, eight),
    "8 two loops": (8, eight_two_loops),
}


# --- a writer's hand on the pad -----------------------------------------------------------


def _wobble(points, rng, amount):
    """A hand is not a ruler: smooth random displacement along the stroke (resampled every 0.02)."""
    points = np.asarray(points, dtype=np.float64)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    steps = np.linspace(0.0, along[-1], max(2, int(along[-1] / 0.02) + 1))
    points = np.stack([np.interp(steps, along, points[:, k]) for k in (0, 1)], axis=1)
    if len(points) < 5:
        return points
    noise = rng.normal(0.0, amount, size=points.shape)
    kernel = np.ones(5) / 5
    return points + np.stack([np.convolve(noise[:, k], kernel, mode="same") for k in (0, 1)], axis=1)


WRITERS = {"height": (0.3, 0.8), "brush": (10, 28)}  # from a small digit in a corner to most of the pad
HAND = {"slant": (-0.15, 0.45), "tilt": (-12, 12), "wobble": (0.0, 0.02)}  # most hands lean right
SMALL_AND_FAT = {"height": (0.2, 0.35), "brush": (18, 28)}  # small digits, default brush or fatter


def styled_canvas(
    style, rng: np.random.Generator, look: str, height=WRITERS["height"], brush=WRITERS["brush"], hand=HAND
) -> np.ndarray:
    """One writer's drawing of `style` -> (280, 280, 4) uint8 RGBA pad image in `look`.

    `height` is the range of the digit's height as a share of the pad's, `brush` of the brush
    width in pixels (the pad's default is 18: on a small digit it is fat); `hand` the ranges of
    slant (sideways shift per unit of height), tilt (degrees) and wobble.
    """
    strokes, width = style(rng)
    slant = rng.uniform(*hand["slant"])
    tilt = np.deg2rad(rng.uniform(*hand["tilt"]))
    height = rng.uniform(*height) * SIZE
    brush = int(rng.uniform(*brush))
    wobble = rng.uniform(*hand["wobble"])
    placed = []
    for number, stroke in enumerate(strokes):
        points = _wobble(stroke, rng, wobble)
        if number:  # a lifted pen comes down a little off where the script says
            points = points + rng.normal(0.0, 0.025, size=2)
        x = points[:, 0] - width / 2 + slant * (0.5 - points[:, 1])
        y = points[:, 1] - 0.5
        rotated = np.stack([x * np.cos(tilt) - y * np.sin(tilt), x * np.sin(tilt) + y * np.cos(tilt)], axis=1)
        placed.append(rotated * height)
    every = np.concatenate(placed)
    low, high = every.min(axis=0), every.max(axis=0)
    margin = brush / 2 + 2
    room = SIZE - 2 * margin - (high - low)
    offset = margin - low + rng.uniform(0, 1, size=2) * np.maximum(room, 0)
    if (room < 0).any():  # too wide for the pad: shrink it to fit
        fit = (SIZE - 2 * margin) / (high - low).max()
        placed = [p * fit for p in placed]
        low = np.concatenate(placed).min(axis=0)
        offset = margin - low
    return draw_canvas([[tuple(p) for p in (s + offset)] for s in placed], width=brush, look=look)


def styled_set(
    per_style: int, seed: int = 7, looks=("white_on_black", "dark_on_white", "transparent"), writers=WRITERS
):
    """Yields (style name, label, canvas) for `per_style` writers of every style, looks in turn."""
    rng = np.random.default_rng(seed)
    for name, (label, style) in STYLES.items():
        for number in range(per_style):
            yield name, label, styled_canvas(style, rng, looks[number % len(looks)], **writers)
