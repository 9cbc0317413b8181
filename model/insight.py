"""Look inside the model: learned weights, hidden activations, and the test-set misses.

All NumPy over `Classifier.weights` (what `get_weights()` returned) and the bundle's records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.constants import IMAGE_SIDE

UNITS_SHOWN = 64  # first-layer units drawn as 28x28 images: an 8x8 grid


def first_layer_images(kernel: np.ndarray, count: int = UNITS_SHOWN) -> tuple[np.ndarray, np.ndarray]:
    """(784, 512) first Dense kernel -> the `count` units with the strongest weights as
    (count, 28, 28) float32 images, and their unit indices.

    Units are ranked by the L2 norm of their 784 incoming weights: the ones that learned the
    most pronounced stroke detectors rather than near-zero noise.
    """
    norms = np.linalg.norm(kernel, axis=0)
    units = np.argsort(norms)[::-1][:count]
    return kernel[:, units].T.reshape(-1, IMAGE_SIDE, IMAGE_SIDE), units


def digit_templates(weights: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The three kernels multiplied through, ignoring the ReLUs: (10, 28, 28) float32.

    A linear sketch of the pixels that push each digit's output up (positive) or down
    (negative) relative to the other digits (the mean over digits is taken out: softmax only
    sees differences); the real network adds the ReLUs' non-linearity on top.
    """
    product = weights[0][0]
    for kernel, _ in weights[1:]:
        product = product @ kernel
    product = product - product.mean(axis=1, keepdims=True)
    return product.T.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)


@dataclass(frozen=True)
class Contribution:
    unit: int  # index in the second hidden layer
    activation: float  # its ReLU output for this drawing
    weight: float  # its weight into the digit's output
    lead: float  # how far it lifts the digit's logit above the mean of the other nine


def top_contributors(
    hidden: np.ndarray, output_kernel: np.ndarray, digit: int, count: int = 8
) -> list[Contribution]:
    """(512,) second-layer activations -> the units that most lift `digit` above the other digits.

    Softmax only cares about differences between logits, so a unit counts by activation times
    (its weight into `digit` minus its mean weight into the other nine), largest first.
    """
    others = (output_kernel.sum(axis=1) - output_kernel[:, digit]) / (output_kernel.shape[1] - 1)
    leads = hidden * (output_kernel[:, digit] - others)
    units = np.argsort(leads)[::-1][:count]
    return [
        Contribution(int(u), float(hidden[u]), float(output_kernel[u, digit]), float(leads[u]))
        for u in units
        if leads[u] > 0
    ]


BRIGHT_SHARE = 0.05  # the most active 5% of the active units are shown at full brightness


def activation_grid(activations: np.ndarray, columns: int = 32) -> np.ndarray:
    """(512,) activations -> (512 / columns, columns) grid scaled to [0, 1] for a heatmap.

    Scaled to the 95th percentile of the active units, not to the largest: one very active unit
    would otherwise leave every other one nearly black."""
    if activations.size % columns:
        raise ValueError(f"{activations.size} activations do not fill rows of {columns}")
    active = activations[activations > 0]
    top = float(np.quantile(active, 1 - BRIGHT_SHARE)) if active.size else 0.0
    scaled = np.clip(activations / top, 0.0, 1.0) if top > 0 else activations
    return scaled.reshape(-1, columns).astype(np.float32)


def misses(evaluation: dict, true: int | None = None, predicted: int | None = None) -> list[tuple[int, dict]]:
    """evaluation.json's misclassified list, filtered; each with its position (for thumbnails)."""
    return [
        (position, miss)
        for position, miss in enumerate(evaluation.get("misclassified", []))
        if (true is None or miss["true"] == true) and (predicted is None or miss["predicted"] == predicted)
    ]


def diverging_rgb(images: np.ndarray) -> np.ndarray:
    """(..., h, w) real weights -> (..., h, w, 3) uint8: blue negative, white zero, red positive.

    Each image is scaled by its own largest magnitude so faint and strong units are both legible.
    """
    limit = np.abs(images).reshape(*images.shape[:-2], -1).max(axis=-1)[..., None, None]
    t = np.clip(images / np.where(limit > 0, limit, 1.0), -1.0, 1.0)[..., None]
    white = np.array([255.0, 255.0, 255.0])
    red, blue = np.array([178.0, 24.0, 43.0]), np.array([33.0, 102.0, 172.0])
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    return rgb.astype(np.uint8)


def tile(images: np.ndarray, columns: int, gap: int = 1, zoom: int = 1) -> np.ndarray:
    """(n, h, w[, 3]) images -> one grid image, `gap` px of white between tiles, each zoomed."""
    images = np.repeat(np.repeat(images, zoom, axis=1), zoom, axis=2)
    count, height, width = images.shape[:3]
    rows = -(-count // columns)
    shape = (rows * (height + gap) - gap, columns * (width + gap) - gap) + images.shape[3:]
    grid = np.full(shape, 255, dtype=images.dtype)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        top, left = row * (height + gap), column * (width + gap)
        grid[top : top + height, left : left + width] = image
    return grid
