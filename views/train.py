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

ALL_IMAGES = "all 60,000"
TRAIN_IMAGE_CHOICES = {ALL_IMAGES: None, "10,000": 10_000, "1,000 (a quick try)": 1_000}
EXTRA_REPEAT = 10  # a few dozen drawings among 60,000 digits need repeating to count
PHASE_TEXT = {
    "starting": "Starting the training process (loading TensorFlow)…",
    "loading": "Loading MNIST…",
    "preparing": "Preparing the training images…",
    "evaluating": "Evaluating on the 10,000 MNIST test digits…",
    "saving": "Saving the model bundle…",
}


def data_source_text(options: argparse.Namespace) -> str:
    """Where a run will read MNIST from, without loading it."""
    if options.data:
        return f"`{options.data}` (the app's `--data` option)"
    if os.environ.get(MNIST_ENV_VAR):
        return f"`{os.environ[MNIST_ENV_VAR]}` (the `{MNIST_ENV_VAR}` variable)"
    if keras_cache_path().is_file():
        return "Keras' cached download of MNIST"
    return "Keras' loader, which downloads MNIST when you start (needs internet)"


def settings_ui(options: argparse.Namespace, busy: bool) -> None:
    """The run's settings and the start button; starts a run when clicked."""
    left, right = st.columns(2, gap="large")
    epochs = left.slider("Epochs", 1, MAX_EPOCHS, **ui.kept("train_epochs", DEFAULT_EPOCHS))
    batch_size = left.radio("Batch size", BATCH_SIZES, horizontal=True, **ui.kept("train_batch", DEFAULT_BATCH_SIZE))
    images = right.selectbox("MNIST training images", list(TRAIN_IMAGE_CHOICES), **ui.kept("train_images", ALL_IMAGES))
    augment = right.toggle(
        "Augment: shifted, rotated, thicker/thinner digits and pen-style copies",
        **ui.kept("train_augment", False),
        help="Much better on drawings than plain MNIST, but it first spends about a minute (all "
        "60,000 images) retracing each digit with a pen, and each epoch has twice the images.",
    )
    try:
        drawings = FeedbackStore().drawings()
    except FeedbackError as error:
        drawings = []
        right.warning(f"Your saved drawings cannot be added: {error}")
    add_drawings = right.checkbox(
        f"Add your {len(drawings)} saved drawings (each repeated {EXTRA_REPEAT}×)",
        **ui.kept("train_add_drawings", False),
        disabled=len(drawings) < 2,
        help="Every 5th one is held out and scored separately. Save drawings on the Draw page first.",
    )
    st.caption(f"Data: {data_source_text(options)}.")
    start = st.button("Start training", type="primary", disabled=busy, key="start_training")
    if not start:
        return
    try:
        with st.spinner("Checking the MNIST data (Keras' loader may download it)…"):
            data = locate_mnist(options.data)
    except (FileNotFoundError, ValueError) as error:
        st.error(
            f"Nothing was started: no usable MNIST. {error}\n\nStart the app with "
            "`streamlit run streamlit_app.py -- --data path/to/mnist.npz`, or set "
            f"`{MNIST_ENV_VAR}=path/to/mnist.npz`, or connect to the internet so Keras can download it."
        )
        return
    settings = RunSettings(
        epochs=epochs,
        batch_size=batch_size,
        augment=augment,
        limit=TRAIN_IMAGE_CHOICES[images],
        extra_repeat=EXTRA_REPEAT if add_drawings else 1,
    )
    try:
        run = start_run(settings, data, extra_npz=export_npz(drawings) if add_drawings else None, owner=session_id())
    except RunError as error:
        st.error(str(error))
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
        text = f"Preparing the training images: pen-retraced copies, {done:,} of {total:,}"
        if done:
            text += f" · about {clock(seconds * (total - done) / done)} left before training"
        return done / total, text
    if state != "training":
        return (1.0 if state in ("evaluating", "saving") else 0.0), PHASE_TEXT.get(state, state)
    epochs, steps = status.get("epochs") or 1, status.get("steps")
    epoch, step = status.get("epoch", 0), status.get("step", 0)
    fraction = fraction_done(epoch, step, epochs, steps)
    text = f"Epoch {min(epoch + 1, epochs)} of {epochs}"
    if steps:
        text += f" · batch {step:,} of {steps:,}"
    text += f" · {clock(status.get('elapsed', 0))} elapsed"
    remaining = status.get("remaining")
    if remaining is not None and fraction > 0.02:  # the first batches include compiling: no pace yet
        text += f" · about {clock(remaining)} left"
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
        st.markdown(f"**Training: {run.label}**")
        fraction, text = progress_of(run.status)
        st.progress(fraction, text=text)
        if st.session_state.get("my_run") == run.id or owner_gone(run):
            if st.session_state.get("my_run") != run.id:
                st.caption("The browser session that started this run has closed: anyone may cancel it.")
            if st.button("Cancel training", key="cancel_training"):
                cancel_run(run)
                st.toast("Cancelling: the run stops without saving anything.")
        else:
            st.caption("Started in another browser session, which can cancel it while it stays open.")
        history = run.status.get("history", {})
        if history.get("val_loss"):
            ui.curve_charts(ui.history_rows(history, "this run"), run.status.get("epochs") or 1, by_model=False)
        else:
            st.caption("The loss and accuracy curves appear here after the first epoch.")


def finished_ui(run: Run | None) -> None:
    if run is None:
        return
    if run.usable:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.success(f"Run finished: {run.label}. Test accuracy {run.test_accuracy:.2%}.")
        right.button("Use it for my drawings", key="use_finished", on_click=ui.use_model, args=(run.id,))
    elif run.state == "cancelled":
        st.warning(f"Run cancelled: {run.label}. Nothing was saved.")
    elif run.state == "interrupted":
        st.error(
            f"Run interrupted: {run.label}. The training process stopped before it finished (it was "
            "killed, or the machine or the app's server restarted), so nothing was saved. Start a "
            "new run to try again. The end of its log:"
        )
        st.code(tail(run.folder / LOG_FILE) or "(the log is empty)", language=None)
    else:
        st.error(f"Run {run.state}: {run.status.get('message') or 'see the end of its log below.'}")
        st.code(tail(run.folder / LOG_FILE) or "(the log is empty)", language=None)


def runs_ui(runs: list[Run]) -> None:
    if not runs:
        st.caption(f"No runs yet. They are kept in `{runs_dir()}` (set `{RUNS_ENV_VAR}` for another folder).")
        return
    table = pd.DataFrame(
        [
            {
                "run": run.label,
                "state": run.state_text,
                "epochs": run.settings.get("epochs"),
                "batch size": run.settings.get("batch_size"),
                "augmented": bool(run.settings.get("augment")),
                "MNIST images": f"{run.settings['limit']:,}" if run.settings.get("limit") else "all",
                "your drawings": bool(run.settings.get("extra")),
                "test accuracy": f"{run.test_accuracy:.2%}" if run.test_accuracy is not None else "–",
                "minutes": round(run.status.get("elapsed", 0) / 60, 1),
            }
            for run in runs
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"Kept in `{runs_dir()}`; each finished run's `bundle/` has the same files as `model/artifacts/`.")
    with st.expander("Details of a run: its log, its bundle, delete it"):
        run_details_ui(runs)


def run_details_ui(runs: list[Run]) -> None:
    labels = {run.id: f"{run.label} ({run.state_text})" for run in runs}
    chosen = st.selectbox("Run", list(labels), format_func=labels.get, key="run_details")
    run = next(run for run in runs if run.id == chosen)
    if run.status.get("message"):
        st.write(run.status["message"])
    if run.usable:
        extra = (ui.records_of(run.bundle).history or {}).get("extra")
        if extra:
            st.write(
                f"On your {extra['test_images']} held-out drawings: {extra['test_accuracy']:.0%} right "
                f"(trained on the other {extra['train_images']}, each {extra['repeat']}×)."
            )
    command = run.info.get("command", [])
    st.code(" ".join(["python", *command[1:]]), language="bash")
    log = tail(run.folder / LOG_FILE)
    if log:
        st.code(log, language=None)
    use, delete = st.columns(2)
    use.button(
        "Use it for my drawings", key="use_run", disabled=not run.usable, on_click=ui.use_model, args=(run.id,)
    )
    delete.button("Delete this run", key="delete_run", disabled=run.active, on_click=remove_run, args=(run,))
    problem = st.session_state.pop("run_problem", None)
    if problem:
        st.error(problem)


def remove_run(run: Run) -> None:
    try:
        delete_run(run)
    except RunError as error:
        st.session_state["run_problem"] = str(error)
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
    st.subheader("Compare training curves")
    names = {ui.COMMITTED: "committed model", **{run.id: run.label for run in usable}}
    active = ui.choice("active_model", ui.COMMITTED)
    default = [ui.COMMITTED, active if active in names and active != ui.COMMITTED else usable[0].id]
    # Runs deleted since (here or in another session) drop out of the comparison.
    ui.choose("compare", [key for key in ui.choice("compare") or default if key in names])
    chosen = st.multiselect("Models", list(names), format_func=names.get, **ui.kept("compare"))
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
            "Solid: validation (the 10,000 MNIST test digits); dashed: training. Hover for values. "
            "A model trained with augmentation sees harder, distorted digits in training, so its "
            "training curves sit below its validation curves."
        )


shared = ui.shared()
if "run" in st.query_params and "my_run" not in st.session_state:  # this page reloaded mid-run
    st.session_state["my_run"] = st.query_params["run"]
    reloaded = next((run for run in shared.runs if run.id == st.session_state["my_run"] and run.active), None)
    if reloaded and session_id():
        try:
            claim_run(reloaded, session_id())  # so other sessions still see it as someone's
        except RunError as error:
            st.warning(str(error))
st.header("Train the network yourself")
st.markdown(
    "Train the same network (784 → 512 → 512 → 10, RMSprop, categorical cross-entropy) with "
    "your own settings, validated on the 10,000 MNIST test digits after every epoch. Runs are "
    "saved as model bundles; pick one to answer your drawings and compare its curves with the "
    "committed model's. The machine trains one run at a time, in the background: everyone "
    "keeps drawing meanwhile."
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
st.subheader("Runs")
runs_ui(shared.runs)
compare_ui(shared.runs, ui.committed_bundle())
