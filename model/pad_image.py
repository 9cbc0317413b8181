"""The drawing pad's picture as a browser sends it: checked before anything decodes it.

The pad (streamlit-drawable-canvas) sends its canvas to the server as a PNG data URL. A browser
can send anything in its place (a huge picture, junk behind the image, a 16-bit PNG, no PNG at
all), so the app reads it here and never through the canvas package: the text's length first,
then the PNG's chunks (layout, checksums, the header: exactly the pad's size, 8 bits a channel,
RGB or RGBA), and only then does Pillow decode a copy that holds nothing but the image. What the
app keeps of a drawing is what it decoded, encoded again (`pad_png`), never the browser's bytes.
"""

from __future__ import annotations

import base64
import binascii
import io
import struct
import zlib

import numpy as np
from PIL import Image

from model.errors import Explained

DATA_URL_PREFIX = "data:image/png;base64,"
# A 280x280 RGBA PNG of pure noise is ~314 kB, ~420 kB in base64; a drawing takes a few kB.
MAX_DATA_URL_CHARS = 600_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {2: "RGB", 6: "RGBA"}  # PNG colour types a canvas is encoded in, 8 bits a channel
KEPT_CHUNKS = (b"IHDR", b"IDAT", b"IEND")  # what Pillow gets: no text, no colour profile, nothing else


class PadImageError(Explained, ValueError):
    """What the pad sent is not a picture of the pad; `detail` says what is wrong, for the log."""


def read_pad_image(data_url, side: int) -> np.ndarray:
    """The pad's PNG data URL -> (side, side, 4) uint8 RGBA pixels; PadImageError for anything else."""
    if not isinstance(data_url, str) or not data_url.startswith(DATA_URL_PREFIX):
        raise _refused("not a base64 PNG data URL")
    if len(data_url) > MAX_DATA_URL_CHARS:
        raise _refused(f"{len(data_url):,} characters, more than {MAX_DATA_URL_CHARS:,}")
    try:
        raw = base64.b64decode(data_url[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise _refused(f"not base64: {error}") from None
    png = _bare_png(raw, side)
    try:
        with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
            image.load()
            pixels = np.array(image.convert("RGBA"), dtype=np.uint8)
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, Image.DecompressionBombError) as error:
        raise _refused(f"undecodable: {error}") from None
    if pixels.shape != (side, side, 4):
        raise _refused(f"decoded to {pixels.shape}")
    return pixels


def pad_png(pixels: np.ndarray) -> bytes:
    """(H, W, 4) uint8 RGBA -> PNG bytes made on the server: what the app stores of a drawing."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8), "RGBA").save(buffer, "PNG")
    return buffer.getvalue()


def _bare_png(raw: bytes, side: int) -> bytes:
    """A PNG's bytes, checked chunk by chunk, -> a PNG of its header, image data and end only."""
    if not raw.startswith(PNG_SIGNATURE):
        raise _refused("no PNG signature")
    kept, position, ended = [PNG_SIGNATURE], len(PNG_SIGNATURE), False
    while position < len(raw) and not ended:
        if position + 12 > len(raw):
            raise _refused("a chunk is cut short")
        (length,) = struct.unpack(">I", raw[position : position + 4])
        kind = raw[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(raw):
            raise _refused("a chunk is cut short")
        data = raw[position + 8 : end - 4]
        (crc,) = struct.unpack(">I", raw[end - 4 : end])
        if zlib.crc32(kind + data) != crc:
            raise _refused(f"chunk {kind!r} fails its checksum")
        if position == len(PNG_SIGNATURE):
            _check_header(kind, data, side)
        if kind in KEPT_CHUNKS:
            kept.append(raw[position:end])
        elif kind[:1].isupper():  # a critical chunk an RGB(A) canvas never has (PLTE, or unknown)
            raise _refused(f"unexpected chunk {kind!r}")
        ended = kind == b"IEND"
        position = end
    if not ended:
        raise _refused("no end chunk")
    if position != len(raw):
        raise _refused(f"{len(raw) - position:,} bytes after the image's end")
    return b"".join(kept)


def _check_header(kind: bytes, data: bytes, side: int) -> None:
    if kind != b"IHDR" or len(data) != 13:
        raise _refused("the first chunk is not a PNG header")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", data)
    if (width, height) != (side, side):
        raise _refused(f"{width}x{height} pixels, not the pad's {side}x{side}")
    if depth != 8 or colour not in COLOUR_TYPES or (compression, filtering, interlace) != (0, 0, 0):
        raise _refused(
            f"bit depth {depth}, colour type {colour}, compression {compression}, filter {filtering}, "
            f"interlace {interlace}: not an 8-bit RGB(A) canvas"
        )


def _refused(why: str) -> PadImageError:
    return PadImageError(
        "The pad sent a picture this app cannot read, so it was ignored. Clear the pad and draw again.",
        detail=f"pad image refused: {why}",
    )
