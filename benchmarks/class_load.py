"""A class of 30 on one server: every pupil's stroke answered, every save on the teacher's board
exactly once and within 3 s, none lost; the pupils' mouse-up-to-answer against a single session's.

One server. First a single visitor draws and saves alone (the baseline). Then a teacher starts a
class and keeps its board open (it refreshes every 2 s), and 30 pupils join by the class link,
each in its own browser context (its own visitor) of one headless Chromium, with a nickname.
The pupils take turns, as a class does: each draws a digit and saves it, then the next; the
board is watched for that pupil's drawing after every save. All 31 pages stay open and connected
throughout. The server's own CPU time per answered digit is reported against the single visitor's
(the pages and the server share this machine's 2 cores).

    python -m benchmarks.class_load [--pupils 30] [--drawings 2]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.many_visitors import cpu_seconds
from model.classes import ClassStore
from tests.browser import (
    ONE,
    SEVEN,
    draw,
    launch,
    metric_value,
    open_app,
    reset_canvas,
    streamlit_process,
    wait_idle,
)

ROOT = Path(__file__).resolve().parents[1]
DIGITS = [(SEVEN, "7"), (ONE, "1")]
BOARD_WITHIN_S = 3.0


def draw_and_save(page, number: int, index: int) -> tuple[float, str | None]:
    """Draw one digit (shifted: no two drawings alike), save the answer; (mouse-up to answer in ms,
    the answer or None when it was not a digit)."""
    strokes, _ = DIGITS[index % len(DIGITS)]
    shift = 2 * number + 7 * index
    if index:
        reset_canvas(page)
    latency = draw(page, [[(x + shift, y) for x, y in stroke] for stroke in strokes])
    answer = metric_value(page)
    if not answer.isdigit():
        return latency, None
    page.get_by_role("button", name=f"✓ Yes, it is a {answer}").click()
    page.get_by_text("Saved drawing #").wait_for(timeout=60_000)
    return latency, answer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=30)
    parser.add_argument("--drawings", type=int, default=2, help="digits each pupil draws and saves")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "f.sqlite"
        env = {"DIGITS_RUNS": str(Path(scratch) / "runs"), "DIGITS_FEEDBACK_DB": str(db)}
        with streamlit_process(ROOT / "streamlit_app.py", env=env) as (url, server), sync_playwright() as pw:
            browser = launch(pw)
            alone = open_app(browser, url)
            spent = cpu_seconds(server.pid)
            base = [draw_and_save(alone, 0, index) for index in range(args.drawings * 3)]
            cpu_alone = (cpu_seconds(server.pid) - spent) / len(base)
            alone.context.close()

            teacher = open_app(browser, url, path="class", ready="h1", width=1280, height=720)
            teacher.get_by_role("button", name="Start a class").click()
            teacher.wait_for_selector(".class-code", timeout=60_000)
            code = re.search(r"Class (\w{4})", teacher.locator(".class-code").inner_text()).group(1)
            pupils = []
            started = time.monotonic()
            for number in range(1, args.pupils + 1):
                page = open_app(browser, url, path=f"class?join={code}", width=390, height=844)
                page.get_by_label("Nickname (optional; no real name needed)").fill(f"p{number:02d}")
                page.keyboard.press("Enter")
                wait_idle(page)
                pupils.append(page)
            joined_s = time.monotonic() - started

            latencies, answered, saved, late, board_s = [], 0, 0, [], []
            spent = cpu_seconds(server.pid)
            for index in range(args.drawings):
                for number, page in enumerate(pupils, start=1):
                    latency, answer = draw_and_save(page, number, index)
                    latencies.append(latency)
                    if answer is None:
                        continue
                    answered += 1
                    saved += 1
                    clicked = time.monotonic()
                    label = "an 8" if answer == "8" else f"a {answer}"
                    shown = teacher.get_by_text(f"p{number:02d}: {label} ✓").nth(
                        index if answer == "7" else 0
                    )
                    try:
                        shown.wait_for(timeout=30_000)
                        board_s.append(time.monotonic() - clicked)
                    except Exception:
                        late.append(number)
            cpu_class = (cpu_seconds(server.pid) - spent) / max(1, len(latencies))
            teacher.wait_for_timeout(2500)
            on_board = int(metric_value(teacher, "Drawings"))
            memory = Path(f"/proc/{server.pid}/status").read_text()
            rss = int(re.search(r"VmRSS:\s+(\d+)", memory).group(1)) / 1024
            browser.close()
        stored = ClassStore(db).drawings(code)
    per_pupil = {}
    for drawing in stored:
        per_pupil[drawing.nickname] = per_pupil.get(drawing.nickname, 0) + 1
    once = sum(count == args.drawings for count in per_pupil.values())
    alone_ms = statistics.median(latency for latency, _ in base)
    class_ms = statistics.median(latencies)
    print(
        f"a class of {args.pupils} on one server, {args.drawings} digits each, the board open and refreshing"
    )
    print(
        f"  pupils joined by the link, with a nickname, in {joined_s:.0f} s ({args.pupils + 1} pages open "
        "in one Chromium, each its own browser context)"
    )
    print(f"  strokes answered: {answered}/{len(latencies)}; saves: {saved}")
    print(f"  class drawings stored: {len(stored)}; on the board: {on_board}")
    print(f"  pupils whose drawings the class holds exactly once each: {once}/{args.pupils}")
    if board_s:
        within = sum(s <= BOARD_WITHIN_S for s in board_s)
        print(
            f"  save -> on the board: median {statistics.median(board_s):.1f} s, slowest "
            f"{max(board_s):.1f} s ({within}/{len(board_s)} within {BOARD_WITHIN_S:.0f} s)"
        )
    if late:
        print(f"  never seen on the board: pupils {late}")
    print(
        f"  mouse-up -> answer, median: a single session {alone_ms:.0f} ms, the class {class_ms:.0f} ms "
        f"({class_ms / alone_ms:.2f}x; target <= 1.5x)"
    )
    print(
        f"  the server's CPU per answered digit: single session {cpu_alone * 1000:.0f} ms, the class "
        f"{cpu_class * 1000:.0f} ms ({cpu_class / cpu_alone:.2f}x); server memory at the end {rss:.0f} MB"
    )
    ok = (
        answered == len(latencies)
        and len(stored) == saved == on_board
        and once == args.pupils
        and not late
        and all(s <= BOARD_WITHIN_S for s in board_s)
    )
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
