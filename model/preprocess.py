"""From a canvas drawing to an MNIST-style 28x28 digit.

MNIST digits were made like this: the digit's bounding box was scaled to fit 20x20 keeping its
aspect ratio (anti-aliased, hence grey levels), then placed in 28x28 so that its centre of mass
sits at the centre. Squashing a whole canvas to 28x28 instead gives the model small, off-centre
digits it has never seen; doing what MNIST did makes a drawing look like the training data.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from model.constants import FIT_BOX, IMAGE_SIDE

INK_LEVEL = 64  # ink (0-255) above which a pixel counts as drawn; fainter is anti-aliasing haze
WORK_SCALE = 4  # strokes are measured and adjusted at 4x the final size, where 1 px is fine-grained
MNIST_STROKE = 10.8  # median stroke width of MNIST digits at 4x scale (20 px box -> 80 px), measured
THIN_STROKE = 0.85  # strokes thinner than this share of MNIST_STROKE are thickened (measured best)
MASS_CENTRE = 14.0  # MNIST's mean centre of mass, in pixel indices of the 28x28 grid
LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601 luma weights


def canvas_to_digit(image: np.ndarray) -> np.ndarray | None:
    """(H, W, 4|3) or (H, W) uint8 canvas -> (28, 28) float32 in [0, 1], white on black, or None if blank."""
    crop = ink_crop(image)
    if crop is None:
        return None
    return centre_by_mass(fit_to_box(crop))


def ink_crop(image: np.ndarray) -> np.ndarray | None:
    """Any of the three canvas looks -> (h, w) float32 ink in [0, 1] of the drawing's bounding box.

    Transparent background: alpha carries the stroke. Opaque: the background is the border's
    median brightness, and ink is how far a pixel departs from it (dark-on-white is inverted).
    None when nothing is drawn.
    """
    image = _validated(image)
    if image.ndim == 3 and image.shape[2] == 4 and image[..., 3].min() < 255:
        alpha = image[..., 3]
        box = ink_bounding_box(alpha > INK_LEVEL)
        if box is None:
            return None
        top, bottom, left, right = box
        return alpha[top:bottom, left:right].astype(np.float32) / 255.0
    background = _background_luma(image)
    # Locating the drawing needs only a cheap per-pixel test; exact luma is computed on the crop.
    if image.ndim == 2:
        proxy = image
    elif background > 127:
        proxy = np.minimum(np.minimum(image[..., 0], image[..., 1]), image[..., 2])
    else:
        proxy = np.maximum(np.maximum(image[..., 0], image[..., 1]), image[..., 2])
    if background > 127:
        mask = proxy < background - INK_LEVEL * background / 255
    else:
        mask = proxy > background + INK_LEVEL * (255 - background) / 255
    box = ink_bounding_box(mask)
    if box is None:
        return None
    top, bottom, left, right = box
    luma = _luma(image[top:bottom, left:right])
    if background > 127:
        ink = (background - luma) / background
    else:
        ink = (luma - background) / (255.0 - background)
    return np.clip(ink, 0.0, 1.0, out=ink)


def ink_map(image: np.ndarray) -> np.ndarray:
    """Any of the three canvas looks -> (H, W) float32 ink level in [0, 1] of the whole canvas."""
    image = _validated(image)
    if image.ndim == 3 and image.shape[2] == 4 and image[..., 3].min() < 255:
        return image[..., 3].astype(np.float32) / 255.0
    background = _background_luma(image)
    luma = _luma(image)
    if background > 127:
        ink = (background - luma) / background
    else:
        ink = (luma - background) / (255.0 - background)
    return np.clip(ink, 0.0, 1.0, out=ink)


def _luma(image: np.ndarray) -> np.ndarray:
    """uint8 (h, w[, 3|4]) -> (h, w) float32 brightness 0..255."""
    if image.ndim == 2:
        return image.astype(np.float32)
    return image[..., :3].astype(np.float32) @ LUMA


def _background_luma(image: np.ndarray) -> float:
    """Median brightness (0..255) of the image's border: the canvas colour."""
    border = np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])
    return float(np.median(_luma(border[None])[0]))


def _validated(image) -> np.ndarray:
    if not isinstance(image, np.ndarray):
        raise ValueError(f"canvas image must be a numpy array, got {type(image).__name__}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise ValueError(
            f"canvas image must have shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}"
        )
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


def fit_to_box(crop: np.ndarray) -> np.ndarray:
    """(h, w) cropped ink -> float32 image whose longer side is 20 px, aspect kept, MNIST stroke weight."""
    work = normalize_stroke(_resize(crop, FIT_BOX * WORK_SCALE))
    return _resize(work, FIT_BOX)


def _resize(image: np.ndarray, side: int) -> np.ndarray:
    """Scale so the longer side is `side` px, aspect ratio kept."""
    height, width = image.shape
    longer = max(height, width)
    size = (max(1, round(side * width / longer)), max(1, round(side * height / longer)))
    # BOX averages every source pixel under a target pixel: the anti-aliasing MNIST used.
    resample = Image.Resampling.BOX if longer >= side else Image.Resampling.BILINEAR
    return np.asarray(Image.fromarray(image, mode="F").resize(size, resample), dtype=np.float32)


def stroke_width(ink: np.ndarray) -> float:
    """Mean stroke width in pixels of an ink image: twice the drawn area over its outline length."""
    mask = ink > 0.5
    area = int(mask.sum())
    if area == 0:
        return 0.0
    padded = np.pad(mask, 1)
    interior = (
        padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:] & mask
    )
    outline = area - int(interior.sum())
    return 2.0 * area / max(outline, 1)


def normalize_stroke(work: np.ndarray) -> np.ndarray:
    """Thicken hairline strokes towards MNIST's stroke width (at 4x scale); thick ones stay.

    Thinning fat strokes was tried and lost accuracy: where a fat brush fills a loop the width
    estimate inflates, and erosion then wipes out real strokes.
    """
    width = stroke_width(work)
    if width == 0.0 or width >= THIN_STROKE * MNIST_STROKE:
        return work
    radius = int(round((MNIST_STROKE - width) / 2))
    # Pad first: a thin line's bounding box is no wider than the line itself.
    return _max_filter(np.pad(work, radius), radius)


def _max_filter(image: np.ndarray, radius: int) -> np.ndarray:
    """Grey dilation with a (2r+1) square, done as two 1-D passes."""
    if radius <= 0:
        return image
    height, width = image.shape
    padded = np.pad(image, ((radius, radius), (0, 0)), mode="edge")
    out = padded[:height].copy()
    for shift in range(1, 2 * radius + 1):
        np.maximum(out, padded[shift : shift + height], out=out)
    padded = np.pad(out, ((0, 0), (radius, radius)), mode="edge")
    out = padded[:, :width].copy()
    for shift in range(1, 2 * radius + 1):
        np.maximum(out, padded[:, shift : shift + width], out=out)
    return out


def centre_by_mass(digit: np.ndarray) -> np.ndarray:
    """(h, w) image, h and w <= 28 -> (28, 28) float32 in [0, 1], centre of mass at MNIST's centre."""
    height, width = digit.shape
    total = float(digit.sum())
    canvas = np.zeros((IMAGE_SIDE, IMAGE_SIDE), dtype=np.float32)
    if total <= 0.0:
        return canvas
    rows = digit.sum(axis=1) @ np.arange(height) / total
    cols = digit.sum(axis=0) @ np.arange(width) / total
    top = int(np.clip(round(MASS_CENTRE - rows), 0, IMAGE_SIDE - height))
    left = int(np.clip(round(MASS_CENTRE - cols), 0, IMAGE_SIDE - width))
    canvas[top : top + height, left : left + width] = digit
    # Like MNIST's 0..255 range, the brightest pixel is full ink.
    canvas /= canvas.max()
    return np.clip(canvas, 0.0, 1.0, out=canvas)
