"""Read an uploaded photo or scan of a handwritten digit into pixels `canvas_to_image` accepts."""

from __future__ import annotations

import io
import re
import struct
import warnings

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from model.errors import Explained

MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # a phone photo is 2-6 MB; more is not a digit snapshot
MAX_UPLOAD_PIXELS = 40_000_000  # Pillow's bomb guard would allow ~179 M; a digit needs far less
MIN_SIDE = 8  # pixels: fewer on a side cannot show a digit's strokes
WORK_SIDE = 560  # photos are shrunk so their longer side is at most this (2x the drawing pad)
ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO")  # MPO: a phone camera's JPEG with more pictures; the first is read


class UploadError(Explained, ValueError):
    """An upload that cannot be read as a digit; the message says what to do."""


def read_upload(data: bytes) -> np.ndarray:
    """PNG or JPEG bytes -> (H, W) uint8 grey pixels, longer side <= 560, upright per EXIF.

    Raises ValueError with a message a person can act on for anything else. A large image is
    reduced as soon as it is decoded (JPEG: while decoding), so one upload holds at most the
    decoded image and a small copy.
    """
    if not data:
        raise UploadError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(
            "The file is {size} MB; the limit is {limit} MB. Crop the photo to the digit or save it smaller.",
            size=f"{len(data) / 1e6:.1f}",
            limit=f"{MAX_UPLOAD_BYTES / 1e6:.0f}",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            _check_size(image)
            width, height = image.size  # as the file has it: the message below names this size
            image.draft("L", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at reduced size, much faster
            image = _reduced(image)
            image = ImageOps.exif_transpose(image)
            grey = _on_white(_eight_bit(image)).convert("L")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        pixels = re.search(r"\((\d+) pixels\)", str(error))
        limit = f"{MAX_UPLOAD_PIXELS / 1e6:.0f}"
        if not pixels:
            raise UploadError(
                "The image has more than {limit} megapixels, the most accepted.", limit=limit
            ) from None
        raise UploadError(
            "The image has {size} megapixels; at most {limit} megapixels are accepted.",
            size=f"{int(pixels.group(1)) / 1e6:.0f}",
            limit=limit,
        ) from None
    except UnidentifiedImageError:
        raise UploadError("This file is not an image the app can read (PNG or JPEG expected).") from None
    except UploadError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error) as error:
        # Damaged data: Pillow's readers say so in many ways (a broken PNG chunk is a SyntaxError).
        raise UploadError("The image could not be decoded: {error}", error=str(error)[:120]) from None
    grey.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
    if min(grey.size) < MIN_SIDE:
        raise UploadError(
            "The image is {width}×{height} pixels: too small (or too thin) to hold a digit. Upload a "
            "photo at least {side} pixels on each side, not much wider than tall.",
            width=width,
            height=height,
            side=MIN_SIDE,
        )
    return even_lighting(np.asarray(grey, dtype=np.uint8))


def _check_size(image: Image.Image) -> None:
    if image.format not in ACCEPTED_FORMATS:
        raise UploadError("Expected a PNG or JPEG image, got {found}.", found=image.format or "?")
    if image.width * image.height > MAX_UPLOAD_PIXELS:
        raise UploadError(
            "The image is {width}x{height} pixels; at most {limit} megapixels are accepted.",
            width=image.width,
            height=image.height,
            limit=f"{MAX_UPLOAD_PIXELS / 1e6:.0f}",
        )
    if min(image.size) < MIN_SIDE:
        raise UploadError(
            "The image is {width}×{height} pixels: too small to hold a digit (at least {side} pixels on "
            "each side).",
            width=image.width,
            height=image.height,
            side=MIN_SIDE,
        )


def _reduced(image: Image.Image) -> Image.Image:
    """A large image shrunk by a whole factor right after decoding, so that its longer side stays
    above 2x WORK_SIDE (the final resize does the rest); the full-size pixels are let go at once."""
    factor = max(image.size) // (2 * WORK_SIDE)
    if factor < 2:
        return image
    if image.mode in ("P", "1"):  # palette and bilevel images cannot be averaged as they are
        image = image.convert("RGBA" if "transparency" in image.info else "L")
    elif image.mode.startswith("I;16"):
        image = _eight_bit(image)
    # Band by band: reducing a many-band image at once holds a second full-size copy.
    return Image.merge(image.mode, [image.getchannel(band).reduce(factor) for band in image.getbands()])


def _eight_bit(image: Image.Image) -> Image.Image:
    """16- and 32-bit greyscale -> 8-bit, scaled (Pillow's conversion clips everything above 255)."""
    if not (image.mode == "I" or image.mode.startswith("I;16")):
        return image
    values = np.asarray(image)
    eight = np.empty(values.shape, dtype=np.uint8)
    for top in range(0, values.shape[0], 256):  # a few rows at a time: no full-size temporaries
        rows = np.clip(values[top : top + 256], 0, 65535).astype(np.uint32)
        eight[top : top + 256] = (rows * 255 + 32767) // 65535
    return Image.fromarray(eight, mode="L")


def even_lighting(grey: np.ndarray) -> np.ndarray:
    """(H, W) uint8 photo -> dark ink on an evenly white background (shadows and tint removed).

    Light ink on a dark board is inverted first. The paper's brightness is estimated per region
    (the brightest values of a coarse grid, smoothed) and every pixel is divided by it.
    """
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if np.median(border) < 128:
        grey = 255 - grey
    image = Image.fromarray(grey)
    coarse = image.resize((max(1, image.width // 16), max(1, image.height // 16)), Image.Resampling.BOX)
    paper = coarse.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.GaussianBlur(1))
    paper = np.asarray(paper.resize(image.size, Image.Resampling.BILINEAR), dtype=np.float32)
    even = grey.astype(np.float32) / np.maximum(paper, 1.0)
    return np.clip(even * 255.0, 0, 255).astype(np.uint8)


def _on_white(image: Image.Image) -> Image.Image:
    """Flatten any transparency onto white, as a photo of paper would look."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba)
    return image
