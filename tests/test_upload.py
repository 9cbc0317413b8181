"""Uploaded photos: readable formats become pixels for the same preprocessing; others are refused."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from model.inference import Classifier
from model.preprocess import canvas_to_image
from model.upload import MAX_UPLOAD_BYTES, read_upload
from tests.drawing import SEVEN, draw_canvas


def photo_of_seven(size=(900, 1200), fmt="JPEG", shadow=True) -> bytes:
    """Dark pen on slightly grey paper with a lighting gradient and noise, like a phone photo."""
    width, height = size
    ramp = np.linspace(150, 235, width)[None, :] if shadow else np.full((1, width), 220.0)
    paper = np.repeat(ramp, height, axis=0)
    rng = np.random.default_rng(0)
    paper += rng.normal(0, 4, paper.shape)
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8)).convert("RGB")
    scale = width / 280
    stroke = [(x * scale, y * scale + 150) for x, y in SEVEN[0]]
    ImageDraw.Draw(image).line(stroke, fill=(30, 30, 60), width=int(14 * scale), joint="curve")
    image = image.filter(ImageFilter.GaussianBlur(2))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=85)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_photo_of_a_digit_is_read_and_recognized(fmt):
    pixels = read_upload(photo_of_seven(fmt=fmt))
    assert pixels.dtype == np.uint8 and pixels.ndim == 2 and max(pixels.shape) <= 560
    result = Classifier.load().classify_canvas(pixels)
    assert result is not None and result.digit == 7


def test_uneven_lighting_is_evened_out():
    pixels = read_upload(photo_of_seven())
    paper = np.concatenate([pixels[:20].ravel(), pixels[-20:].ravel()])
    assert np.percentile(paper, 5) > 200  # the shadowed side is white again


def test_light_ink_on_a_dark_board_is_inverted_to_the_same_digit():
    ink = draw_canvas(SEVEN)[..., 0]  # white on black
    buffer = io.BytesIO()
    Image.fromarray(ink).save(buffer, format="PNG")
    expected = canvas_to_image(ink)
    assert np.abs(canvas_to_image(read_upload(buffer.getvalue())) - expected).mean() < 0.03


def test_transparent_png_is_flattened_onto_white():
    canvas = draw_canvas(SEVEN, look="transparent")
    buffer = io.BytesIO()
    Image.fromarray(canvas, mode="RGBA").save(buffer, format="PNG")
    pixels = read_upload(buffer.getvalue())
    assert pixels[0, 0] == 255 and pixels.min() < 50


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"%PDF-1.4 definitely not a picture", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image|could not be decoded"),
    ],
)
def test_files_that_are_not_images_get_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        read_upload(data)


def test_other_image_formats_are_refused():
    buffer = io.BytesIO()
    Image.new("L", (50, 50), 255).save(buffer, format="GIF")
    with pytest.raises(ValueError, match="PNG or JPEG"):
        read_upload(buffer.getvalue())


def test_too_large_files_are_refused_before_decoding():
    with pytest.raises(ValueError, match="limit"):
        read_upload(b"\xff\xd8\xff" + b"\x00" * MAX_UPLOAD_BYTES)


def test_huge_dimensions_are_refused():
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(buffer, format="PNG")  # tiny file, 48 megapixels
    with pytest.raises(ValueError, match="megapixels"):
        read_upload(buffer.getvalue())


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(1, 1), (20000, 1), (1, 300), (5, 40)])
def test_tiny_or_one_pixel_thin_images_are_too_small_to_hold_a_digit(size):
    with pytest.raises(ValueError, match="too small"):
        read_upload(png_bytes(Image.new("L", size, 255)))


def test_very_thin_images_are_refused_after_shrinking_too_and_named_by_their_real_size():
    with pytest.raises(ValueError, match="too small \\(or too thin\\)"):
        read_upload(png_bytes(Image.new("L", (20000, 10), 255)))
    with pytest.raises(ValueError, match="The image is 8×4999999 pixels: too small \\(or too thin\\)"):
        read_upload(png_bytes(Image.new("L", (8, 4_999_999), 255)))


@pytest.mark.parametrize("side", [9000, 10000, 13000])
def test_too_many_pixels_always_says_so(side):
    image = Image.new("1", (side, side), 1)  # a small file whatever its size
    with pytest.raises(ValueError, match="at most 40 megapixels"):
        read_upload(png_bytes(image))


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    ink = np.asarray(Image.fromarray(draw_canvas(SEVEN)[..., 0]).resize((140, 140))) > 128
    values = np.where(ink, 8000, 50000).astype(np.uint16)  # paper 50000, ink 8000 of 65535
    image = Image.fromarray(values)
    assert image.mode.startswith("I;16")
    pixels = read_upload(png_bytes(image))
    assert pixels.min() < 80 and pixels.max() > 200  # the ink is still there, darker than the paper
    assert Classifier.load().classify_canvas(pixels).digit == 7


def test_a_large_transparent_png_is_read_at_reduced_size():
    canvas = draw_canvas(SEVEN, look="transparent")
    big = Image.fromarray(canvas, mode="RGBA").resize((6300, 6300), Image.Resampling.NEAREST)
    pixels = read_upload(png_bytes(big))
    assert max(pixels.shape) <= 560
    assert Classifier.load().classify_canvas(pixels).digit == 7


@pytest.mark.parametrize("kind", ["transparent", "16-bit"])
def test_a_large_upload_adds_at_most_three_times_its_decoded_rgb_size_to_memory(tmp_path, kind):
    from tests.memory import peak_added_mb

    canvas = draw_canvas(SEVEN, look="transparent")
    if kind == "transparent":
        big = Image.fromarray(canvas, mode="RGBA").resize((6300, 6300), Image.Resampling.NEAREST)
    else:
        big = Image.fromarray(np.where(canvas[..., 3] > 128, 8000, 50000).astype(np.uint16)).resize(
            (4000, 4000)
        )
    path = tmp_path / "big.png"
    path.write_bytes(png_bytes(big))
    rgb_mb = big.width * big.height * 3 / 2**20
    assert peak_added_mb(path) <= 3 * rgb_mb
