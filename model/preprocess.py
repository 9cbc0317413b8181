"""Step 1 of the app's flow, prepare: from a canvas drawing to an MNIST-style 28x28 image.

MNIST digits were made like this: the digit's bounding box was scaled to fit 20x20 keeping its
aspect ratio (anti-aliased, hence grey levels), then placed in 28x28 so that its centre of mass
sits at the centre. Squashing a whole canvas to 28x28 instead gives the model small, off-centre
digits it has never seen; doing what MNIST did makes a drawing look like the training data.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

from model.constants import FIT_BOX, IMAGE_SIDE

INK_LEVEL = 64  # ink (0-255) above which a pixel counts as drawn; fainter is anti-aliasing haze
WORK_SCALE = 4  # strokes are measured and adjusted at 4x the final size, where 1 px is fine-grained
MNIST_STROKE = 10.8  # median stroke width of MNIST digits at 4x scale (20 px box -> 80 px), measured
THIN_STROKE = 0.85  # strokes thinner than this share of MNIST_STROKE are thickened (measured best)
MASS_CENTRE = 14.0  # MNIST's mean centre of mass, in pixel indices of the 28x28 grid


def canvas_to_image(canvas: np.ndarray) -> np.ndarray | None:
    """Prepare a drawing: (H, W, 4|3) or (H, W) uint8 canvas -> its MNIST-style (28, 28) image,
    float32 in [0, 1], white on black; None if nothing is drawn.

    Works for the three looks of a canvas: white ink on black, dark ink on white, and ink on a
    transparent background (alpha carries the stroke).
    """
    source, background = _ink_source(_validated(canvas))
    found = drawing_box(source, background)
    if found is None:
        return None
    (top, bottom, left, right), drawn = found
    image = fit_to_box(source[top:bottom, left:right], background, drawn[top:bottom, left:right])
    return None if image is None else centre_by_mass(image)


def drawing_box(source: np.ndarray, background: np.ndarray):
    """((top, bottom, left, right), (H, W) bool drawn pixels) of the drawing, or None if blank.

    On a canvas every pixel off the background colour belongs to the drawing (a one-pass test;
    the anti-aliasing fringe adds at most a pixel). Where the background itself is uneven (a
    photo, noise), that test marks everything, and the ink threshold decides instead.
    """
    drawn = _differs(source, background)
    box = ink_bounding_box(drawn)
    if box is None:
        return None
    height, width = source.shape[:2]
    if box != (0, height, 0, width):
        return box, drawn
    drawn = _ink_level(source, background) > INK_LEVEL / 255.0
    box = ink_bounding_box(drawn)
    return None if box is None else (box, drawn)


def ink_map(image: np.ndarray) -> np.ndarray:
    """Any of the three canvas looks -> (H, W) float32 ink level in [0, 1] of the whole canvas."""
    source, background = _ink_source(_validated(image))
    return _ink_level(source, background)


def _ink_source(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pixels that carry the drawing, and the background's colour in the same layout.

    A see-through background (RGBA whose border is not opaque) means alpha carries the stroke.
    """
    background = _background_colour(image)
    if image.ndim == 3 and image.shape[2] == 4 and background[3] < 255:
        return image[..., 3], background[3]
    return image, background


def _background_colour(image: np.ndarray) -> np.ndarray:
    """The canvas colour: what most of 8 border samples agree on, else the border's median."""
    height, width = image.shape[:2]
    samples = [image[y, x] for y in (0, height // 2, height - 1) for x in (0, width // 2, width - 1)]
    samples.pop(4)  # the centre is not border
    colours = [sample.tobytes() for sample in samples]
    common = max(set(colours), key=colours.count)
    if colours.count(common) >= 5:
        return samples[colours.index(common)]
    step = max(1, min(height, width) // 64)  # ~256 border pixels are plenty for a median
    border = np.concatenate([image[0, ::step], image[-1, ::step], image[::step, 0], image[::step, -1]])
    return np.median(border, axis=0).astype(np.uint8)


def _differs(source: np.ndarray, background: np.ndarray) -> np.ndarray:
    """(H, W) bool: pixels whose colour is not exactly the background's."""
    if source.ndim == 2:
        return source != background
    if source.shape[2] == 4 and source.flags.c_contiguous:
        # One 32-bit comparison per RGBA pixel instead of four 8-bit ones.
        return source.view(np.uint32)[..., 0] != background.view(np.uint32)[0]
    return (source != background).any(axis=2)


def _ink_level(source: np.ndarray, background: np.ndarray) -> np.ndarray:
    """(h, w[, c]) uint8 pixels -> (h, w) float32 ink in [0, 1], relative to the background."""
    return _ink_from_luma(np.asarray(_luma_image(source)), _luma_of(background))


def _ink_from_luma(luma: np.ndarray, paper: float) -> np.ndarray:
    """(h, w) uint8 brightness and the background's -> float32 ink in [0, 1] (dark-on-light inverted)."""
    return _ink_table(paper)[luma]  # one look-up per pixel instead of four passes of arithmetic


@functools.lru_cache(maxsize=256)  # one table per background brightness, 0..255
def _ink_table(paper: float) -> np.ndarray:
    """The ink level of each of the 256 brightnesses on this background: float32, read-only."""
    luma = np.arange(256, dtype=np.float32)
    if paper > 127.5:
        ink = (paper - luma) * (1.0 / paper)
    else:
        ink = (luma - paper) * (1.0 / (255.0 - paper))
    table = np.clip(ink, 0.0, 1.0, out=ink)
    table.flags.writeable = False
    return table


def _luma_image(pixels: np.ndarray) -> Image.Image:
    """uint8 (h, w) grey or (h, w, 3|4) colour -> 'L' image of brightness (ITU-R 601; alpha ignored)."""
    pixels = np.ascontiguousarray(pixels)
    if pixels.ndim == 2:
        return Image.fromarray(pixels, mode="L")
    return Image.fromarray(pixels).convert("L")


def _luma_of(colour: np.ndarray) -> float:
    """The brightness (0..255) of one background colour, exactly as Pillow's 'L' conversion."""
    if colour.ndim == 0:
        return float(colour)
    red, green, blue = (int(channel) for channel in colour[:3])
    return float((red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16)


def _validated(image) -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise ValueError(f"canvas image must be a numpy array, got {type(image).__name__}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(f"canvas image must have shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(f"canvas image is too small: {image.shape}")
    if image.dtype == np.uint8:
        return image
    if np.issubdtype(image.dtype, np.floating):
        if np.isnan(image).any():
            raise ValueError("canvas image contains NaN values")
        if image.min() < 0.0 or image.max() > 1.0:
            raise ValueError("a float canvas image must hold values in [0, 1]")
        return np.round(image * 255.0).astype(np.uint8)
    raise ValueError(f"canvas image must be uint8 (or float in [0, 1]), got dtype {image.dtype}")


def ink_bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(H, W) bool drawn pixels -> (top, bottom, left, right) slice bounds, or None if none."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask[rows[0] : rows[-1] + 1].any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def fit_to_box(pixels: np.ndarray, background: np.ndarray, drawn: np.ndarray) -> np.ndarray | None:
    """(h, w[, c]) uint8 pixels of the drawing's box and (h, w) bool drawn pixels -> float32 ink,
    longer side 20 px, aspect kept, MNIST stroke weight; None if it holds only faint haze.

    Works at 4x the final size: the pixels are scaled to leave room for thickening, hairlines
    are thickened there, and every 4x4 block is averaged into one final pixel (anti-aliasing).
    """
    height, width = pixels.shape[:2]
    longer = max(height, width)
    work_box = FIT_BOX * WORK_SCALE
    radius = thickening_radius(drawn, work_box / longer)
    scale = (work_box - 2 * radius) / longer  # the thickened digit's longer side is work_box
    sizes = []
    for side in (height, width):
        inner = max(1, round(side * scale))
        final = min(FIT_BOX, max(1, -(-(inner + 2 * radius) // WORK_SCALE)))  # ceil
        sizes.append((max(1, min(inner, final * WORK_SCALE - 2 * radius)), final))
    (inner_h, out_h), (inner_w, out_w) = sizes
    # BOX averages every source pixel under a target pixel: the anti-aliasing MNIST used.
    resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
    small = _luma_image(pixels).resize((inner_w, inner_h), resample)
    ink = _ink_from_luma(np.asarray(small), _luma_of(background))
    if ink.max() < INK_LEVEL / 255.0:
        return None
    work = np.zeros((out_h * WORK_SCALE, out_w * WORK_SCALE), dtype=np.float32)
    top, left = (work.shape[0] - inner_h) // 2, (work.shape[1] - inner_w) // 2
    work[top : top + inner_h, left : left + inner_w] = ink
    work = _max_filter(work, radius)
    # Average each 4x4 block: sum rows of blocks, then columns, then divide.
    rows = work.reshape(out_h, WORK_SCALE, -1).sum(axis=1)
    return rows.reshape(out_h, out_w, WORK_SCALE).sum(axis=2) * (1.0 / WORK_SCALE**2)


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels of an ink image (or bool mask): twice the area over the outline."""
    mask = ink if ink.dtype == bool else ink > 0.5
    area = int(np.count_nonzero(mask))
    if area == 0:
        return 0.0
    interior = mask[1:-1, 1:-1] & mask[:-2, 1:-1] & mask[2:, 1:-1] & mask[1:-1, :-2] & mask[1:-1, 2:]
    outline = area - int(np.count_nonzero(interior))
    return 2.0 * area / max(outline, 1)


def thickening_radius(drawn: np.ndarray, scale: float) -> int:
    """How many work-scale pixels to thicken strokes by: 0 unless they are hairlines.

    Thick strokes are left alone: thinning them was tried and lost accuracy (where a fat brush
    fills a loop, the width estimate inflates and erosion wipes out real strokes).
    """
    step = max(1, int(1 / scale))  # measure on a subsample near work scale: cheap, same answer
    width = stroke_width(drawn[::step, ::step]) * step * scale
    if width == 0.0 or width >= THIN_STROKE * MNIST_STROKE:
        return 0
    return max(0, int(round((MNIST_STROKE - width) / 2)))


def _max_filter(image: np.ndarray, radius: int) -> np.ndarray:
    """Grey dilation with a (2r+1) square (zero beyond the edges): the max over a window of rows,
    then of columns. Each window's max is built from windows of 1, 2, 4... rows, so a radius of r
    takes about log2(2r + 1) passes instead of 2r."""
    if radius <= 0:
        return image
    height, width = image.shape
    tall = np.zeros((height + 2 * radius, width), dtype=image.dtype)
    tall[radius : radius + height] = image
    rows = _window_max(tall, 2 * radius + 1)  # (height, width)
    wide = np.zeros((width + 2 * radius, height), dtype=image.dtype)  # columns as rows
    wide[radius : radius + width] = rows.T
    return np.ascontiguousarray(_window_max(wide, 2 * radius + 1).T)


def _window_max(lines: np.ndarray, size: int) -> np.ndarray:
    """(n, m) -> (n - size + 1, m): row i is the max of rows i .. i + size - 1."""
    span = 1
    while span * 2 <= size:  # each row now holds the max of `span` rows, then of twice as many
        lines = np.maximum(lines[:-span], lines[span:])
        span *= 2
    rest = size - span  # two overlapping windows of `span` rows cover `size` rows
    return np.maximum(lines[:-rest], lines[rest:]) if rest else lines


def centre_by_mass(ink: np.ndarray) -> np.ndarray:
    """(h, w) ink, h and w <= 28 -> (28, 28) float32 image in [0, 1], centre of mass at MNIST's centre."""
    height, width = ink.shape
    image = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)
    row_mass = ink.sum(axis=1)
    total = float(row_mass.sum())
    if total <= 0.0:
        return image
    row = float(row_mass @ np.arange(height, dtype=np.float32)) / total
    col = float(ink.sum(axis=0) @ np.arange(width, dtype=np.float32)) / total
    top = min(max(round(MASS_CENTRE - row), 0), IMAGE_SIDE - height)
    left = min(max(round(MASS_CENTRE - col), 0), IMAGE_SIDE - width)
    # Like MNIST's 0..255 range, the brightest pixel is full ink.
    image[top : top + height, left : left + width] = ink * (1.0 / float(ink.max()))
    return image


def ink_box(image: np.ndarray) -> tuple[int, int, int, int] | None:
    """(H, W, 4|3) or (H, W) uint8 canvas -> the drawing's (top, bottom, left, right), as cropped."""
    source, background = _ink_source(_validated(image))
    found = drawing_box(source, background)
    return None if found is None else found[0]
