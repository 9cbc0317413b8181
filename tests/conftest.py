"""Shared fixtures: where MNIST is, small real subsets of it, a quickly trained bundle, and the
app served and opened in headless Chromium (pages always closed, state kept apart)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from model.constants import MNIST_ENV_VAR
from model.data import mnist_source

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    source = mnist_source()  # the app's own locator: $MNIST_NPZ, else Keras' cached download
    if source.path is None or not source.path.is_file():
        pytest.skip(f"needs the MNIST dataset: set {MNIST_ENV_VAR} to an mnist.npz (CI does)")
    return source.path


@pytest.fixture(scope="session")
def mnist(mnist_path):
    from model.data import load_mnist

    return load_mnist(mnist_path)


@pytest.fixture(scope="session")
def small_mnist(mnist):
    """3,000 real training digits and 1,000 real test digits: enough to learn, quick to train."""
    (x_train, y_train), (x_test, y_test) = mnist
    return (x_train[:3000], y_train[:3000]), (x_test[:1000], y_test[:1000])


@pytest.fixture(scope="session")
def small_mnist_npz(small_mnist, tmp_path_factory) -> Path:
    (x_train, y_train), (x_test, y_test) = small_mnist
    path = tmp_path_factory.mktemp("data") / "small_mnist.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


@pytest.fixture(scope="session")
def trained_bundle(small_mnist_npz, tmp_path_factory) -> Path:
    """A bundle written by the real training command on the small subset (2 epochs)."""
    from model.train import main

    out = tmp_path_factory.mktemp("bundles") / "small"
    assert main(["--data", str(small_mnist_npz), "--epochs", "2", "--seed", "0", "--out", str(out)]) == 0
    return out


# The app in a browser ----------------------------------------------------------------------------


@dataclass(frozen=True)
class App:
    """A Streamlit server of the app, with the feedback store and runs folder it uses."""

    url: str
    feedback_db: Path
    runs_dir: Path


@contextmanager
def serve_app(folder: Path):
    """Start the app with an empty feedback store and runs folder of its own under `folder`."""
    from tests.browser import streamlit_server

    app = App("", folder / "feedback.sqlite", folder / "runs")
    app.runs_dir.mkdir(parents=True, exist_ok=True)
    env = {"DIGITS_FEEDBACK_DB": str(app.feedback_db), "DIGITS_RUNS": str(app.runs_dir)}
    with streamlit_server("streamlit_app.py", env=env) as url:
        yield App(url, app.feedback_db, app.runs_dir)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; each page gets its own context (own session)."""
    from tests.browser import chromium_available, launch

    if not chromium_available():
        pytest.skip("needs Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app(browser, tmp_path_factory) -> App:
    """One server for a test file's tests that only read: none of them saves or trains."""
    with serve_app(tmp_path_factory.mktemp("app")) as served:
        yield served


@pytest.fixture
def own_app(browser, tmp_path) -> App:
    """A server for one test that changes what the app keeps (saves drawings, trains runs)."""
    with serve_app(tmp_path / "app") as served:
        yield served


class Pages:
    """Opens browser pages for one test and always closes them after it, passed or failed."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []

    def open(self, url: str, **options):
        """A fresh page (own context: own Streamlit session) with the app loaded; see open_app."""
        from tests.browser import open_app

        page = open_app(self.browser, url, **options)
        if page.context not in self.contexts:
            self.contexts.append(page.context)
        return page

    def context(self, **options):
        """A bare browser context (say, with another locale), closed like the pages."""
        context = self.browser.new_context(**options)
        self.contexts.append(context)
        return context

    def close(self) -> None:
        for context in self.contexts:
            try:
                context.close()
            except Exception:  # already closed by the test (a tab that goes away)
                pass


@pytest.fixture
def pages(browser):
    opened = Pages(browser)
    yield opened
    opened.close()


def pytest_collection_modifyitems(items):
    """Markers from what a test needs: `browser` for the Chromium tests, `mnist` for MNIST's."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"browser", "pages", "app", "own_app"}:
            item.add_marker(pytest.mark.browser)
        if names & {"mnist_path", "mnist", "small_mnist", "small_mnist_npz", "trained_bundle"}:
            item.add_marker(pytest.mark.mnist)
