"""One server, many visitors: N browser sessions (each its own visitor) draw digits and save
each answer while another visitor's run trains; every stroke must be answered and every save
stored exactly once, in its own visitor's drawings, and nobody else's.

First one visitor draws alone on the same server (the baseline), then the crowd draws at once,
each session in its own Chromium (threads: Playwright's sync API is one per thread). Afterwards
the store is read per visitor, and each visitor's "Your drawings" page is opened to count.

    MNIST_NPZ=path/to/mnist.npz python -m benchmarks.many_visitors [--visitors 10] [--drawings 6]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from model.feedback import FeedbackStore
from model.runs import cancel_run, list_runs
from tests.browser import (
    ONE,
    SEVEN,
    ZERO,
    draw,
    launch,
    metric_value,
    open_app,
    open_page,
    reset_canvas,
    streamlit_process,
    visitor_of,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[1]
DIGITS = [(ONE, "1"), (ZERO, "0"), (SEVEN, "7")]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def visit(url: str, number: int, drawings: int, results: dict, delay: float = 0.0) -> None:
    """One visitor: draw, save the answer, `drawings` times; then count on Your drawings."""
    from playwright.sync_api import expect, sync_playwright

    record = {"latencies": [], "answered": 0, "right": 0, "saved": 0, "error": None}
    results[number] = record
    time.sleep(delay)  # browsers starting all at once would only measure Chromium's start-up
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = open_app(browser, url)
            for index in range(drawings):
                strokes, digit = DIGITS[index % len(DIGITS)]
                shift = 3 * number + 5 * (index // len(DIGITS))  # no two drawings alike
                if index:
                    reset_canvas(page)
                record["latencies"].append(draw(page, [[(x + shift, y) for x, y in s] for s in strokes]))
                answer = metric_value(page).rstrip("?")
                if not answer.isdigit():
                    continue
                record["answered"] += 1
                record["right"] += answer == digit
                page.get_by_role("button", name=f"✓ Yes, it is a {answer}").click()
                expect(page.get_by_text("Saved drawing #")).to_be_visible(timeout=60_000)
                record["saved"] += 1
            record["visitor"] = visitor_of(page)
            open_page(page, "Your drawings")
            wait_idle(page)
            shown = page.locator('[data-testid="stMetric"]', has_text="Drawings saved")
            record["shown"] = int(shown.locator('[data-testid="stMetricValue"]').inner_text())
            browser.close()
    except Exception as error:  # reported with the figures
        record["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=10)
    parser.add_argument("--drawings", type=int, default=6, help="digits each visitor draws and saves")
    args = parser.parse_args(argv)
    if not os.environ.get("MNIST_NPZ"):
        parser.error("set MNIST_NPZ to an mnist.npz: one visitor trains on it meanwhile")
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        runs, db = Path(scratch) / "runs", Path(scratch) / "f.sqlite"
        env = {"DIGITS_RUNS": str(runs), "DIGITS_FEEDBACK_DB": str(db)}
        with streamlit_process(ROOT / "streamlit_app.py", env=env) as (url, server):
            alone: dict = {}
            spent = cpu_seconds(server.pid)
            visit(url, 0, args.drawings, alone)  # the baseline: one visitor, nothing else going on
            cpu_alone = cpu_seconds(server.pid) - spent
            with sync_playwright() as playwright:
                browser = launch(playwright)
                trainer = open_app(browser, url, path="train", ready="text=Start training")
                trainer.get_by_role("slider").first.focus()
                trainer.keyboard.press("End")  # 20 epochs: longer than the crowd draws
                wait_idle(trainer)
                trainer.get_by_role("button", name="Start training").click()
                expect(trainer.get_by_text("Epoch 1 of 20 · batch")).to_be_visible(timeout=120_000)
                crowd: dict = {}
                threads = [
                    threading.Thread(target=visit, args=(url, number, args.drawings, crowd, 2.0 * number))
                    for number in range(1, args.visitors + 1)
                ]
                spent = cpu_seconds(server.pid)
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                cpu_crowd = cpu_seconds(server.pid) - spent
                (run,) = list_runs(runs)
                still_training = run.state == "training"
                reached = run.status
                cancel_run(run, by=run.owner)
                browser.close()
        everyone = {**alone, **crowd}
        stored = {
            number: len(FeedbackStore(db, owner=record["visitor"]).drawings())
            for number, record in everyone.items()
            if record.get("visitor")
        }
        with sqlite3.connect(db) as connection:
            rows, owners = connection.execute(
                "SELECT count(*), count(DISTINCT owner) FROM drawings"
            ).fetchone()
    errors = {number: r["error"] for number, r in everyone.items() if r["error"]}
    drawn = sum(len(r["latencies"]) for r in crowd.values())
    answered = sum(r["answered"] for r in crowd.values())
    saved = sum(r["saved"] for r in crowd.values())
    once = sum(stored.get(n) == r["saved"] == r.get("shown") for n, r in everyone.items())
    own = len({r.get("visitor") for r in everyone.values()}) == len(everyone)
    base = statistics.median(alone[0]["latencies"])
    busy = statistics.median([t for r in crowd.values() for t in r["latencies"]])
    print(f"{args.visitors} visitors drawing and saving {args.drawings} digits each, one server, while")
    print(
        f"another visitor's run trained (still training at the end: {still_training}; it reached epoch "
        f"{reached.epoch + 1} of {reached.epochs}, then was cancelled)"
    )
    right = sum(r["right"] for r in crowd.values())
    clicked = saved + alone[0]["saved"]
    print(f"  strokes answered:  {answered}/{drawn} ({right} read right)")
    print(f"  saves clicked:     {saved} (and {alone[0]['saved']} by the visitor alone)")
    print(f"  rows in the store: {rows}, under {owners} owners; visitors: {len(everyone)}")
    print(f"  visitors whose store and page both hold exactly what they saved: {once}/{len(everyone)}")
    print(
        f"  mouse-up -> answer, median: alone {base:.0f} ms, in the crowd {busy:.0f} ms ({busy / base:.2f}x)"
    )
    per_alone = cpu_alone / max(1, len(alone[0]["latencies"]))
    per_crowd = cpu_crowd / max(1, drawn)
    print(
        f"  the server's CPU per drawn digit (with its save and the visitor's pages): alone "
        f"{per_alone * 1000:.0f} ms, in the crowd {per_crowd * 1000:.0f} ms ({per_crowd / per_alone:.2f}x)"
    )
    print("  (the crowd's Chromiums, the training run and the server share the machine's cores)")
    if errors:
        print(f"  errors: {errors}")
    ok = answered == drawn and once == len(everyone) and own and rows == clicked and owners == len(everyone)
    return 0 if ok and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
