"""Train: the same network with your own settings, in the background; runs, their logs, comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit import runtime

from i18n import tr, tr_error
from model.constants import DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, MNIST_ENV_VAR
from model.data import MnistSource, locate_mnist
from model.feedback import FeedbackError, FeedbackStore, export_npz
from model.runs import (
    BATCH_SIZES,
    MAX_EPOCHS,
    RUNS_ENV_VAR,
    Run,
    RunError,
    RunSettings,
    active_run,
    cancel_run,
    claim_run,
    delete_run,
    read_run,
    runs_dir,
    start_run,
)
from ui import charts, context, state
from ui.context import Context
from ui.words import progress_text, run_label, state_text

IMAGE_CHOICES = (60_000, 10_000, 1_000)  # MNIST training images a run uses: all, or fewer for a quick try
EXTRA_REPEAT = 10  # a few dozen drawings among 60,000 digits need repeating to count


def data_source_text(mnist: MnistSource) -> str:
    """Where a run will read MNIST from, without loading it."""
    if mnist.kind == "option":
        return tr("`{path}` (the app's `--data` option)", path=mnist.path)
    if mnist.kind == "environment":
        return tr("`{path}` (the `{variable}` variable)", path=mnist.path, variable=MNIST_ENV_VAR)
    if mnist.kind == "keras-cache":
        return tr("Keras' cached download of MNIST")
    return tr("Keras' loader, which downloads MNIST when you start (needs internet)")


def settings_ui(ctx: Context, busy: bool) -> None:
    """The run's settings and the start button; starts a run when clicked."""
    left, right = st.columns(2, gap="large")
    epochs = left.slider(tr("Epochs"), 1, MAX_EPOCHS, **state.kept(state.TRAIN_EPOCHS, DEFAULT_EPOCHS))
    batch_size = left.radio(
        tr("Batch size"), BATCH_SIZES, horizontal=True, **state.kept(state.TRAIN_BATCH, DEFAULT_BATCH_SIZE)
    )
    images = right.selectbox(
        tr("MNIST training images"),
        IMAGE_CHOICES,
        format_func="{:,}".format,
        help=tr("All 60,000, or fewer for a quick try (faster, less accurate)."),
        **state.kept(state.TRAIN_IMAGES, IMAGE_CHOICES[0]),
    )
    augment = right.toggle(
        tr("Augment the training digits"),
        **state.kept(state.TRAIN_AUGMENT, False),
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
        tr(
            "Add your {count} saved drawings (each repeated {repeat}×)",
            count=len(drawings),
            repeat=EXTRA_REPEAT,
        ),
        **state.kept(state.TRAIN_ADD_DRAWINGS, False),
        disabled=len(drawings) < 2,
        help=tr("Every 5th one is held out and scored separately. Save drawings on the Draw page first."),
    )
    st.caption(tr("Data: {source}.", source=data_source_text(ctx.mnist)))
    start = st.button(tr("Start training"), type="primary", disabled=busy, key="start_training")
    if not start:
        return
    try:
        with st.spinner(tr("Checking the MNIST data (Keras' loader may download it)…")):
            data = locate_mnist(ctx.options.data)
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
        run = start_run(
            settings, data, extra_npz=export_npz(drawings) if add_drawings else None, owner=ctx.session
        )
    except RunError as error:
        st.error(tr_error(error))
        return
    st.session_state[state.MY_RUN] = run.id
    st.query_params["run"] = run.id  # a reload of this page keeps the right to cancel it
    st.rerun()


def session_open(session: str) -> bool:
    """Whether the browser session `session` is still open on this server."""
    return runtime.exists() and runtime.get_instance().is_active_session(session)


@st.fragment(run_every=1.0)
def live_run_ui(run_id: str, session: str | None) -> None:
    """The run in progress, refreshed every second while this page is open."""
    run = read_run(runs_dir() / run_id)
    if run is None or not run.active:
        st.session_state[state.RUN_FINISHED] = run_id
        st.rerun(scope="app")  # so the runs list, the model choice and the comparison include it
    run_progress_ui(run, session)


def run_progress_ui(run: Run, session: str | None) -> None:
    """A run in progress: where it is, time elapsed and left, its curves so far, and cancel."""
    with st.container(border=True):
        st.markdown(tr("**Training: {run}**", run=run_label(run)))
        progress = run.progress
        st.progress(progress.fraction, text=progress_text(progress))
        if run.may_cancel(session, session_open):
            if session is None or run.owner != session:
                st.caption(tr("The browser session that started this run has closed: anyone may cancel it."))
            if st.button(tr("Cancel training"), key="cancel_training"):
                cancel_run(run)
                st.toast(tr("Cancelling: the run stops without saving anything."))
        else:
            st.caption(tr("Started in another browser session, which can cancel it while it stays open."))
        history = run.status.history
        if history["val_loss"]:
            charts.curve_charts(charts.history_rows(history, tr("this run")), progress.epochs, by_model=False)
        else:
            st.caption(tr("The loss and accuracy curves appear here after the first epoch."))


def finished_ui(run: Run | None) -> None:
    if run is None:
        return
    if run.usable:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.success(
            tr(
                "Run finished: {run}. Test accuracy {accuracy}.",
                run=run_label(run),
                accuracy=f"{run.test_accuracy:.2%}",
            )
        )
        right.button(
            tr("Use it for my drawings"), key="use_finished", on_click=context.use_model, args=(run.id,)
        )
    elif run.state == "cancelled":
        st.warning(tr("Run cancelled: {run}. Nothing was saved.", run=run_label(run)))
    elif run.state == "interrupted":
        st.error(
            tr(
                "Run interrupted: {run}. The training process stopped before it finished (it was "
                "killed, or the machine or the app's server restarted), so nothing was saved. Start a "
                "new run to try again. The end of its log:",
                run=run_label(run),
            )
        )
        st.code(run.log_tail() or tr("(the log is empty)"), language=None)
    else:
        reason = run.status.reason
        st.error(
            tr(
                "Run failed: {reason}",
                reason=tr_error(reason) if reason else tr("see the end of its log below."),
            )
        )
        st.code(run.log_tail() or tr("(the log is empty)"), language=None)


def runs_ui(runs: list[Run]) -> None:
    if not runs:
        st.caption(
            tr(
                "No runs yet. They are kept in `{folder}` (set `{variable}` for another folder).",
                folder=runs_dir(),
                variable=RUNS_ENV_VAR,
            )
        )
        return
    table = pd.DataFrame(
        [
            {
                tr("run"): run_label(run),
                tr("state"): state_text(run),
                tr("epochs"): run.settings.epochs,
                tr("batch size"): run.settings.batch_size,
                tr("augmented"): run.settings.augment,
                tr("MNIST images"): f"{run.settings.limit:,}" if run.settings.limit else tr("all"),
                tr("your drawings"): bool(run.settings.extra),
                tr("test accuracy"): f"{run.test_accuracy:.2%}" if run.test_accuracy is not None else "–",
                tr("minutes"): round(run.status.elapsed / 60, 1),
            }
            for run in runs
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(
        tr(
            "Kept in `{folder}`; each finished run's `bundle/` has the same files as `model/artifacts/`.",
            folder=runs_dir(),
        )
    )
    with st.expander(tr("Details of a run: its log, its bundle, delete it")):
        run_details_ui(runs)


def run_details_ui(runs: list[Run]) -> None:
    labels = {run.id: f"{run_label(run)} ({state_text(run)})" for run in runs}
    chosen = st.selectbox(tr("Run"), list(labels), format_func=labels.get, key="run_details")
    run = next(run for run in runs if run.id == chosen)
    if run.status.reason:
        st.write(tr_error(run.status.reason))
    if run.usable:
        extra = (context.records_of(run.bundle).history or {}).get("extra")
        if extra:
            st.write(
                tr(
                    "On your {held} held-out drawings: {accuracy} right (trained on the other {trained}, "
                    "each {repeat}×).",
                    held=extra["test_images"],
                    accuracy=f"{extra['test_accuracy']:.0%}",
                    trained=extra["train_images"],
                    repeat=extra["repeat"],
                )
            )
    command = run.info.command if run.info else ()
    st.code(" ".join(["python", *command[1:]]), language="bash")
    log = run.log_tail()
    if log:
        st.code(log, language=None)
    use, delete = st.columns(2)
    use.button(
        tr("Use it for my drawings"),
        key="use_run",
        disabled=not run.usable,
        on_click=context.use_model,
        args=(run.id,),
    )
    delete.button(
        tr("Delete this run"), key="delete_run", disabled=run.active, on_click=remove_run, args=(run,)
    )
    state.show_flash("run_details")


def remove_run(run: Run) -> None:
    try:
        delete_run(run)
    except RunError as error:
        state.flash("run_details", tr_error(error), "error")
        return
    if state.choice(state.ACTIVE_MODEL) == run.id:
        state.choose(state.ACTIVE_MODEL, context.COMMITTED)


def compare_ui(runs: list[Run], committed: Path) -> None:
    usable = [run for run in runs if run.usable]
    if not usable:
        return
    st.subheader(tr("Compare training curves"))
    committed_name = context.COMMITTED
    names = {committed_name: tr("committed model"), **{run.id: run_label(run) for run in usable}}
    active = state.choice(state.ACTIVE_MODEL, committed_name)
    default = [committed_name, active if active in names and active != committed_name else usable[0].id]
    # Runs deleted since (here or in another session) drop out of the comparison.
    state.choose(state.COMPARE, [key for key in state.choice(state.COMPARE) or default if key in names])
    chosen = st.multiselect(tr("Models"), list(names), format_func=names.get, **state.kept(state.COMPARE))
    bundles = {committed_name: committed, **{run.id: run.bundle for run in usable}}
    rows, last_epoch = [], 1
    for key in chosen:
        history = context.records_of(bundles[key]).history
        if history:
            rows += charts.history_rows(history, names[key])
            last_epoch = max(last_epoch, len(history["loss"]))
    if rows:
        charts.curve_charts(rows, last_epoch, by_model=True, height=440)
        st.caption(
            tr(
                "Solid: validation (the 10,000 MNIST test digits); dashed: training. Hover for values. "
                "A model trained with augmentation sees harder, distorted digits in training, so its "
                "training curves sit below its validation curves."
            )
        )


def render(ctx: Context) -> None:
    mine = st.session_state.get(state.MY_RUN)
    if "run" in st.query_params and mine is None:  # this page reloaded mid-run
        mine = st.session_state[state.MY_RUN] = st.query_params["run"]
        reloaded = next((run for run in ctx.runs if run.id == mine and run.active), None)
        if reloaded and ctx.session:
            try:
                claim_run(reloaded, ctx.session)  # so other sessions still see it as someone's
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
    running = active_run(ctx.runs)
    settings_ui(ctx, running is not None)
    if running:
        live_run_ui(running.id, ctx.session)
    finished = st.session_state.pop(state.RUN_FINISHED, None)  # seen ending by the live view
    if mine and not (running and running.id == mine):  # this session's run ended: say how it went
        finished = st.session_state.pop(state.MY_RUN)
        st.query_params.pop("run", None)
    if finished:
        finished_ui(read_run(runs_dir() / finished))
    st.subheader(tr("Runs"))
    runs_ui(ctx.runs)
    compare_ui(ctx.runs, context.committed_bundle())
