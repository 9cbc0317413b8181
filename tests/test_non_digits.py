"""The non-digit yardstick (tests/non_digits.py) draws every kind on the pad, and nothing that
trains ever reads it or the real pen digits."""

from pathlib import Path

import numpy as np
import pytest

from model.preprocess import ink_map
from tests.non_digits import KINDS, draw_non_digit, non_digit_set

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_drawn_on_the_pad_with_ink(kind):
    rng = np.random.default_rng(5)
    for _ in range(10):
        canvas = draw_non_digit(kind, rng)
        assert canvas.shape == (280, 280, 4) and canvas.dtype == np.uint8
        ink = ink_map(canvas) > 0.5
        assert ink.any()
        touches_edge = ink[0].any() or ink[-1].any() or ink[:, 0].any() or ink[:, -1].any()
        assert touches_edge == (kind == "edge")  # only the edge kind runs off the pad


def test_ink_running_off_the_pad_touches_its_edge_every_time():
    rng = np.random.default_rng(6)
    drawn = [ink_map(draw_non_digit("edge", rng)) > 0.5 for _ in range(40)]
    assert all(d[:, 0].any() or d[:, -1].any() for d in drawn)


def test_the_set_is_the_same_for_the_same_seed():
    first = [canvas for _, canvas in non_digit_set(2, seed=3)]
    again = [canvas for _, canvas in non_digit_set(2, seed=3)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again)) and len(first) == 2 * len(KINDS)


def test_nothing_that_trains_reads_a_yardstick():
    for path in sorted((ROOT / "model").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for yardstick in ("non_digits", "pen_digits", "pendigits", "styles"):
            assert f"tests.{yardstick}" not in text and f"{yardstick}.json" not in text, (
                path.name,
                yardstick,
            )
