"""The pad's picture as a browser sends it: read when it is the pad's PNG, refused with the app's
message for anything a crafted client can send instead, and stored as the server made it."""

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from model.pad_image import MAX_DATA_URL_CHARS, PadImageError, pad_png, read_pad_image
from tests.drawing import LOOKS, SEVEN, draw_canvas
from tests.test_upload_fuzz import mutated

SIDE = 280
MUTANTS = 300


def png_of(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def canvas_png(look="white_on_black") -> bytes:
    return png_of(Image.fromarray(draw_canvas(SEVEN, look=look), "RGBA"))


@pytest.mark.parametrize("look", LOOKS)
def test_the_pads_png_is_read_pixel_for_pixel(look):
    canvas = draw_canvas(SEVEN, look=look)
    pixels = read_pad_image(url(png_of(Image.fromarray(canvas, "RGBA"))), SIDE)
    assert pixels.dtype == np.uint8 and pixels.shape == (SIDE, SIDE, 4)
    assert np.array_equal(pixels, canvas)


def test_an_opaque_rgb_png_is_read_as_rgba():
    rgb = draw_canvas(SEVEN)[..., :3]  # some browsers drop the alpha of an opaque canvas
    pixels = read_pad_image(url(png_of(Image.fromarray(rgb, "RGB"))), SIDE)
    assert np.array_equal(pixels[..., :3], rgb) and (pixels[..., 3] == 255).all()


def test_ancillary_chunks_are_skipped_and_the_stored_png_is_the_servers():
    original = canvas_png()
    text = chunk(b"tEXt", b"Comment\x00" + b"x" * 5000)  # what a client may add to a real PNG
    padded = original[:33] + text + original[33:]
    pixels = read_pad_image(url(padded), SIDE)
    stored = pad_png(pixels)
    assert b"Comment" not in stored and np.array_equal(np.asarray(Image.open(io.BytesIO(stored))), pixels)


def refused(data_url) -> str:
    with pytest.raises(PadImageError) as raised:
        read_pad_image(data_url, SIDE)
    error = raised.value
    assert error.template.startswith("The pad sent a picture this app cannot read")
    return error.detail


def test_what_is_not_a_png_data_url_is_refused():
    png = canvas_png()
    assert "data URL" in refused("data:image/png," + base64.b64encode(png).decode())  # no ;base64,
    assert "data URL" in refused(None) and "data URL" in refused({"data": "x"})
    assert "not base64" in refused("data:image/png;base64,@@@@")
    assert "signature" in refused(url(b"GIF89a" + png))
    jpeg = io.BytesIO()
    Image.new("RGB", (SIDE, SIDE)).save(jpeg, "JPEG")
    assert "signature" in refused(url(jpeg.getvalue()))


def test_a_huge_picture_is_refused_before_anything_decodes_it():
    huge = png_of(Image.new("L", (13000, 13000)))  # ~170 MB of pixels in a few hundred kB
    assert len(huge) < MAX_DATA_URL_CHARS
    assert "13000x13000" in refused(url(huge))
    assert "more than" in refused(url(canvas_png()) + "A" * MAX_DATA_URL_CHARS)


def test_junk_after_the_image_and_other_shapes_and_depths_are_refused():
    png = canvas_png()
    assert "after the image's end" in refused(url(png + b"\x00" * 8_000))
    assert "279x280" in refused(url(png_of(Image.new("RGBA", (279, SIDE)))))
    sixteen = png_of(Image.fromarray(np.zeros((SIDE, SIDE), dtype=np.uint16)))
    assert "bit depth 16" in refused(url(sixteen))
    assert "colour type 3" in refused(url(png_of(Image.new("P", (SIDE, SIDE)))))
    assert "colour type 0" in refused(url(png_of(Image.new("L", (SIDE, SIDE)))))
    header = bytearray(png[16:29])  # IHDR's data; its last byte is the interlace method
    header[12] = 1
    assert "interlace 1" in refused(url(png[:8] + chunk(b"IHDR", bytes(header)) + png[33:]))


def test_a_damaged_png_is_refused_by_its_checksums_or_layout():
    png = bytearray(canvas_png())
    png[60] ^= 0xFF  # inside the image data: its chunk's checksum no longer matches
    assert "checksum" in refused(url(bytes(png)))
    assert "cut short" in refused(url(canvas_png()[:-20]))
    assert "end chunk" in refused(url(canvas_png()[:-12]))


def test_damaged_pad_pngs_are_read_or_refused_and_nothing_else():
    original = canvas_png()
    rng = np.random.default_rng(11)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(MUTANTS):
        try:
            pixels = read_pad_image(url(mutated(original, rng)), SIDE)
        except PadImageError:
            outcomes["refused"] += 1
            continue
        assert pixels.shape == (SIDE, SIDE, 4) and pixels.dtype == np.uint8
        outcomes["read"] += 1
    assert outcomes["refused"] > MUTANTS * 0.5, outcomes  # checksums catch nearly every change
