"""Driving the app without a browser (Streamlit's AppTest): open it, switch pages, read its text."""

import html
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Image
from streamlit.util import calc_hash

import views
from model.constants import BUNDLE_ENV_VAR
from model.runs import RUNS_ENV_VAR
from ui import state
from ui.visitor import owner_id

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


PAGES = {spec.title: spec for spec in views.PAGES}  # the app's own list of pages, by English title
VISITOR_SECRET = "t" * 43  # what the browser's cookie would hold: AppTest sends no cookies
VISITOR = owner_id(VISITOR_SECRET)  # the owner id of what the driven app saves


def as_visitor(app: AppTest, secret: str = VISITOR_SECRET) -> AppTest:
    """The app as the browser with `secret` in its cookie sees it."""
    app.session_state[state.VISITOR_SECRET] = secret
    return app


def run_app(monkeypatch, bundle, feedback_db=None, runs=None, page=None, secret=VISITOR_SECRET) -> AppTest:
    """The app as first loaded (the Draw page), or switched to `page` after that, by the visitor
    whose browser holds `secret`."""
    monkeypatch.setenv(BUNDLE_ENV_VAR, str(bundle))
    monkeypatch.setenv("DIGITS_FEEDBACK_DB", str(feedback_db or bundle.parent / "feedback-unused.sqlite"))
    monkeypatch.setenv(RUNS_ENV_VAR, str(runs or bundle.parent / "runs-unused"))
    app = as_visitor(AppTest.from_file(APP, default_timeout=60), secret)
    app.run()
    assert not app.exception, "\n".join(app.exception[0].stack_trace) if app.exception else ""
    if page:
        open_page(app, page)
    return app


def switch_page(app: AppTest, page: str) -> None:
    """What a click on `page` in the navigation does. AppTest's own switch_page finds file pages
    only; the app's pages are its modules' render functions, which Streamlit knows by url path."""
    app._page_hash = calc_hash(PAGES[page].url_path)


def open_page(app: AppTest, page: str) -> None:
    switch_page(app, page)
    app.run()
    assert not app.exception, app.exception


def count_images(node) -> int:
    own = 1 if isinstance(node, Image) else 0
    return own + sum(count_images(child) for child in getattr(node, "children", {}).values())


def all_text(app: AppTest) -> str:
    parts = [e.value for e in app.markdown] + [e.value for e in app.caption]
    parts += [e.body for e in app.info] + [e.body for e in app.error] + [e.body for e in app.warning]
    parts += [e.value for e in app.code] + monospace_texts(app)
    return "\n".join(str(p) for p in parts)


def monospace_texts(app: AppTest) -> list[str]:
    """The texts shown as printed (`widgets.monospace_ui`: model.summary()), unescaped."""
    bodies = [element.proto.body for element in app.get("html")]
    return [
        html.unescape(m)
        for body in bodies
        for m in re.findall(r'<pre class="monospace">(.*?)</pre>', body, re.S)
    ]


SERVER_WORDS = ("DIGITS_", "MNIST_NPZ", "python -m", "Traceback", "streamlit run", str(Path.home()))


def shows_nothing_of_the_server(text: str, *paths) -> bool:
    """True when a page's text names none of `paths` (nor the app's folder), no environment
    variable, command line or traceback: what only the person running the app needs to know."""
    server = [*SERVER_WORDS, str(Path(APP).parent), *(str(path) for path in paths)]
    found = [word for word in server if word in text]
    assert not found, f"the page shows {found}"
    return True


HANGUL = re.compile(r"[\uac00-\ud7a3]")


def korean_app(monkeypatch, bundle, tmp_path, page="Draw") -> AppTest:
    monkeypatch.setenv(BUNDLE_ENV_VAR, str(bundle))
    monkeypatch.setenv("DIGITS_FEEDBACK_DB", str(tmp_path / "f.sqlite"))
    monkeypatch.setenv(RUNS_ENV_VAR, str(tmp_path / "runs"))
    app = as_visitor(AppTest.from_file(APP, default_timeout=60))
    app.query_params["lang"] = "ko"  # a teacher's shared link
    if page != "Draw":
        switch_page(app, page)
    app.run()
    assert not app.exception, "\n".join(app.exception[0].stack_trace)
    return app
