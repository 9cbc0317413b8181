"""Peak memory an upload adds, measured in a fresh child process (tests and benchmarks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import io, sys
from PIL import Image
from model.upload import read_upload

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))

data = open(sys.argv[2], "rb").read()
before = peak_kb()
if sys.argv[1] == "upload":
    read_upload(data)
else:  # the baseline: Pillow decoding the same file to RGB, nothing more
    Image.open(io.BytesIO(data)).convert("RGB").load()
print(peak_kb() - before)
"""


def peak_added_mb(path: Path, what: str = "upload") -> float:
    """MB by which reading `path` raises a fresh process' peak memory (VmHWM); `what`: upload or decode."""
    result = subprocess.run(
        [sys.executable, "-c", CHILD, what, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(result.stdout.split()[-1]) / 1024
