"""From a canvas to an MNIST-style 28x28 digit."""

import numpy as np
import pytest

from model.preprocess import MASS_CENTRE, canvas_to_image
from tests.drawing import LOOKS, ONE, SEVEN, draw_canvas, in_look

MNIST_MEAN_INK = 102.0  # mean of (pixels / 255).sum() over MNIST training digits (33.3 * 784 / 255)


def ink_rows_cols(digit):
    rows = np.flatnonzero(digit.max(axis=1) > 0.1)
    cols = np.flatnonzero(digit.max(axis=0) > 0.1)
    return rows, cols


def centre_of_mass(digit):
    total = digit.sum()
    ys, xs = np.mgrid[0:28, 0:28]
    return (ys * digit).sum() / total, (xs * digit).sum() / total


@pytest.mark.parametrize("look", LOOKS)
def test_blank_canvas_has_no_digit(look):
    blank = in_look(np.zeros((280, 280), dtype=np.uint8), look)
    assert canvas_to_image(blank) is None


def test_blank_rgb_and_grey_canvases_have_no_digit():
    assert canvas_to_image(np.zeros((100, 120, 3), dtype=np.uint8)) is None
    assert canvas_to_image(np.full((100, 120), 255, dtype=np.uint8)) is None


def test_faint_haze_alone_is_not_a_digit():
    haze = np.zeros((280, 280), dtype=np.uint8)
    haze[100:110, 100:110] = 20  # below the ink level: anti-aliasing, not a stroke
    assert canvas_to_image(in_look(haze, "white_on_black")) is None


def test_small_off_centre_digit_comes_out_centred_and_20px_tall():
    small = [[(20, 20), (60, 20), (38, 90)]]  # a little 7 in the top-left corner
    digit = canvas_to_image(draw_canvas(small, width=6))
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert 0.0 <= digit.min() and digit.max() == pytest.approx(1.0)
    rows, cols = ink_rows_cols(digit)
    assert len(rows) in (20, 21)  # the longer side fills the 20 px box (plus anti-aliasing)
    assert len(cols) <= 20
    row, col = centre_of_mass(digit)
    assert abs(row - MASS_CENTRE) <= 0.75 and abs(col - MASS_CENTRE) <= 0.75


def test_the_three_looks_give_the_same_image():
    digits = [canvas_to_image(draw_canvas(SEVEN, look=look)) for look in LOOKS]
    assert np.allclose(digits[0], digits[1], atol=0.01)
    assert np.allclose(digits[0], digits[2], atol=0.01)


def test_grey_and_rgb_canvases_match_rgba():
    rgba = draw_canvas(SEVEN)
    expected = canvas_to_image(rgba)
    assert np.allclose(canvas_to_image(rgba[..., :3]), expected, atol=0.01)
    assert np.allclose(canvas_to_image(rgba[..., 0]), expected, atol=0.01)


def test_other_canvas_sizes_work():
    digit = canvas_to_image(draw_canvas([[(30, 30), (30, 400)]], size=500, width=30))
    assert digit.shape == (28, 28)
    rows, _ = ink_rows_cols(digit)
    assert len(rows) in (20, 21)


@pytest.mark.parametrize("width", [3, 8, 18, 30])
def test_thin_and_thick_brushes_give_mnist_like_stroke_weight(width):
    digit = canvas_to_image(draw_canvas(SEVEN, width=width))
    ink = float(digit.sum())
    assert 0.5 * MNIST_MEAN_INK <= ink <= 2.0 * MNIST_MEAN_INK, ink


def test_hairline_is_thickened_to_mnist_weight():
    hairline = canvas_to_image(draw_canvas(SEVEN, width=2))
    normal = canvas_to_image(draw_canvas(SEVEN, width=14))
    assert hairline.sum() > 0.6 * normal.sum()


@pytest.mark.parametrize("radius", range(9))
@pytest.mark.parametrize("shape", [(80, 60), (20, 80), (5, 7), (1, 1)])
def test_thickening_takes_the_max_over_the_whole_square_around_each_pixel(radius, shape):
    from model.preprocess import _max_filter

    image = np.random.default_rng(radius).random(shape, dtype=np.float32)
    image[image < 0.9] = 0.0  # sparse ink, as a hairline is
    padded = np.pad(image, radius)
    height, width = shape
    around = range(2 * radius + 1)
    expected = np.max([padded[dy : dy + height, dx : dx + width] for dy in around for dx in around], axis=0)
    assert np.array_equal(_max_filter(image, radius), expected)


def test_one_pixel_dot_does_not_crash():
    dot = np.zeros((280, 280), dtype=np.uint8)
    dot[140, 140] = 255
    digit = canvas_to_image(in_look(dot, "white_on_black"))
    assert digit is not None and digit.shape == (28, 28) and np.isfinite(digit).all()


def test_all_ink_canvas_does_not_crash():
    full = np.full((280, 280), 255, dtype=np.uint8)
    for look in LOOKS:
        digit = canvas_to_image(in_look(full, look))
        assert digit is None or (digit.shape == (28, 28) and np.isfinite(digit).all())


def test_noisy_photo_like_background_still_finds_the_digit():
    rng = np.random.default_rng(0)
    canvas = draw_canvas(SEVEN, look="dark_on_white")
    noise = rng.integers(-12, 13, canvas.shape[:2])
    canvas[..., :3] = np.clip(canvas[..., :3].astype(int) - 20 + noise[..., None], 0, 255)
    expected = canvas_to_image(draw_canvas(SEVEN))
    assert np.abs(canvas_to_image(canvas) - expected).mean() < 0.05


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((280, 280, 2), dtype=np.uint8), "shape"),
        (np.zeros((4, 280, 280, 4), dtype=np.uint8), "shape"),
        (np.zeros((280,), dtype=np.uint8), "shape"),
        (np.zeros((1, 280), dtype=np.uint8), "too small"),
        (np.zeros((280, 280, 4), dtype=np.int64), "dtype"),
        (np.full((28, 28), np.nan, dtype=np.float32), "NaN"),
        (np.full((28, 28), 3.0, dtype=np.float32), r"\[0, 1\]"),
        ([[0, 1], [1, 0]], "numpy array"),
    ],
)
def test_bad_arrays_raise_a_clear_error(bad, message):
    with pytest.raises(ValueError, match=message):
        canvas_to_image(bad)


def test_float_images_in_unit_range_are_accepted():
    digit = canvas_to_image(draw_canvas(ONE)[..., 0] / np.float32(255))
    assert digit is not None and digit.shape == (28, 28)


def test_mnist_digits_pass_through_almost_unchanged(mnist):
    """An MNIST digit is already what preprocessing makes: it should come back nearly the same."""
    _, (x_test, _) = mnist
    differences = []
    for image in x_test[:200]:
        digit = canvas_to_image(image)
        differences.append(np.abs(digit - image / 255.0).mean())
    assert np.median(differences) < 0.06


def test_semi_transparent_strokes_on_an_opaque_canvas_are_still_ink():
    canvas = draw_canvas(SEVEN)
    canvas[..., 3] = np.where(canvas[..., 0] > 0, 200, 255)  # the brush itself is see-through
    expected = canvas_to_image(draw_canvas(SEVEN))
    assert np.allclose(canvas_to_image(canvas), expected, atol=0.01)
