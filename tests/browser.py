"""Helpers to run a Streamlit script and drive it in headless Chromium (tests and benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Records, in page time, each mouse-up and the last change to the page outside the drawing
# surface. Streamlit's "running" flag is not enough: React can batch a fast rerun's
# running -> notRunning into no change at all.
WATCH_PAGE_JS = """
() => {
  window.__mouseUps = [];
  window.__lastChange = 0;
  document.addEventListener('mouseup', () => window.__mouseUps.push(performance.now()), true);
  new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (target && !target.closest('canvas')) window.__lastChange = performance.now();
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
}
"""
QUIET_MS = 400  # no page change for this long after the answer appeared: the rerun is done
HEADER_PX = 64  # Streamlit's top bar, over the page's top
ANSWERED_JS = f"""
() => window.__lastChange > window.__mouseUps.at(-1)
  && performance.now() - window.__lastChange > {QUIET_MS}
  && document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@contextmanager
def streamlit_server(script: str | Path, env: dict | None = None, timeout: float = 90.0):
    """Run `streamlit run script` on a free localhost port; yield its URL; stop it afterwards."""
    with streamlit_process(script, env, timeout) as (url, _):
        yield url


@contextmanager
def streamlit_process(script: str | Path, env: dict | None = None, timeout: float = 90.0):
    """Like `streamlit_server`, yielding (URL, the server's process) for measuring it."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited: {process.stdout.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("streamlit did not become healthy in time")
            time.sleep(0.3)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def open_app(
    browser,
    url: str,
    width: int = 1280,
    height: int = 900,
    path: str = "",
    ready: str = "canvas.upper-canvas",
    context=None,
    **options,
):
    """A fresh page with the app fully loaded: in a new browser context (a new visitor, with
    `options` such as device_scale_factor) or in `context` (another tab of the same browser).

    `path` is a page's URL path ("train", "inside", ...); `ready` a selector its content shows.
    """
    context = context or browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    page.goto(f"{url}/{path}", timeout=90_000)  # a loaded machine starts pages slowly
    page.wait_for_selector(ready, timeout=60_000)
    wait_idle(page)
    page.evaluate(WATCH_PAGE_JS)
    return page


def reload(page, ready: str = "canvas.upper-canvas") -> None:
    """Reload the page as a person does (F5), and wait until `ready` shows and it is idle."""
    page.reload()
    page.wait_for_selector(ready, timeout=60_000)
    wait_idle(page)
    page.evaluate(WATCH_PAGE_JS)


def visitor_of(page) -> str:
    """The owner id of what this page's browser saves: from the secret its cookie holds."""
    from ui.visitor import COOKIE, owner_id

    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')", timeout=10_000)
    (secret,) = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    return owner_id(secret)


def wait_idle(page, timeout: float = 30_000) -> None:
    page.wait_for_selector('[data-testid=stApp][data-test-script-state="notRunning"]', timeout=timeout)


def download(page, button_name: str):
    """Click a download button once the page is idle (a click during a rerun can land on the button
    being replaced) -> the downloaded file's path."""
    from playwright.sync_api import expect

    button = page.get_by_role("button", name=button_name)
    expect(button).to_be_enabled()
    wait_idle(page)
    with page.expect_download(timeout=60_000) as started:
        button.click()
    return started.value.path()


def wait_settled(page, since: float) -> None:
    """Wait until the page changed after `since` (page time), then stayed still and idle."""
    page.wait_for_function(
        f"window.__lastChange > {since} && performance.now() - window.__lastChange > {QUIET_MS}"
        " && document.querySelector('[data-testid=stApp]')"
        ".getAttribute('data-test-script-state') === 'notRunning'",
        timeout=30_000,
        polling=50,
    )


def open_page(page, name: str) -> float:
    """Click a page in the navigation bar; wait until it has settled. Returns the ms it took."""
    clicked = page.evaluate("performance.now()")
    page.get_by_role("link", name=name, exact=True).filter(visible=True).click()
    wait_settled(page, clicked)
    return page.evaluate("window.__lastChange") - clicked


def draw(page, strokes, steps: int = 4, settle_ms: int = 300) -> float:
    """Draw polylines given in canvas pixels; wait until the page has answered each stroke.

    Waits `settle_ms` before each stroke, as a person lifts the pen between strokes. Returns the
    milliseconds from the last mouse-up to the last change of the page it caused.
    """
    pad = page.locator("canvas.upper-canvas")
    box = pad.bounding_box()
    if box["y"] < HEADER_PX or box["y"] + box["height"] > page.viewport_size["height"]:
        pad.evaluate("canvas => canvas.scrollIntoView({block: 'center'})")  # as a person scrolls to it
        page.wait_for_timeout(200)
        box = pad.bounding_box()
    for stroke in strokes:
        page.wait_for_timeout(settle_ms)
        x0, y0 = stroke[0]
        page.mouse.move(box["x"] + x0, box["y"] + y0)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
        page.mouse.up()
        page.wait_for_function(ANSWERED_JS, timeout=30_000, polling=50)
    return page.evaluate("window.__lastChange - window.__mouseUps.at(-1)")


def reset_canvas(page) -> None:
    """Click the pad's "Clear" (in any language) and wait until the page has settled after it."""
    clicked = page.evaluate("performance.now()")
    page.locator('.pad-controls button[data-action="clear"]').click()
    wait_settled(page, clicked)


def choose_option(page, selectbox, option) -> None:
    """Open a selectbox and pick an option (its whole name, or a re.Pattern); reopens it if a rerun
    closed the list meanwhile."""
    for attempt in range(3):
        wait_idle(page)
        selectbox.click()
        exact = {"exact": True} if isinstance(option, str) else {}
        choice = page.get_by_role("option", name=option, **exact)
        try:
            choice.wait_for(timeout=5_000)
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            continue
        clicked = page.evaluate("performance.now()")
        choice.click()
        wait_settled(page, clicked)  # the rerun the choice starts, not the idle page before it
        return


def bar_percentages(page) -> dict[int, float]:
    """The ten answer bars' percentages, by digit."""
    from playwright.sync_api import expect

    rows = page.locator(".prob-row")
    expect(rows).to_have_count(10)  # the bars' HTML can land a moment after the answer's metric
    values = {}
    for index in range(10):
        row = rows.nth(index)
        values[int(row.get_attribute("data-digit"))] = float(row.inner_text().split()[-1].rstrip("%"))
    return values


def metric_value(page, label: str = "Prediction") -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


ONE = [[(150, 40), (150, 240)]]
ZERO = [
    [
        (140, 40),
        (95, 60),
        (75, 110),
        (78, 170),
        (100, 225),
        (140, 245),
        (182, 225),
        (205, 170),
        (205, 110),
        (185, 60),
        (140, 40),
    ]
]
SEVEN = [[(70, 50), (210, 50), (160, 140), (120, 240)]]
SLASHED_ZERO = [  # a narrow ring, then a slash well past it at both ends
    [
        (133, 46),
        (117, 62),
        (106, 92),
        (100, 130),
        (102, 170),
        (111, 205),
        (125, 228),
        (142, 235),
        (158, 224),
        (172, 198),
        (179, 162),
        (179, 121),
        (172, 84),
        (160, 57),
        (143, 45),
        (126, 51),
    ],
    [(88, 192), (192, 88)],
]
SMALL_EIGHT = [  # two rings, 75 px tall: the default brush is fat on it and nearly fills the loops
    [
        (140, 102),
        (132, 104),
        (125, 109),
        (122, 116),
        (123, 124),
        (128, 130),
        (136, 134),
        (144, 134),
        (152, 130),
        (157, 124),
        (158, 116),
        (155, 109),
        (148, 104),
        (140, 102),
    ],
    [
        (140, 134),
        (130, 136),
        (122, 143),
        (118, 152),
        (119, 162),
        (125, 171),
        (135, 175),
        (145, 175),
        (155, 171),
        (161, 162),
        (162, 152),
        (158, 143),
        (150, 136),
        (140, 134),
    ],
]
CURLED_NINE = [  # a loop, then the stem curling round to the left at the bottom
    [
        (194, 75),
        (186, 55),
        (170, 39),
        (149, 31),
        (126, 32),
        (106, 42),
        (91, 59),
        (85, 81),
        (88, 103),
        (100, 123),
        (118, 136),
        (140, 140),
        (162, 135),
        (181, 122),
        (192, 103),
        (195, 80),
        (195, 200),
        (190, 220),
        (175, 235),
        (155, 240),
        (135, 235),
        (120, 220),
    ]
]
