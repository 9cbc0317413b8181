"""Damaged uploads: byte-mutated PNGs and JPEGs through the upload path never raise anything but
the app's clear refusal (UploadError), and a phone camera's multi-picture JPEG is read."""

import io

import numpy as np
import pytest
from PIL import Image

from model.upload import UploadError, read_upload
from tests.test_upload import photo_of_seven

MUTANTS = 300  # per format: a few hundred damaged files, each damaged its own way


def mutated(data: bytes, rng: np.random.Generator) -> bytes:
    """`data` damaged like a broken transfer or disk: bytes overwritten, cut, dropped or repeated."""
    data = bytearray(data)
    kind = rng.integers(5)
    if kind == 0:  # a few bytes overwritten, anywhere
        for at in rng.integers(0, len(data), size=rng.integers(1, 12)):
            data[at] = rng.integers(256)
    elif kind == 4:  # a few bytes overwritten in the headers and first chunks
        for at in rng.integers(0, min(len(data), 120), size=rng.integers(1, 4)):
            data[at] = rng.integers(256)
    elif kind == 1:  # cut short
        data = data[: rng.integers(8, len(data))]
    elif kind == 2:  # a run of bytes dropped
        start = rng.integers(0, len(data) - 1)
        del data[start : start + rng.integers(1, 200)]
    else:  # a run of bytes repeated
        start = rng.integers(0, len(data) - 1)
        data[start:start] = data[start : start + rng.integers(1, 200)]
    return bytes(data)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_damaged_images_are_read_or_refused_with_a_clear_message(fmt):
    original = photo_of_seven(size=(600, 800), fmt=fmt)  # a PNG of several data chunks
    rng = np.random.default_rng(7)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(MUTANTS):
        data = mutated(original, rng)
        try:
            pixels = read_upload(data)
        except UploadError as refusal:
            assert str(refusal) and "Traceback" not in str(refusal)
            outcomes["refused"] += 1
            continue
        assert pixels.dtype == np.uint8 and pixels.ndim == 2
        outcomes["read"] += 1
    assert outcomes["refused"] > 0 and sum(outcomes.values()) == MUTANTS


def test_a_phone_cameras_multi_picture_jpeg_is_read_as_its_first_picture():
    first = Image.open(io.BytesIO(photo_of_seven(size=(300, 400)))).convert("RGB")
    second = Image.new("RGB", first.size, "black")
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    pixels = read_upload(buffer.getvalue())
    expected = read_upload(photo_of_seven(size=(300, 400)))
    assert pixels.shape == expected.shape
    assert np.abs(pixels.astype(int) - expected.astype(int)).mean() < 8  # the digit, not the black frame


def test_streamlit_refuses_uploads_over_the_apps_own_limit():
    """The server's upload limit is the app's: a larger file never reaches the server's memory."""
    import tomllib
    from pathlib import Path

    from model.upload import MAX_UPLOAD_BYTES

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES
