"""Train: the same network with your own settings, in the background; runs, their logs, comparison."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

import ui
from i18n import tr, tr_error
from model.constants import DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, MNIST_ENV_VAR
from model.data import keras_cache_path, locate_mnist
from model.feedback import FeedbackError, FeedbackStore, export_npz
from model.progress import fraction_done
from model.runs import (
    BATCH_SIZES,
    LOG_FILE,
    MAX_EPOCHS,
    RUNS_ENV_VAR,
    Run,
    RunError,
    RunSettings,
    cancel_run,
    claim_run,
    delete_run,
    read_run,
    runs_dir,
    start_run,
)

IMAGE_CHOICES = (60_000, 10_000, 1_000)  # MNIST training images a run uses: all, or fewer for a quick try
EXTRA_REPEAT = 10  # a few dozen drawings among 60,000 digits need repeating to count


def data_source_text(options: argparse.Namespace) -> str:
    """Where a run will read MNIST from, without loading it."""
    if options.data:
        return tr("`{path}` (the app's `--data` option)", path=options.data)
    if os.environ.get(MNIST_ENV_VAR):
        return tr("`{path}` (the `{variable}` variable)", path=os.environ[MNIST_ENV_VAR], variable=MNIST_ENV_VAR)
    if keras_cache_path().is_file():
        return tr("Keras' cached download of MNIST")
    return tr("Keras' loader, which downloads MNIST when you start (needs internet)")



def settings_ui(options: argparse.Namespace, busy: bool) -> None:
    """The run's settings and the start button; starts a run when clicked."""
    left, right = st.columns(2, gap="large")
    epochs = left.slider(tr("Epochs"), 1, MAX_EPOCHS, **ui.kept("train_epochs", DEFAULT_EPOCHS))
    batch_size = left.radio(tr("Batch size"), BATCH_SIZES, horizontal=True, **ui.kept("train_batch", DEFAULT_BATCH_SIZE))
    images = right.selectbox(
        tr("MNIST training images"),
        IMAGE_CHOICES,
        format_func="{:,}".format,
        help=tr("All 60,000, or fewer for a quick try (faster, less accurate)."),
        **ui.kept("train_images", IMAGE_CHOICES[0]),
    )
    augment = right.toggle(
        tr("Augment the training digits"),
        **ui.kept("train_augment", False),
        help=tr(
            "Every epoch, shifted, rotated, thicker or thinner digits; once, copies retraced with a pen "
            "and handwriting styles MNIST rarely has (slashed 0s, barred 7s, flagged 1s, curled 9s). "
            "Much better on drawings than plain MNIST, but it first spends about a minute (all "
            "60,000 images) retracing each digit with a pen, and each epoch has about two and a half "
            "times the images."
        ),
    )
    try:
        drawings = FeedbackStore().drawings()
    except FeedbackError as error:
        drawings = []
        right.warning(tr("Your saved drawings cannot be added: {error}", error=tr_error(error)))
    add_drawings = right.checkbox(
        tr("Add your {count} saved drawings (each repeated {repeat}×)", count=len(drawings), repeat=EXTRA_REPEAT),
        **ui.kept("train_add_drawings", False),
        disabled=len(drawings) < 2,
        help=tr("Every 5th one is held out and scored separately. Save drawings on the Draw page first."),
    )
    st.caption(tr("Data: {source}.", source=data_source_text(options)))
    start = st.button(tr("Start training"), type="primary", disabled=busy, key="start_training")
    if not start:
        return
    try:
        with st.spinner(tr("Checking the MNIST data (Keras' loader may download it)…")):
            data = locate_mnist(options.data)
    except (FileNotFoundError, ValueError) as error:
        st.error(
            tr(
                "Nothing was started: no usable MNIST. {error}\n\nStart the app with "
                "`streamlit run streamlit_app.py -- --data path/to/mnist.npz`, or set "
                "`{variable}=path/to/mnist.npz`, or connect to the internet so Keras can download it.",
                error=tr_error(error),
                variable=MNIST_ENV_VAR,
            )
        )
        return
    settings = RunSettings(
        epochs=epochs,
        batch_size=batch_size,
        augment=augment,
        limit=None if images == IMAGE_CHOICES[0] else images,
        extra_repeat=EXTRA_REPEAT if add_drawings else 1,
    )
    try:
        run = start_run(settings, data, extra_npz=export_npz(drawings) if add_drawings else None, owner=session_id())
    except RunError as error:
        st.error(tr_error(error))
        return
    st.session_state["my_run"] = run.id
    st.query_params["run"] = run.id  # a reload of this page keeps the right to cancel it
    st.rerun()


def session_id() -> str | None:
    context = get_script_run_ctx()
    return context.session_id if context else None


def owner_gone(run: Run) -> bool:
    """True when the browser session that started the run is no longer open (closed, reloaded)."""
    if not run.owner or not runtime.exists():
        return True
    return not runtime.get_instance().is_active_session(run.owner)


def clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def progress_of(status: dict) -> tuple[float, str]:
    """A run's status -> (fraction done in [0, 1], one line saying where it is and how long is left)."""
    state = status.get("state", "starting")
    if state == "preparing" and status.get("prepared"):
        done, total, seconds = status["prepared"]
        text = tr("Preparing the training images: pen-retraced copies, {done} of {total}", done=f"{done:,}", total=f"{total:,}")
        if done:
            text += " · " + tr("about {time} left before training", time=clock(seconds * (total - done) / done))
        return done / total, text
    if state != "training":
        phases = {
            "starting": tr("Starting the training process (loading TensorFlow)…"),
            "loading": tr("Loading MNIST…"),
            "preparing": tr("Preparing the training images…"),
            "evaluating": tr("Evaluating on the 10,000 MNIST test digits…"),
            "saving": tr("Saving the model bundle…"),
        }
        return (1.0 if state in ("evaluating", "saving") else 0.0), phases.get(state, state)
    epochs, steps = status.get("epochs") or 1, status.get("steps")
    epoch, step = status.get("epoch", 0), status.get("step", 0)
    fraction = fraction_done(epoch, step, epochs, steps)
    text = tr("Epoch {epoch} of {epochs}", epoch=min(epoch + 1, epochs), epochs=epochs)
    if steps:
        text += " · " + tr("batch {step} of {steps}", step=f"{step:,}", steps=f"{steps:,}")
    text += " · " + tr("{time} elapsed", time=clock(status.get("elapsed", 0)))
    remaining = status.get("remaining")
    if remaining is not None and fraction > 0.02:  # the first batches include compiling: no pace yet
        text += " · " + tr("about {time} left", time=clock(remaining))
    return fraction, text


@st.fragment(run_every=1.0)
def live_run_ui(run_id: str) -> None:
    """The run in progress, refreshed every second while this page is open."""
    run = read_run(runs_dir() / run_id)
    if run is None or not run.active:
        st.session_state["run_finished"] = run_id
        st.rerun(scope="app")  # so the runs list, the model choice and the comparison include it
    run_progress_ui(run)


def run_progress_ui(run: Run) -> None:
    """A run in progress: where it is, time elapsed and left, its curves so far, and cancel."""
    with st.container(border=True):
        st.markdown(tr("**Training: {run}**", run=ui.run_label(run)))
        fraction, text = progress_of(run.status)
        st.progress(fraction, text=text)
        if st.session_state.get("my_run") == run.id or owner_gone(run):
            if st.session_state.get("my_run") != run.id:
                st.caption(tr("The browser session that started this run has closed: anyone may cancel it."))
            if st.button(tr("Cancel training"), key="cancel_training"):
                cancel_run(run)
                st.toast(tr("Cancelling: the run stops without saving anything."))
        else:
            st.caption(tr("Started in another browser session, which can cancel it while it stays open."))
        history = run.status.get("history", {})
        if history.get("val_loss"):
            ui.curve_charts(ui.history_rows(history, tr("this run")), run.status.get("epochs") or 1, by_model=False)
        else:
            st.caption(tr("The loss and accuracy curves appear here after the first epoch."))


def finished_ui(run: Run | None) -> None:
    if run is None:
        return
    if run.usable:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.success(tr("Run finished: {run}. Test accuracy {accuracy}.", run=ui.run_label(run), accuracy=f"{run.test_accuracy:.2%}"))
        right.button(tr("Use it for my drawings"), key="use_finished", on_click=ui.use_model, args=(run.id,))
    elif run.state == "cancelled":
        st.warning(tr("Run cancelled: {run}. Nothing was saved.", run=ui.run_label(run)))
    elif run.state == "interrupted":
        st.error(
            tr(
                "Run interrupted: {run}. The training process stopped before it finished (it was "
                "killed, or the machine or the app's server restarted), so nothing was saved. Start a "
                "new run to try again. The end of its log:",
                run=ui.run_label(run),
            )
        )
        st.code(tail(run.folder / LOG_FILE) or tr("(the log is empty)"), language=None)
    else:
        st.error(tr("Run failed: {reason}", reason=run.status.get("message") or tr("see the end of its log below.")))
        st.code(tail(run.folder / LOG_FILE) or tr("(the log is empty)"), language=None)


def runs_ui(runs: list[Run]) -> None:
    if not runs:
        st.caption(tr("No runs yet. They are kept in `{folder}` (set `{variable}` for another folder).", folder=runs_dir(), variable=RUNS_ENV_VAR))
        return
    table = pd.DataFrame(
        [
            {
                tr("run"): ui.run_label(run),
                tr("state"): ui.state_text(run),
                tr("epochs"): run.settings.get("epochs"),
                tr("batch size"): run.settings.get("batch_size"),
                tr("augmented"): bool(run.settings.get("augment")),
                tr("MNIST images"): f"{run.settings['limit']:,}" if run.settings.get("limit") else tr("all"),
                tr("your drawings"): bool(run.settings.get("extra")),
                tr("test accuracy"): f"{run.test_accuracy:.2%}" if run.test_accuracy is not None else "–",
                tr("minutes"): round(run.status.get("elapsed", 0) / 60, 1),
            }
            for run in runs
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(tr("Kept in `{folder}`; each finished run's `bundle/` has the same files as `model/artifacts/`.", folder=runs_dir()))
    with st.expander(tr("Details of a run: its log, its bundle, delete it")):
        run_details_ui(runs)


def run_details_ui(runs: list[Run]) -> None:
    labels = {run.id: f"{ui.run_label(run)} ({ui.state_text(run)})" for run in runs}
    chosen = st.selectbox(tr("Run"), list(labels), format_func=labels.get, key="run_details")
    run = next(run for run in runs if run.id == chosen)
    if run.status.get("message"):
        st.write(run.status["message"])
    if run.usable:
        extra = (ui.records_of(run.bundle).history or {}).get("extra")
        if extra:
            st.write(
                tr(
                    "On your {held} held-out drawings: {accuracy} right (trained on the other {trained}, each {repeat}×).",
                    held=extra["test_images"],
                    accuracy=f"{extra['test_accuracy']:.0%}",
                    trained=extra["train_images"],
                    repeat=extra["repeat"],
                )
            )
    command = run.info.get("command", [])
    st.code(" ".join(["python", *command[1:]]), language="bash")
    log = tail(run.folder / LOG_FILE)
    if log:
        st.code(log, language=None)
    use, delete = st.columns(2)
    use.button(
        tr("Use it for my drawings"), key="use_run", disabled=not run.usable, on_click=ui.use_model, args=(run.id,)
    )
    delete.button(tr("Delete this run"), key="delete_run", disabled=run.active, on_click=remove_run, args=(run,))
    problem = st.session_state.pop("run_problem", None)
    if problem:
        st.error(problem)


def remove_run(run: Run) -> None:
    try:
        delete_run(run)
    except RunError as error:
        st.session_state["run_problem"] = tr_error(error)
        return
    if ui.choice("active_model") == run.id:
        ui.choose("active_model", ui.COMMITTED)


def tail(path: Path, lines: int = 12) -> str:
    """The last lines of a text file without TensorFlow's start-up chatter; '' if unreadable."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if not line.startswith(("I0000", "WARNING: All log"))]
    return "\n".join(kept[-lines:])


def compare_ui(runs: list[Run], committed: Path) -> None:
    usable = [run for run in runs if run.usable]
    if not usable:
        return
    st.subheader(tr("Compare training curves"))
    names = {ui.COMMITTED: tr("committed model"), **{run.id: ui.run_label(run) for run in usable}}
    active = ui.choice("active_model", ui.COMMITTED)
    default = [ui.COMMITTED, active if active in names and active != ui.COMMITTED else usable[0].id]
    # Runs deleted since (here or in another session) drop out of the comparison.
    ui.choose("compare", [key for key in ui.choice("compare") or default if key in names])
    chosen = st.multiselect(tr("Models"), list(names), format_func=names.get, **ui.kept("compare"))
    bundles = {ui.COMMITTED: committed, **{run.id: run.bundle for run in usable}}
    rows, last_epoch = [], 1
    for key in chosen:
        history = ui.records_of(bundles[key]).history
        if history:
            rows += ui.history_rows(history, names[key])
            last_epoch = max(last_epoch, len(history["loss"]))
    if rows:
        ui.curve_charts(rows, last_epoch, by_model=True, height=440)
        st.caption(
            tr(
                "Solid: validation (the 10,000 MNIST test digits); dashed: training. Hover for values. "
                "A model trained with augmentation sees harder, distorted digits in training, so its "
                "training curves sit below its validation curves."
            )
        )


shared = ui.shared()
if "run" in st.query_params and "my_run" not in st.session_state:  # this page reloaded mid-run
    st.session_state["my_run"] = st.query_params["run"]
    reloaded = next((run for run in shared.runs if run.id == st.session_state["my_run"] and run.active), None)
    if reloaded and session_id():
        try:
            claim_run(reloaded, session_id())  # so other sessions still see it as someone's
        except RunError as error:
            st.warning(tr_error(error))
st.header(tr("Train the network yourself"))
st.markdown(
    tr(
        "Train the same network (784 → 512 → 512 → 10, RMSprop, categorical cross-entropy) with "
        "your own settings, validated on the 10,000 MNIST test digits after every epoch. Runs are "
        "saved as model bundles; pick one to answer your drawings and compare its curves with the "
        "committed model's. The machine trains one run at a time, in the background: everyone "
        "keeps drawing meanwhile."
    )
)
running = next((run for run in shared.runs if run.active), None)
settings_ui(shared.options, running is not None)
if running:
    live_run_ui(running.id)
finished = st.session_state.pop("run_finished", None)  # seen ending by the live view
mine = st.session_state.get("my_run")
if mine and not (running and running.id == mine):  # this session's run ended: say how it went
    finished = st.session_state.pop("my_run")
    st.query_params.pop("run", None)
if finished:
    finished_ui(read_run(runs_dir() / finished))
st.subheader(tr("Runs"))
runs_ui(shared.runs)
compare_ui(shared.runs, ui.committed_bundle())
