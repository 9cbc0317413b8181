"""Latency in headless Chromium: strokes on the Draw page, and switching pages.

1. Stroke to answer: the app's Draw page vs a page with only a canvas and a metric (each in its
   own Streamlit server), and the Follow the flow page (every step redrawn) vs the Draw page. The
   same strokes are drawn on all, in turn, and the time from mouse-up to the last change of the
   page it triggers is measured in the page.
2. One training step on the flow page: click to the last change of the page.
3. Opening a view: clicking a page in the navigation bar of the app, vs clicking the same view's
   tab in the single-script app with tabs it replaced (commit BASELINE_COMMIT, taken from git into
   a scratch folder), measured the same way in the same run.

    python -m benchmarks.app_latency [--strokes 15] [--switches 5] [--before REV]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.startup import checkout
from tests.browser import (
    ONE,
    QUIET_MS,
    SEVEN,
    ZERO,
    draw,
    launch,
    open_app,
    open_page,
    reset_canvas,
    streamlit_server,
    wait_settled,
)

ROOT = Path(__file__).resolve().parents[1]

STROKES = [ONE[0], ZERO[0], SEVEN[0]]
VIEWS = ("Train", "Your drawings", "Inside the model")
BASELINE_COMMIT = "3993818"  # the last app with tabs in one streamlit_app.py


def tabs_app(folder: Path) -> Path | None:
    """The app as it was before pages, written into `folder`; None outside a git checkout."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BASELINE_COMMIT}:streamlit_app.py"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = folder / "tabs_app.py"
    path.write_bytes(source)
    return path


def open_tab(page, name: str) -> float:
    """Click a tab of the tabs app and wait until it has settled; the ms it took."""
    clicked = page.evaluate("performance.now()")
    page.get_by_role("tab", name=name, exact=True).click()
    wait_settled(page, clicked)
    return page.evaluate("window.__lastChange") - clicked


def stroke_latency(
    baseline_url: str, app_url: str, browser, strokes: int, before_url: str | None = None
) -> dict[str, list[float]]:
    pages = {
        "baseline": open_app(browser, baseline_url),
        "app": open_app(browser, app_url),
        "flow": open_app(browser, app_url, path="flow"),
    }
    if before_url:
        pages["before"] = open_app(browser, before_url)
    times = {name: [] for name in pages}
    for page in pages.values():  # warm-up: first reruns pay one-off costs
        draw(page, [STROKES[0]])
    for number in range(strokes):
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
    for _ in range(strokes // 3 + 1):  # the first step pays Keras' one-off costs: not counted
        clicked = pages["flow"].evaluate("performance.now()")
        pages["flow"].get_by_role("button", name="Take one training step", exact=False).click()
        wait_settled(pages["flow"], clicked)
        times.setdefault("step", []).append(pages["flow"].evaluate("window.__lastChange") - clicked)
    times["step"] = times["step"][1:]
    for page in pages.values():
        page.context.close()
    return times


def switch_latency(url: str, browser, switches: int, opener) -> dict[str, list[float]]:
    """From Draw to each view and back, `switches` times: the ms each view took to open."""
    page = open_app(browser, url)
    times = {view: [] for view in VIEWS}
    for round_ in range(switches + 1):  # the first round warms caches up and is not counted
        for view in VIEWS:
            took = opener(page, view)
            if round_:
                times[view].append(took)
            opener(page, "Draw")
    page.context.close()
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=15, help="strokes timed per page")
    parser.add_argument("--switches", type=int, default=5, help="times each view is opened")
    parser.add_argument(
        "--before", default=None, help="also time strokes on the Draw page at this git revision"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        old_app = tabs_app(Path(scratch))
        env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        with (
            streamlit_server(ROOT / "benchmarks" / "baseline_page.py") as baseline_url,
            streamlit_server(ROOT / "streamlit_app.py") as app_url,
            sync_playwright() as playwright,
        ):
            browser = launch(playwright)
            if args.before:
                before_dir = Path(scratch) / "before"
                before_dir.mkdir()
                with streamlit_server(checkout(args.before, before_dir)) as before_url:
                    strokes = stroke_latency(baseline_url, app_url, browser, args.strokes, before_url)
            else:
                strokes = stroke_latency(baseline_url, app_url, browser, args.strokes)
            pages = switch_latency(app_url, browser, args.switches, open_page)
            tabs = None
            if old_app:
                with streamlit_server(old_app, env=env) as tabs_url:
                    tabs = switch_latency(tabs_url, browser, args.switches, open_tab)
            browser.close()

    baseline, app, flow = (statistics.median(strokes[name]) for name in ("baseline", "app", "flow"))
    print(f"mouse-up -> answer (last change of the page), median of {args.strokes} strokes each:")
    print(f"  canvas + metric page:      {baseline:6.0f} ms")
    print(f"  the app's Draw page:       {app:6.0f} ms")
    print(f"  the Follow the flow page:  {flow:6.0f} ms")
    if "before" in strokes:
        before = statistics.median(strokes["before"])
        print(f"  the Draw page at {args.before}: {before:6.0f} ms  (now / then: {app / before:.2f})")
    print(f"ratio Draw / baseline: {app / baseline:.2f}  (target <= 1.1)")
    print(f"ratio flow / Draw:     {flow / app:.2f}  (target <= 2)")
    print(
        "one training step on the flow page, click -> last change: "
        f"{statistics.median(strokes['step']):.0f} ms"
        f" (median of {len(strokes['step'])}; target <= 1000 ms)"
    )
    print(
        f"\nopening a view from Draw (click -> last change, {QUIET_MS} ms quiet), median of {args.switches}:"
    )
    print(f"  {'view':18} {'page':>8} {'old tab':>8} {'ratio':>6}")
    for view in VIEWS:
        page_ms = statistics.median(pages[view])
        tab_ms = statistics.median(tabs[view]) if tabs else float("nan")
        print(f"  {view:18} {page_ms:6.0f} ms {tab_ms:6.0f} ms {page_ms / tab_ms:6.2f}")
    if tabs is None:
        print(f"  (old tabs app unavailable: not a git checkout with commit {BASELINE_COMMIT})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
