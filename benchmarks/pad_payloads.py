"""Peak memory of reading what a browser sends as the pad's picture: the app's check
(`read_pad_image`) vs the canvas package's own decoding (what the app did before), same payloads.

Each figure is the rise of a fresh child process' peak memory (VmHWM) while it reads one payload:
the pad's real PNG, crafted ones (a 13000x13000 PNG, 8 MB of junk after a PNG, a 16-bit PNG, a
PNG of pure noise at the largest size accepted), and the worst of a few hundred byte-mutated pad
PNGs and uploads (`tests/test_pad_image.py`, `tests/test_upload_fuzz.py` make the same kinds).

    python -m benchmarks.pad_payloads [--mutants 300]
"""

from __future__ import annotations

import argparse
import base64
import io
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from tests.drawing import SEVEN, draw_canvas
from tests.test_upload import photo_of_seven
from tests.test_upload_fuzz import mutated

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import base64, io, sys
import numpy as np
from PIL import Image

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))

how, paths = sys.argv[1], sys.argv[2:]
from model.pad_image import read_pad_image
from model.upload import read_upload
items = [open(path, "rb").read() for path in paths]
items = [item.decode("ascii") for item in items] if how != "upload" else items  # as the server has them
outcomes = []
before = peak_kb()  # the peak rises with the worst item; the items are read one after another
for item in items:
    try:
        if how == "app":
            read_pad_image(item, 280)
        elif how == "package":  # streamlit-drawable-canvas 0.13's CanvasResult.image_data
            _, encoded = item.split(";base64,", 1)
            np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))
        else:
            read_upload(item)
        outcomes.append("read")
    except Exception as error:
        outcomes.append(type(error).__name__)
print(peak_kb() - before, " ".join(sorted(set(outcomes))))
"""


def data_url(png: bytes) -> bytes:
    return b"data:image/png;base64," + base64.b64encode(png)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def payloads(mutants: int) -> dict[str, list[bytes]]:
    pad = png(Image.fromarray(draw_canvas(SEVEN), "RGBA"))
    noise = np.random.default_rng(0).integers(0, 256, (280, 280, 4), dtype=np.uint8)
    rng = np.random.default_rng(3)
    return {
        "the pad's own PNG": [data_url(pad)],
        "13000x13000 PNG": [data_url(png(Image.new("L", (13000, 13000))))],
        "8 MB of junk after a PNG": [data_url(pad + bytes(8 * 2**20))],
        "16-bit PNG": [data_url(png(Image.fromarray(np.zeros((280, 280), dtype=np.uint16))))],
        "noise PNG, the pad's size": [data_url(png(Image.fromarray(noise, "RGBA")))],
        f"{mutants} mutated pad PNGs": [data_url(mutated(pad, rng)) for _ in range(mutants)],
    }


def peak(how: str, items: list[bytes], folder: Path) -> tuple[float, str]:
    paths = []
    for number, item in enumerate(items):
        paths.append(folder / f"{how}-{number}")
        paths[-1].write_bytes(item)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, how, *map(str, paths)], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        return float("nan"), f"child failed: {result.stderr.strip().splitlines()[-1]}"
    worst, outcomes = result.stdout.split(" ", 1)
    return int(worst) / 1024, outcomes.strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        print(f"{'payload':28} {'app adds':>9}  {'outcome':24} {'package adds':>12}  outcome")
        for name, items in payloads(args.mutants).items():
            app_mb, app_outcome = peak("app", items, folder)
            package_mb, package_outcome = peak("package", items, folder)
            print(f"{name:28} {app_mb:6.1f} MB  {app_outcome:24} {package_mb:9.1f} MB  {package_outcome}")
        rng = np.random.default_rng(7)
        for fmt in ("PNG", "JPEG"):
            original = photo_of_seven(size=(600, 800), fmt=fmt)
            uploads = [mutated(original, rng) for _ in range(args.mutants)]
            mb, outcome = peak("upload", uploads, folder)
            print(f"{f'{args.mutants} mutated {fmt} uploads':28} {mb:6.1f} MB  {outcome}")
    print("app adds: how far reading the payloads, one after another, raises the peak (the worst one);")
    print("package adds: the same payloads decoded as streamlit-drawable-canvas 0.13 does")
    return 0


if __name__ == "__main__":
    sys.exit(main())
