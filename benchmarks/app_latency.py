"""Stroke-to-answer latency in headless Chromium: the app vs a page with only a canvas and a metric.

Each page runs in its own Streamlit server; the same strokes are drawn on both, alternating, and
the time from mouse-up to the last change of the page it triggers is measured in the page.

    python benchmarks/app_latency.py [--strokes 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from browser import ONE, SEVEN, ZERO, draw, launch, open_app, reset_canvas, streamlit_server  # noqa: E402

STROKES = [ONE[0], ZERO[0], SEVEN[0]]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=15, help="strokes timed per page")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    times = {"baseline": [], "app": []}
    with (
        streamlit_server(ROOT / "benchmarks" / "baseline_page.py") as baseline_url,
        streamlit_server(ROOT / "streamlit_app.py") as app_url,
        sync_playwright() as playwright,
    ):
        browser = launch(playwright)
        pages = {"baseline": open_app(browser, baseline_url), "app": open_app(browser, app_url)}
        for page in pages.values():  # warm-up: first reruns pay one-off costs
            draw(page, [STROKES[0]])
        for number in range(args.strokes):
            # Shifted every cycle: after a reset the pad never returns to a drawing it sent before.
            cycle = number // len(STROKES)
            stroke = [(x + 6 * cycle, y + 4 * cycle) for x, y in STROKES[number % len(STROKES)]]
            for name, page in pages.items():
                try:
                    if number % len(STROKES) == 0:
                        reset_canvas(page)
                    times[name].append(draw(page, [stroke]))
                except Exception as error:
                    page.screenshot(path=f"/tmp/latency-failure-{name}.png")
                    raise RuntimeError(f"{name} page, stroke {number}: no rerun ({error})") from None
        browser.close()

    baseline, app = (statistics.median(times[name]) for name in ("baseline", "app"))
    print(f"mouse-up -> answer on the page (last change), median of {args.strokes} strokes each:")
    print(f"  canvas + metric page: {baseline:6.0f} ms")
    print(f"  the app:              {app:6.0f} ms")
    print(f"ratio app / baseline: {app / baseline:.2f}  (target <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
