"""How much memory do the training command's worker processes take? A short run, its process tree sampled.

The command makes its training images (retraced, written and real pen digits) on worker processes
(`model/parallel.py`). They import the command's main module, `model.train`; since that module no
longer imports Keras, they start without TensorFlow. The baseline, in the same run: a fresh process
that imports Keras and the image code, which is what each worker was when `model.train` imported
Keras at the top.

    python -m benchmarks.training_workers [--data mnist.npz]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.startup import memory_mb

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_EVERY = 0.2  # seconds


def children(pid: int) -> list[int]:
    """The process ids whose parent is `pid` (from /proc)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(name))
    return found


def rss_mb(pid: int) -> float:
    """A process' memory now (VmRSS, MB); 0 once it has ended."""
    try:
        return memory_mb(pid)[0]
    except (OSError, KeyError):  # gone, or a zombie without memory lines
        return 0.0


def short_run(data: str | None) -> dict:
    """Run a one-epoch training on 12,000 images with every kind of made image; sample its tree."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "model.train", "--augment", "--epochs", "1", "--limit", "12000"]
        command += ["--seed", "0", "--written", "0.5", "--real", "0.5", "--out", str(Path(folder) / "b")]
        command += ["--data", data] if data else []
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peaks, together, main = {}, 0.0, 0.0
        while process.poll() is None:
            main = max(main, rss_mb(process.pid))
            tree = children(process.pid)
            tree += [grandchild for child in tree for grandchild in children(child)]
            sizes = {pid: rss_mb(pid) for pid in tree}
            for pid, size in sizes.items():
                peaks[pid] = max(peaks.get(pid, 0.0), size)
            together = max(together, sum(sizes.values()))
            time.sleep(SAMPLE_EVERY)
    if process.returncode != 0:
        raise SystemExit(f"the training command failed (exit {process.returncode})")
    return {
        "seconds": time.perf_counter() - started,
        "main": main,
        "processes": len(peaks),
        "largest": max(peaks.values(), default=0.0),
        "together": together,
    }


def with_keras_mb() -> float:
    """Peak memory (VmHWM) of a fresh process that imports Keras and the image code: the baseline."""
    code = (
        "import keras, model.augment, model.parallel\n"
        "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_NPZ"), help="mnist.npz (default: $MNIST_NPZ)")
    args = parser.parse_args(argv)
    run = short_run(args.data)
    baseline = with_keras_mb()
    print(f"short training run: {run['seconds']:.1f} s; the training process up to {run['main']:.0f} MB")
    print(f"processes it started (workers, and Python's resource tracker): {run['processes']}")
    print(f"largest of them: {run['largest']:.0f} MB; all of them at once: {run['together']:.0f} MB")
    print(f"baseline, a process with Keras and the image code imported: {baseline:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
