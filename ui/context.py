"""What every page of one rerun works with, found once by the entry: `start()` -> Context.

The options the app was started with, where MNIST is, the training runs, and the model answering
this browser session (loaded once per process and bundle, without TensorFlow).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from i18n import tr
from model.constants import BUNDLE_ENV_VAR, DEFAULT_BUNDLE_DIR, MODEL_FILE
from model.data import MnistSource, mnist_source
from model.history import BundleRecords, read_records
from model.inference import Classifier
from model.runs import Run, list_runs
from ui import state
from ui.words import run_label

COMMITTED = "committed"  # the model choice meaning the bundle the app started with
ENTRY_SCRIPT = "streamlit_app.py"


@dataclass(frozen=True)
class Context:
    """What one rerun's page works with."""

    options: argparse.Namespace  # after `streamlit run streamlit_app.py --`
    mnist: MnistSource  # where MNIST is (not read yet)
    runs: list[Run]  # every training run, newest first, read once in this rerun
    bundle: Path  # the bundle answering this session's drawings
    model_name: str  # how the page names it
    classifier: Classifier | None  # None when its model file cannot be used
    load_error: Exception | None  # why, then
    pages: dict  # url path -> st.Page, for links between pages
    session: str | None  # this browser session's id (None outside a Streamlit server)


def start(pages: dict) -> Context:
    """Read the options, the runs and this session's model; report problems at the top of the page."""
    options, option_error = app_options()
    if option_error:
        st.error(option_error)
    runs = list_runs()
    path, name = chosen_model(runs)
    classifier, load_error = None, None
    try:
        classifier = load_classifier(str(path), bundle_stamp(path))
    except (FileNotFoundError, ValueError) as error:
        load_error = error
    run_context = get_script_run_ctx()
    session = run_context.session_id if run_context else None
    return Context(
        options, mnist_source(options.data), runs, path, name, classifier, load_error, pages, session
    )


def committed_bundle() -> Path:
    return Path(os.environ.get(BUNDLE_ENV_VAR) or DEFAULT_BUNDLE_DIR)


def app_options() -> tuple[argparse.Namespace, str | None]:
    """Options after `streamlit run streamlit_app.py --`: (options, error message or None)."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data", type=Path, default=None)
    usage = "`streamlit run streamlit_app.py -- [--data path/to/mnist.npz]`"
    launched = Path(sys.argv[0]).name == ENTRY_SCRIPT  # not when a test harness runs the page
    try:
        options, unknown = parser.parse_known_args(sys.argv[1:] if launched else [])
    except argparse.ArgumentError as error:
        message = tr("Command-line option ignored: {error}. Usage: {usage}", error=error, usage=usage)
        return parser.parse_args([]), message
    if unknown:
        return options, tr(
            "Unknown command-line options ignored: `{options}`. Usage: {usage}",
            options=" ".join(unknown),
            usage=usage,
        )
    return options, None


def bundle_stamp(path: Path) -> int:
    """Changes when the bundle's model file is replaced: part of every cache key for a bundle."""
    try:
        return (path / MODEL_FILE).stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner=False, max_entries=8)
def load_classifier(path: str, stamp: int) -> Classifier:
    return Classifier.load(path)


@st.cache_resource(show_spinner=False)
def freeze_loaded_modules() -> bool:
    """Once per process, after the first page is drawn. Streamlit collects garbage after every
    rerun, and a full collection walks every object of every loaded module (pandas and altair:
    hundreds of thousands); frozen, they are skipped. Not at start-up: the pages load pandas and
    altair only once the pad has been sent, and objects frozen are never freed, so this runs once."""
    import altair  # noqa: F401  (the heavy modules the pages use: loaded now if not yet)
    import pandas  # noqa: F401

    gc.freeze()
    return True


@st.cache_data(max_entries=32)
def load_records(path: str, stamp: int) -> BundleRecords:
    return read_records(path)


def records_of(path: Path) -> BundleRecords:
    """A bundle's history, summary and evaluation, cached until its model file changes."""
    return load_records(str(path), bundle_stamp(path))


def chosen_model(runs: list[Run]) -> tuple[Path, str]:
    """The bundle answering this session's drawings, and how to name it."""
    chosen = state.choice(state.ACTIVE_MODEL, COMMITTED)
    if chosen != COMMITTED:
        run = next((run for run in runs if run.id == chosen and run.usable), None)
        if run:
            return run.bundle, tr(
                "your run {run} ({accuracy} on MNIST's test set)",
                run=run_label(run),
                accuracy=f"{run.test_accuracy:.2%}",
            )
        state.choose(state.ACTIVE_MODEL, COMMITTED)
        st.warning(tr("The run you chose is no longer available: back to the committed model."))
    return committed_bundle(), tr("the committed model")


def use_model(chosen: str) -> None:
    """Make a run (or COMMITTED) answer this session's drawings; its curves join the comparison."""
    state.choose(state.ACTIVE_MODEL, chosen)
    compared = state.choice(state.COMPARE)
    if compared is not None and chosen not in compared:
        state.choose(state.COMPARE, [*compared, chosen])
