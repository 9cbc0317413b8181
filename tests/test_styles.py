"""Handwriting styles: the drawn-styles yardstick is sound, the augmentation adds its own styles,
and the committed model reads every style."""

import numpy as np
import pytest

from model.augment import add_style_variants
from model.constants import IMAGE_SIDE
from model.inference import Classifier
from model.preprocess import canvas_to_image, ink_map
from tests.drawing import LOOKS
from tests.styles import STYLES, styled_canvas, styled_set

WRITERS = 30  # per style in the model test: 390 drawings, well under a second to classify
STYLE_FLOOR = 0.9  # each style, committed model (benchmarks/drawn_digits.py: 300 writers per style)


@pytest.mark.parametrize("name", STYLES)
def test_every_style_draws_a_whole_digit_inside_the_pad(name):
    rng = np.random.default_rng(0)
    for number in range(12):
        canvas = styled_canvas(STYLES[name][1], rng, LOOKS[number % 3])
        assert canvas.shape == (280, 280, 4) and canvas.dtype == np.uint8
        ink = ink_map(canvas) > 0.25
        assert ink.any(), "a writer drew nothing"
        assert not (ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any()), "off the pad"
        digit = canvas_to_image(canvas)
        assert digit is not None and digit.shape == (IMAGE_SIDE, IMAGE_SIDE)


def test_writers_differ_and_the_set_is_repeatable():
    first = [canvas for _, _, canvas in styled_set(3)]
    again = [canvas for _, _, canvas in styled_set(3)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert len(first) == 3 * len(STYLES)
    assert not np.array_equal(first[0], first[1])


def test_slashes_vary_in_angle_and_reach_past_the_ring_or_stop_inside():
    rng = np.random.default_rng(5)
    angles, reaches = [], []
    for _ in range(200):
        strokes, width = STYLES["0 slashed"][1](rng)
        (x0, y0), (x1, y1) = strokes[-1]
        angles.append(np.degrees(np.arctan2(y0 - y1, x1 - x0)) % 180)
        # How far the slash's ends are from the ring's centre, in units of the ring (1 = on it).
        reaches += [np.hypot((x - width / 2) / (width / 2), (y - 0.5) / 0.5) for x, y in strokes[-1]]
    assert min(angles) < 35 and max(angles) > 75 and any(a > 100 for a in angles)
    reaches = np.asarray(reaches)
    assert (reaches < 0.95).mean() > 0.1 and (reaches > 1.3).mean() > 0.2


def test_curled_and_hooked_nines_end_left_of_their_stem():
    for name in ("9 curled stem", "9 hooked stem"):
        rng = np.random.default_rng(6)
        for _ in range(50):
            (stroke,), width = STYLES[name][1](rng)
            stem = max(x for x, y in stroke if y > 0.6)  # the stem runs down the right side
            assert stroke[-1][0] < stem - 0.1 * width and stroke[-1][1] > 0.6, name


def test_augmentation_adds_styled_zeros_ones_sevens_and_nines(mnist):
    (x_train, y_train), _ = mnist
    images, labels = x_train[:3000], y_train[:3000]
    more_images, more_labels = add_style_variants(images, labels, np.random.default_rng(0))
    added_images, added = more_images[3000:], more_labels[3000:]
    assert set(np.unique(added)) == {0, 1, 7, 9}
    for digit in (0, 1, 7, 9):
        share = (added == digit).sum() / (labels == digit).sum()
        assert 0.25 < share <= 0.35, digit  # a third of them; a few digits give no place for a stroke
    assert added_images.dtype == np.uint8 and added_images.shape[1:] == (IMAGE_SIDE, IMAGE_SIDE)
    # With its added stroke each digit is refitted into MNIST's 20x20 box like any drawing.
    tall = (added_images.max(axis=2) > 0).sum(axis=1)
    wide = (added_images.max(axis=1) > 0).sum(axis=1)
    longer = np.maximum(tall, wide)
    assert longer.max() == 20 and (longer == 20).mean() > 0.98  # a faint edge may round to 0


def test_the_committed_model_reads_every_drawn_style():
    classifier = Classifier.load()
    right = {name: 0 for name in STYLES}
    for name, label, canvas in styled_set(WRITERS, seed=11):
        right[name] += classifier.classify_canvas(canvas).digit == label
    low = {name: count / WRITERS for name, count in right.items() if count / WRITERS < STYLE_FLOOR}
    assert not low, f"styles read below {STYLE_FLOOR:.0%}: {low}"


def test_augmentation_retraces_a_fifth_of_the_digits_again_with_a_fat_pen(mnist):
    from model.augment import FAT_PEN_SHARE, PEN_SHARE, augmented_training_set
    from model.preprocess import stroke_width

    (x_train, y_train), _ = mnist
    images, labels = x_train[:500], y_train[:500]
    out_images, out_labels = augmented_training_set(images, labels, np.random.default_rng(1))
    styled = len(add_style_variants(images, labels, np.random.default_rng(1))[0])
    pens = int(styled * PEN_SHARE)
    assert len(out_images) == styled + pens + int(styled * FAT_PEN_SHARE)
    thin = [stroke_width(image / 255.0) for image in out_images[styled : styled + pens]]
    fat = [stroke_width(image / 255.0) for image in out_images[styled + pens :]]
    assert np.median(fat) > np.median(thin) * 1.4  # strokes like a small digit drawn with a wide brush
