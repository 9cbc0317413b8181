"""Does training in one session slow down drawing in another? Stroke-to-answer latency, idle vs training.

One Streamlit server; session B draws strokes and the time from mouse-up to the last change of
the page is measured in the page. First with nothing else going on, then while session A trains
the full documented MLP from the Train page (all 60,000 images, batch 32) and watches its live
progress. Session A cancels the run at the end.

    MNIST_NPZ=../shared/data/mnist.npz python -m benchmarks.training_responsiveness [--strokes 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from model.runs import list_runs
from tests.browser import (
    ONE,
    SEVEN,
    ZERO,
    draw,
    launch,
    metric_value,
    open_app,
    reset_canvas,
    streamlit_server,
)

ROOT = Path(__file__).resolve().parents[1]

STROKES = [(ONE[0], "1"), (ZERO[0], "0"), (SEVEN[0], "7")]


def timed_strokes(page, count: int, runs: Path | None = None) -> tuple[list[float], int]:
    """Draw `count` strokes (reset before each); (latencies in ms, strokes answered correctly)."""
    times, right = [], 0
    for number in range(count):
        stroke, digit = STROKES[number % len(STROKES)]
        shift = 5 * (number // len(STROKES))  # never send the pad a drawing it sent before
        reset_canvas(page)
        times.append(draw(page, [[(x + shift, y + shift) for x, y in stroke]]))
        right += metric_value(page) == digit
        if runs is not None:
            (run,) = list_runs(runs)
            if run.state != "training":
                raise RuntimeError(f"the run left training ({run.state}) before stroke {number + 1}")
    return times, right


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=15, help="strokes timed in each condition")
    args = parser.parse_args(argv)
    if not os.environ.get("MNIST_NPZ"):
        parser.error("set MNIST_NPZ to an mnist.npz: session A trains on it")
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        runs = Path(scratch) / "runs"
        env = {"DIGITS_RUNS": str(runs), "DIGITS_FEEDBACK_DB": str(Path(scratch) / "f.sqlite")}
        with streamlit_server(ROOT / "streamlit_app.py", env=env) as url, sync_playwright() as playwright:
            browser = launch(playwright)
            drawer = open_app(browser, url)
            draw(drawer, [ONE[0]])  # warm-up: first reruns pay one-off costs
            idle, idle_right = timed_strokes(drawer, args.strokes)

            trainer = open_app(browser, url, path="train", ready="text=Start training")
            trainer.get_by_role("slider").first.focus()
            trainer.keyboard.press("End")  # 20 epochs: longer than the strokes take
            trainer.get_by_role("button", name="Start training").click()
            expect(trainer.get_by_text("Epoch 1 of 20 · batch")).to_be_visible(timeout=120_000)
            training, training_right = timed_strokes(drawer, args.strokes, runs)
            (run,) = list_runs(runs)
            progress = run.status
            trainer.get_by_role("button", name="Cancel training").click()
            expect(trainer.get_by_text("Run cancelled")).to_be_visible(timeout=60_000)
            browser.close()

    calm, busy = statistics.median(idle), statistics.median(training)
    print(f"mouse-up -> answer in session B, median of {args.strokes} strokes each:")
    print(f"  nothing else running:         {calm:6.0f} ms  ({idle_right}/{args.strokes} read right)")
    print(f"  while session A trains:       {busy:6.0f} ms  ({training_right}/{args.strokes} read right)")
    print(f"    (worst stroke: {max(idle):.0f} ms idle, {max(training):.0f} ms training)")
    print(f"ratio training / idle: {busy / calm:.2f}")
    print(
        f"the run reached epoch {progress.epoch + 1} of {progress.epochs}, "
        f"batch {progress.step} of {progress.steps}, in {progress.elapsed:.0f} s; then cancelled"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
