"""Start-up and memory: from `streamlit run` to a pad you can draw on, and the server's memory.

For each app, a fresh server is started `--runs` times; each time this measures the seconds from
starting the process to the pad being drawable in headless Chromium (the first page loaded), then
visits every page and reads the server process' memory (VmRSS now, VmHWM its peak, from
/proc/<pid>/status). Baseline, in the same run: a page with only a canvas and a metric
(`benchmarks/baseline_page.py`). `--before REV` also measures the app as it was at a git revision
(taken from git into a scratch folder), the same way. `--phone`: the browser works like a phone,
390 px wide with its processor slowed 4x (Chromium's CPU throttling), where the page's scripts
weigh most.

    python -m benchmarks.startup [--runs 3] [--before REV] [--phone]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.browser import SEVEN, draw, launch, open_app, open_page, streamlit_server, wait_idle

ROOT = Path(__file__).resolve().parents[1]
VIEWS = ("Follow the flow", "Inside the model", "Your drawings", "Train", "Draw")


def server_pid(url: str) -> int:
    """The pid of the Streamlit server listening on `url`'s port (found by its command line)."""
    port = url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(command) and port.encode() in command:
            return int(proc.name)
    raise RuntimeError(f"no server process for {url}")


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


PHONE_SLOWDOWN = 4  # a mid-range phone runs page scripts about 4x slower than this VM's Chromium


def measure(browser, script: Path, every_page: bool, phone: bool = False) -> dict:
    """One fresh server: seconds to a drawable pad (and of those, after the page was asked for),
    then memory after every page (or the one)."""
    started = time.monotonic()
    with streamlit_server(script) as url:
        context = browser.new_context(
            viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
        )
        page = context.new_page()
        if phone:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": PHONE_SLOWDOWN})
        asked = time.monotonic()
        page.goto(url)
        page.wait_for_selector("canvas.upper-canvas", timeout=120_000)
        drawable = time.monotonic() - started
        in_browser = time.monotonic() - asked
        page.context.close()
        page = open_app(browser, url)
        if every_page:
            for view in VIEWS:
                open_page(page, view)
            draw(page, SEVEN)
        wait_idle(page)
        rss, peak = memory_mb(server_pid(url))
        page.context.close()
    return {"drawable": drawable, "in_browser": in_browser, "rss": rss, "peak": peak}


def checkout(revision: str, folder: Path) -> Path:
    """The project as it was at `revision`, unpacked into `folder`: its entry script."""
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "streamlit_app.py"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh servers per app")
    parser.add_argument("--before", default=None, help="also measure the app at this git revision")
    parser.add_argument("--phone", action="store_true", help="390 px wide, processor slowed 4x")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        apps = {"bare canvas page": (ROOT / "benchmarks" / "baseline_page.py", False)}
        if args.before:
            apps[f"app at {args.before}"] = (checkout(args.before, Path(scratch)), True)
        apps["app"] = (ROOT / "streamlit_app.py", True)
        results = {name: [] for name in apps}
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for _ in range(args.runs):  # interleaved, so machine noise hits every app alike
                for name, (script, every_page) in apps.items():
                    results[name].append(measure(browser, script, every_page, args.phone))
            browser.close()
    print("as a phone: 390 px wide, processor slowed 4x" if args.phone else "as a desktop browser")
    print(
        f"{'':24} {'drawable after':>16} {'of which in the browser':>24} {'memory (RSS)':>14} "
        f"{'peak (HWM)':>12}   over {args.runs} runs"
    )
    for name, runs in results.items():
        drawable = [r["drawable"] for r in runs]
        in_browser = [r["in_browser"] for r in runs]
        rss = [r["rss"] for r in runs]
        print(
            f"{name:24} {statistics.median(drawable):8.1f} s ({min(drawable):.1f}-{max(drawable):.1f})"
            f" {statistics.median(in_browser):14.1f} s ({min(in_browser):.1f}-{max(in_browser):.1f})"
            f" {statistics.median(rss):8.0f} MB {statistics.median([r['peak'] for r in runs]):9.0f} MB"
        )
    print("memory: the bare page after loading; the apps after visiting every page and one drawing")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
