"""Augmentation: make MNIST look more like digits people draw on a canvas.

Three parts, all used by `python -m model.train --augment`:
- `augment_batch`: every epoch each training digit is randomly shifted, rotated, scaled, sheared,
  for half of them bent by a smooth warp, and thickened or thinned (TensorFlow ops inside the
  tf.data pipeline, so it costs little).
- `add_style_variants`: handwriting styles MNIST (American writers) lacks are added once, drawn
  onto real MNIST digits: crossed 7s, 0s slashed at many angles and lengths, 1s with a flag, 9s
  whose stem ends in a curl, a hook or a long sweep to the left.
- `pen_strokes`: a share of the digits is retraced along its centre lines with a round pen of
  one width, the way a canvas brush draws (MNIST's scanned strokes vary in width and pressure);
  a fifth again with a fat pen, as a small digit drawn with the pad's default brush looks.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from model import parallel
from model.constants import IMAGE_SIDE, INPUT_SIZE
from model.preprocess import canvas_to_image

ROTATION_DEGREES = 12.0  # people tilt digits; MNIST's own slant varies about this much
SCALE_RANGE = (0.85, 1.12)  # the 20 px box is refitted at inference, so only modest size jitter
ASPECT_JITTER = 0.12  # independent x/y scale: narrow and wide handwriting
SHEAR = 0.25  # italic slant
SHIFT_PIXELS = 2.0  # centring by mass is off by a pixel or two for lopsided digits
WARP_P = 0.5  # share of digits bent by a smooth random warp, as a hand bends strokes
WARP_PIXELS = 2.5  # at most this far, in pixels of the 28x28 grid
WARP_GRID = 4  # the warp is random on a 4x4 grid and smooth in between
THICKNESS_P = 0.2  # share of digits thickened, and again of digits thinned
STYLE_FRACTION = 0.35  # share of 0s, 1s, 7s and 9s that get a styled copy
PEN_SHARE = 1.0  # share of training digits that get a pen-retraced copy
PEN_WIDTH = (1.2, 4.5)  # pen widths for retracing, in pixels of the 28x28 grid (MNIST's ~2.5)
FAT_PEN_SHARE = 0.2  # share of training digits that get a second copy retraced with a fat pen...
FAT_PEN_WIDTH = (4.5, 7.0)  # ...as a small digit drawn with the pad's default brush looks
PROGRESS_CHUNK = 2_000  # digits retraced between progress reports (about 2 s on one core)
SUPERSAMPLE = 4  # added strokes are drawn at 4x and averaged down, anti-aliased like MNIST


def augment_batch(x, y):
    """tf: (b, 784) float32 in [0, 1] and labels -> randomly transformed (b, 784) float32, same labels."""
    import tensorflow as tf

    images = tf.reshape(x, (-1, IMAGE_SIDE, IMAGE_SIDE, 1))
    images = _random_affine(images)
    images = _random_warp(images)
    images = _random_thickness(images)
    return tf.reshape(tf.clip_by_value(images, 0.0, 1.0), (-1, INPUT_SIZE)), y


def _random_affine(images):
    import tensorflow as tf

    n = tf.shape(images)[0]
    angle = tf.random.uniform((n,), -1.0, 1.0) * ROTATION_DEGREES * np.pi / 180.0
    scale = tf.random.uniform((n,), *SCALE_RANGE)
    scale_x = scale * (1.0 + tf.random.uniform((n,), -ASPECT_JITTER, ASPECT_JITTER))
    scale_y = scale * (1.0 + tf.random.uniform((n,), -ASPECT_JITTER, ASPECT_JITTER))
    shear = tf.random.uniform((n,), -SHEAR, SHEAR)
    shift_x = tf.random.uniform((n,), -SHIFT_PIXELS, SHIFT_PIXELS)
    shift_y = tf.random.uniform((n,), -SHIFT_PIXELS, SHIFT_PIXELS)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # The op maps each output pixel back to an input pixel: input = A (output - c) + c - shift,
    # with A = [[1, shear], [0, 1]] @ rotation / scale.
    a00, a01 = (cos + shear * sin) / scale_x, (-sin + shear * cos) / scale_x
    a10, a11 = sin / scale_y, cos / scale_y
    centre = (IMAGE_SIDE - 1) / 2.0
    a02 = centre - a00 * centre - a01 * centre - shift_x
    a12 = centre - a10 * centre - a11 * centre - shift_y
    zeros = tf.zeros_like(a00)
    transforms = tf.stack([a00, a01, a02, a10, a11, a12, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.constant([IMAGE_SIDE, IMAGE_SIDE]),
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )


def _random_warp(images):
    """Bend a share of the digits smoothly (an elastic distortion, as in Simard et al. 2003): each pixel
    is read from up to WARP_PIXELS away, the offsets random on a coarse grid and smooth between."""
    import tensorflow as tf

    n = tf.shape(images)[0]
    side = IMAGE_SIDE
    strength = tf.random.uniform((n, 1, 1, 1), 0.0, WARP_PIXELS)
    strength *= tf.cast(tf.random.uniform((n, 1, 1, 1)) < WARP_P, tf.float32)
    coarse = tf.random.uniform((n, WARP_GRID, WARP_GRID, 2), -1.0, 1.0)
    offsets = tf.image.resize(coarse, (side, side), method="bicubic") * strength
    grid = tf.range(side, dtype=tf.float32)
    rows, cols = tf.meshgrid(grid, grid, indexing="ij")
    y = rows[None] + offsets[..., 0]
    x = cols[None] + offsets[..., 1]
    y0, x0 = tf.floor(y), tf.floor(x)
    wy, wx = y - y0, x - x0
    # Pixels outside the grid read from a zero appended after the last one.
    flat = tf.concat([tf.reshape(images, (n, side * side)), tf.zeros((n, 1))], axis=1)
    weights = [tf.reshape(w, (n, -1)) for w in (1 - wy, wy, 1 - wx, wx)]
    top = _read_pixels(flat, y0, x0) * weights[2] + _read_pixels(flat, y0, x0 + 1) * weights[3]
    bottom = _read_pixels(flat, y0 + 1, x0) * weights[2] + _read_pixels(flat, y0 + 1, x0 + 1) * weights[3]
    warped = top * weights[0] + bottom * weights[1]
    return tf.reshape(warped, (n, side, side, 1))


def _read_pixels(flat, rows, cols):
    """tf: the pixels at integer (rows, cols) of (n, h, w) each, from (n, 784 + 1) images; 0 outside."""
    import tensorflow as tf

    side = IMAGE_SIDE
    inside = (rows >= 0) & (rows < side) & (cols >= 0) & (cols < side)
    index = tf.where(inside, tf.cast(rows * side + cols, tf.int32), side * side)
    return tf.gather(flat, tf.reshape(index, (tf.shape(flat)[0], -1)), batch_dims=1)


def _random_thickness(images):
    import tensorflow as tf

    n = tf.shape(images)[0]
    # Half-strength 3x3 dilation/erosion: about one pixel wider or narrower, still anti-aliased.
    thicker = (images + tf.nn.max_pool2d(images, 3, 1, "SAME")) / 2.0
    thinner = (images - tf.nn.max_pool2d(-images, 3, 1, "SAME")) / 2.0
    choice = tf.random.uniform((n, 1, 1, 1))
    images = tf.where(choice < THICKNESS_P, thicker, images)
    return tf.where(choice > 1.0 - THICKNESS_P, thinner, images)


def skeleton(images: np.ndarray) -> np.ndarray:
    """(..., 28, 28) uint8 images -> same-shape bool one-pixel-wide centre lines (Zhang-Suen thinning)."""
    pad = [(0, 0)] * (images.ndim - 2) + [(1, 1), (1, 1)]
    image = np.pad(images > 50, pad)  # low: faint parts of a stroke still belong to it
    while True:
        changed = False
        for step in (0, 1):
            p = image
            n = [  # neighbours P2..P9, clockwise from north
                np.roll(p, 1, -2),
                np.roll(np.roll(p, 1, -2), -1, -1),
                np.roll(p, -1, -1),
                np.roll(np.roll(p, -1, -2), -1, -1),
                np.roll(p, -1, -2),
                np.roll(np.roll(p, -1, -2), 1, -1),
                np.roll(p, 1, -1),
                np.roll(np.roll(p, 1, -2), 1, -1),
            ]
            count = sum(x.astype(np.int8) for x in n)
            transitions = sum((~n[i] & n[(i + 1) % 8]).astype(np.int8) for i in range(8))
            if step == 0:
                side = ~(n[0] & n[2] & n[4]) & ~(n[2] & n[4] & n[6])
            else:
                side = ~(n[0] & n[2] & n[6]) & ~(n[0] & n[4] & n[6])
            remove = p & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                image = p & ~remove
                changed = True
        if not changed:
            return image[..., 1:-1, 1:-1]


def augmented_training_set(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator, on_progress=None
) -> tuple[np.ndarray, np.ndarray]:
    """(n, 28, 28) uint8 and (n,) labels -> MNIST plus styled and pen-retraced copies (done once).

    Retracing takes about a millisecond per digit, spread over the CPU's cores for large sets;
    `on_progress(done, total)` hears how far it is.
    """
    images, labels = add_style_variants(images, labels, rng)
    chosen = rng.choice(len(images), size=int(len(images) * PEN_SHARE), replace=False)
    widths = rng.uniform(*PEN_WIDTH, size=len(chosen))  # the same draws as one per digit in turn
    fat = rng.choice(len(images), size=int(len(images) * FAT_PEN_SHARE), replace=False)
    chosen = np.concatenate([chosen, fat])
    widths = np.concatenate([widths, rng.uniform(*FAT_PEN_WIDTH, size=len(fat))])
    chunks = [
        (images[chosen[start : start + PROGRESS_CHUNK]], widths[start : start + PROGRESS_CHUNK])
        for start in range(0, len(chosen), PROGRESS_CHUNK)
    ]
    with parallel.mapper(len(chosen)) as map_:  # worker processes, for large sets
        retraced = _retrace(chunks, map_, on_progress, len(chosen))
    return (
        np.concatenate([images, *retraced]),
        np.concatenate([labels, labels[chosen]]),
    )


def _retrace(chunks, mapper, on_progress, total: int) -> list[np.ndarray]:
    retraced, done = [], 0
    for images in mapper(_pen_strokes_chunk, chunks):  # results come back in order
        retraced.append(images)
        done += len(images)
        if on_progress:
            on_progress(done, total)
    return retraced


def _pen_strokes_chunk(chunk) -> np.ndarray:
    images, widths = chunk
    return pen_strokes(images, widths)


def pen_strokes(images: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """(n, 28, 28) uint8 digits -> the same digits retraced with round pens `widths` (n,) pixels wide.

    A canvas brush draws strokes of one width with round ends; MNIST's scanned pen strokes vary.
    Tracing each digit's centre lines with a uniform brush teaches the model the canvas's look.
    """
    lines = skeleton(images)
    out = np.empty_like(images)
    side = IMAGE_SIDE * SUPERSAMPLE
    for number, line in enumerate(lines):
        layer = Image.new("L", (side, side))
        draw = ImageDraw.Draw(layer)
        radius = widths[number] * SUPERSAMPLE / 2
        for y, x in zip(*np.nonzero(line)):
            cx, cy = (x + 0.5) * SUPERSAMPLE, (y + 0.5) * SUPERSAMPLE
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=255)
        for dy, dx in ((0, 1), (1, 1), (1, 0), (1, -1)):
            ends = (
                line[: IMAGE_SIDE - dy, max(0, -dx) : IMAGE_SIDE - max(0, dx)]
                & line[dy:, max(0, dx) : IMAGE_SIDE - max(0, -dx) or None]
            )
            for y, x in zip(*np.nonzero(ends)):
                x += max(0, -dx)
                start = ((x + 0.5) * SUPERSAMPLE, (y + 0.5) * SUPERSAMPLE)
                end = ((x + dx + 0.5) * SUPERSAMPLE, (y + dy + 0.5) * SUPERSAMPLE)
                draw.line([start, end], fill=255, width=int(round(2 * radius)))
        image = canvas_to_image(np.asarray(layer.reduce(SUPERSAMPLE)))
        out[number] = images[number] if image is None else np.round(image * 255).astype(np.uint8)
    return out


def add_style_variants(
    images: np.ndarray, labels: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(n, 28, 28) uint8 and (n,) labels -> the same plus styled copies of some 0s, 1s, 7s and 9s."""
    extra_images, extra_labels = [], []
    for digit, add_stroke in ((0, _slash), (1, _flag), (7, _cross), (9, _tail)):
        indices = np.flatnonzero(labels == digit)
        chosen = rng.choice(indices, size=int(len(indices) * STYLE_FRACTION), replace=False)
        for index in chosen:
            styled = _with_stroke(images[index], add_stroke, rng)
            if styled is not None:
                extra_images.append(styled)
                extra_labels.append(digit)
    if not extra_images:
        return images, labels
    return (
        np.concatenate([images, np.stack(extra_images)]),
        np.concatenate([labels, np.asarray(extra_labels, dtype=labels.dtype)]),
    )


def _with_stroke(image: np.ndarray, add_stroke, rng) -> np.ndarray | None:
    ink = image > 127
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size < 4 or cols.size < 2:
        return None
    box = (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)
    line = add_stroke(ink, box, rng)
    if line is None:
        return None
    # Draw on a larger canvas so a stroke may reach past the digit, then refit it like a drawing.
    pad = IMAGE_SIDE // 2
    side = (IMAGE_SIDE + 2 * pad) * SUPERSAMPLE
    layer = Image.new("L", (side, side))
    points = [((x + pad + 0.5) * SUPERSAMPLE, (y + pad + 0.5) * SUPERSAMPLE) for x, y in line]
    width = int(rng.uniform(1.8, 2.6) * SUPERSAMPLE)
    ImageDraw.Draw(layer).line(points, fill=255, width=width, joint="curve")
    stroke = np.asarray(layer.reduce(SUPERSAMPLE), dtype=np.uint8)
    combined = np.pad(image, pad).copy()
    np.maximum(combined, stroke, out=combined)
    image = canvas_to_image(combined)
    return None if image is None else np.round(image * 255).astype(np.uint8)


def _cross(ink, box, rng):
    """A bar across the stem of a 7, a little below the middle."""
    top, bottom, left, right = box
    y = int(top + rng.uniform(0.4, 0.75) * (bottom - top))
    stem = np.flatnonzero(ink[y])
    if stem.size == 0:
        return None
    x = stem.mean()
    half = max(3.0, rng.uniform(0.25, 0.55) * (right - left))
    tilt = rng.uniform(-1.0, 1.0)
    return [(x - half, y + tilt), (x + half, y - tilt)]


def _slash(ink, box, rng):
    """A stroke through a 0: steep or flat, mostly rising to the right, inside the ring or well past it.

    Each end stops at 85-150% of the way from the centre to the ring (measured along the slash).
    """
    top, bottom, left, right = box
    rx, ry = (right - left) / 2, (bottom - top) / 2
    cx = (left + right) / 2 + rng.uniform(-0.1, 0.1) * rx
    cy = (top + bottom) / 2 + rng.uniform(-0.1, 0.1) * ry
    angle = np.deg2rad(rng.uniform(30, 80) if rng.random() < 0.8 else rng.uniform(100, 150))
    ring = 1.0 / np.hypot(np.cos(angle) / rx, np.sin(angle) / ry)
    ends = [side * ring * rng.uniform(0.85, 1.5) for side in (-1, 1)]
    return [(cx + end * np.cos(angle), cy - end * np.sin(angle)) for end in ends]


TAIL_STEPS = 12  # points along an added curl


def _tail(ink, box, rng):
    """The stem of a 9 carried on into a curl (wide, turning up to 180 degrees) or a short sharp hook."""
    top, bottom, left, right = box
    height = bottom - top
    rows = [row for row in range(bottom - max(3, height // 4), bottom) if ink[row].any()]
    ends = [(np.flatnonzero(ink[row]).mean(), row) for row in rows]
    if len(ends) < 2 or np.ptp(np.flatnonzero(ink[bottom - 1])) > 4:  # no single stem end at the bottom
        return None
    (x0, y0), (x1, y1) = ends[0], ends[-1]
    heading = np.arctan2(y1 - y0, x1 - x0)  # on screen, y down: pi/2 is straight down
    if not np.pi / 4 < heading < 3 * np.pi / 4:  # the stem's end does not run down
        return None
    kind = rng.random()
    if kind < 0.35:
        radius, turn = rng.uniform(0.12, 0.35) * height, np.deg2rad(rng.uniform(90, 180))  # a curl
    elif kind < 0.7:  # a sweep: the stem bends left into a long, nearly flat tail (pen-written 9s)
        radius, turn = rng.uniform(0.35, 0.8) * height, np.deg2rad(rng.uniform(50, 100))
    else:
        radius, turn = rng.uniform(0.05, 0.1) * height, np.deg2rad(rng.uniform(120, 180))  # a hook
    x, y = x1, y1 - 0.5  # from the stem's last row, turning towards the left
    points = [(x, y)]
    for _ in range(TAIL_STEPS):
        heading += turn / TAIL_STEPS
        x += radius * turn / TAIL_STEPS * np.cos(heading)
        y += radius * turn / TAIL_STEPS * np.sin(heading)
        points.append((x, y))
    return points


def _flag(ink, box, rng):
    """An up-stroke into the top of a 1: short and flat, or long the continental European way."""
    top, bottom, left, right = box
    start = np.flatnonzero(ink[top])
    x0 = start.mean()
    length = rng.uniform(0.2, 0.7) * (bottom - top)
    angle = np.deg2rad(rng.uniform(20.0, 65.0))
    return [(x0 - length * np.cos(angle), top + length * np.sin(angle)), (x0, top)]
