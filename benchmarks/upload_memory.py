"""Peak memory one upload adds: `read_upload` vs Pillow merely decoding the same file to RGB.

Each figure comes from a fresh child process (VmHWM after minus before), on large images made
here: a transparent PNG of a digit (6300x6300, ~170 KB on disk), a 16-bit greyscale PNG and a
phone-sized JPEG. The target is at most 3x the image's decoded RGB size.

    python -m benchmarks.upload_memory
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from model.upload import read_upload
from tests.drawing import SEVEN, draw_canvas
from tests.memory import peak_added_mb

ROOT = Path(__file__).resolve().parents[1]


def images(folder: Path) -> dict[str, Path]:
    seven = draw_canvas(SEVEN, look="transparent")
    made = {
        "transparent PNG 6300x6300": (
            Image.fromarray(seven, mode="RGBA").resize((6300, 6300), Image.Resampling.NEAREST),
            "PNG",
        ),
        "16-bit grey PNG 4000x4000": (
            Image.fromarray(np.where(seven[..., 3] > 128, 8000, 50000).astype(np.uint16)).resize(
                (4000, 4000)
            ),
            "PNG",
        ),
        "JPEG photo 6000x4000": (
            Image.fromarray(255 - seven[..., 3]).convert("RGB").resize((6000, 4000)),
            "JPEG",
        ),
    }
    paths = {}
    for name, (image, fmt) in made.items():
        paths[name] = folder / f"{len(paths)}.{fmt.lower()}"
        image.save(paths[name], format=fmt)
    return paths


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        print(
            f"{'image':28} {'file':>8} {'upload adds':>12} {'x RGB size':>10} "
            f"{'decode to RGB':>14} {'seconds':>8}"
        )
        for name, path in images(Path(scratch)).items():
            with Image.open(path) as image:
                rgb_mb = image.width * image.height * 3 / 2**20
            upload, decode = peak_added_mb(path), peak_added_mb(path, "decode")
            started = time.perf_counter()
            read_upload(path.read_bytes())
            seconds = time.perf_counter() - started
            print(
                f"{name:28} {path.stat().st_size / 1e3:6.0f}KB {upload:9.0f} MB {upload / rgb_mb:9.2f}x "
                f"{decode:11.0f} MB {seconds:8.2f}"
            )
    print("target: upload adds <= 3x the decoded RGB size")
    return 0


if __name__ == "__main__":
    sys.exit(main())
