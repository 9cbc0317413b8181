"""What every page of one rerun works with, found once by the entry: `start()` -> Context.

The options the app was started with, where MNIST is, who the visitor is, the training runs, and
the model answering this browser session (loaded once per process and bundle, without TensorFlow).
Problems a visitor may read are shown; what only the server's keeper needs goes to the log.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from i18n import tr
from model.classes import ClassStore, Membership
from model.constants import BUNDLE_ENV_VAR, DEFAULT_BUNDLE_DIR, MODEL_FILE
from model.data import MnistSource, mnist_source
from model.feedback import FeedbackError
from model.history import BundleRecords, read_records
from model.inference import Classifier
from model.runs import Run, list_runs
from ui import state
from ui.visitor import visitor
from ui.words import run_label

COMMITTED = "committed"  # the model choice meaning the bundle the app started with
ENTRY_SCRIPT = "streamlit_app.py"
LOG = logging.getLogger("digits")


@dataclass(frozen=True)
class Context:
    """What one rerun's page works with."""

    options: argparse.Namespace  # after `streamlit run streamlit_app.py --`
    mnist: MnistSource  # where MNIST is (not read yet)
    runs: list[Run]  # every training run, newest first, read once in this rerun (anyone's)
    my_runs: list[Run]  # the visitor's own: the only ones a page lists, offers or lets them change
    bundle: Path  # the bundle answering this session's drawings
    model_name: str  # how the page names it
    classifier: Classifier | None  # None when its model file cannot be used
    load_error: Exception | None  # why, then
    pages: dict  # url path -> st.Page, for links between pages
    session: str | None  # this browser session's id (None outside a Streamlit server)
    visitor: str  # who is visiting: the owner id of their drawings and runs (ui/visitor.py)
    member: Membership | None = None  # the class they are in, read once in this rerun


def start(pages: dict) -> Context:
    """Read the options, who the visitor is, the runs and this session's model."""
    options = app_options()
    me = visitor()
    run_context = get_script_run_ctx()
    session = run_context.session_id if run_context else None
    runs = list_runs()
    mine = [run for run in runs if run.owned_by(me)]
    member = class_membership(me)
    path, name = chosen_model(mine, session, class_model(member, runs))
    classifier, load_error = None, None
    try:
        classifier = load_classifier(str(path), bundle_stamp(path))
    except (FileNotFoundError, ValueError) as error:
        load_error = error
    return Context(
        options,
        mnist_source(options.data),
        runs,
        mine,
        path,
        name,
        classifier,
        load_error,
        pages,
        session,
        me,
        member,
    )


def committed_bundle() -> Path:
    return Path(os.environ.get(BUNDLE_ENV_VAR) or DEFAULT_BUNDLE_DIR)


@st.cache_resource(show_spinner=False)
def app_options() -> argparse.Namespace:
    """Options after `streamlit run streamlit_app.py --`, read once per process. A wrong one is
    the server keeper's business: it is written to the log (once), never shown to visitors."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data", type=Path, default=None)
    usage = "streamlit run streamlit_app.py -- [--data path/to/mnist.npz]"
    launched = Path(sys.argv[0]).name == ENTRY_SCRIPT  # not when a test harness runs the page
    try:
        options, unknown = parser.parse_known_args(sys.argv[1:] if launched else [])
    except argparse.ArgumentError as error:
        LOG.warning("Command-line option ignored: %s. Usage: %s", error, usage)
        return parser.parse_args([])
    if unknown:
        LOG.warning("Unknown command-line options ignored: %s. Usage: %s", " ".join(unknown), usage)
    return options


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


@st.cache_resource(show_spinner=False)
def models_answering() -> dict[str, str]:
    """Browser session id -> the run answering its drawings, for this server process."""
    return {}


def class_membership(visitor: str) -> Membership | None:
    """The class the visitor is in (None also when the store cannot say: pages that save say why)."""
    try:
        return ClassStore().membership(visitor)
    except FeedbackError:
        return None


def class_model(member: Membership | None, runs: list[Run]) -> Run | None:
    """The model the teacher chose for the visitor's class, if they are in one that has its own."""
    if member is None or member.model_run is None:
        return None
    return next((run for run in runs if run.id == member.model_run and run.usable), None)


def chosen_model(my_runs: list[Run], session: str | None, class_run: Run | None = None) -> tuple[Path, str]:
    """The bundle answering this session's drawings (one of the visitor's runs; else their class's
    model, if its teacher chose one; else the model that comes with the app), and how to name it;
    the server notes which run answers which session."""
    chosen = state.choice(state.ACTIVE_MODEL, COMMITTED)
    answering = models_answering()
    if chosen != COMMITTED:
        run = next((run for run in my_runs if run.id == chosen and run.usable), None)
        if run:
            if session:
                answering[session] = run.id
            return run.bundle, tr(
                "your run {run} ({accuracy} on MNIST's test set)",
                run=run_label(run),
                accuracy=f"{run.test_accuracy:.2%}",
            )
        state.choose(state.ACTIVE_MODEL, COMMITTED)
        st.warning(tr("The run you chose is no longer available: back to the model that comes with the app."))
    if class_run is not None:
        if session:
            answering[session] = class_run.id
        return class_run.bundle, tr(
            "your class's model, trained on its drawings ({accuracy} on MNIST's test set)",
            accuracy=f"{class_run.test_accuracy:.2%}",
        )
    answering.pop(session, None)
    return committed_bundle(), tr("the model that comes with the app")


def answering_elsewhere(run: Run, session: str | None) -> bool:
    """Whether `run` answers the drawings of another open browser session than `session`."""
    active = runtime.get_instance().is_active_session if runtime.exists() else (lambda _: True)
    answering = models_answering()
    for other, run_id in list(answering.items()):
        if not active(other):
            answering.pop(other, None)  # that tab has closed
        elif other != session and run_id == run.id:
            return True
    return False


def use_model(chosen: str) -> None:
    """Make a run (or COMMITTED) answer this session's drawings; its curves join the comparison."""
    state.choose(state.ACTIVE_MODEL, chosen)
    compared = state.choice(state.COMPARE)
    if compared is not None and chosen not in compared:
        state.choose(state.COMPARE, [*compared, chosen])
