"""Train: the same network with your own settings, in the background; runs, their logs, comparison."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from i18n import tr, tr_error
from model import parallel
from model.constants import DEFAULT_BATCH_SIZE, DEFAULT_EPOCHS, OUTLIER_SHARE, REAL_SHARE, WRITTEN_SHARE
from model.data import MnistSource, locate_mnist
from model.feedback import FeedbackError, FeedbackStore, export_npz, exportable
from model.pen_train import SECONDS_PER_DIGIT as PEN_SECONDS_PER_DIGIT
from model.runs import (
    BATCH_SIZES,
    MAX_EPOCHS,
    Run,
    RunError,
    RunSettings,
    active_run,
    cancel_run,
    delete_run,
    read_run,
    run_folder,
    start_run,
)
from model.written import SECONDS_PER_DIGIT
from ui import charts, context, state
from ui.context import Context
from ui.words import progress_text, run_label, state_text

IMAGE_CHOICES = (60_000, 10_000, 1_000)  # MNIST training images a run uses: all, or fewer for a quick try
EXTRA_REPEAT = 10  # a few dozen drawings among 60,000 digits need repeating to count


def data_source_text(mnist: MnistSource) -> str:
    """Where a run will read MNIST from, without loading it (and without the server's paths)."""
    if mnist.local:
        return tr("the copy of MNIST on this server")
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
    outliers = right.toggle(
        tr("Also teach it drawings that are no digit"),
        **state.kept(state.TRAIN_OUTLIERS, False),
        help=tr(
            "Adds scribbles, shapes, lines and blots ({share} more images), each taught with the same "
            "probability for every digit. The model then gives a low highest bar for a drawing that is "
            "no digit, so that the app can answer “not a digit”.",
            share=f"{OUTLIER_SHARE:.0%}",
        ),
    )
    written = right.toggle(
        tr("Also teach it digits written with a pen"),
        **state.kept(state.TRAIN_WRITTEN, False),
        help=tr(
            "Adds digits written stroke by stroke ({count} for all 60,000 MNIST images, fewer for "
            "fewer), in shapes MNIST has few of: 7s with a round top and a bar, 9s whose stem curls to "
            "the left, 4s with an open top, narrow and wide hands. It also adds real digits that 30 "
            "people wrote with a pen on a tablet ({real} for all 60,000), each drawn on the pad. The "
            "model then reads real handwriting better. Making them first takes about {seconds} seconds.",
            count=f"{round(WRITTEN_SHARE * IMAGE_CHOICES[0]):,}",
            real=f"{round(REAL_SHARE * IMAGE_CHOICES[0]):,}",
            seconds=round(
                IMAGE_CHOICES[0]
                * (WRITTEN_SHARE * SECONDS_PER_DIGIT + REAL_SHARE * PEN_SECONDS_PER_DIGIT)
                / parallel.workers(round(IMAGE_CHOICES[0] * (WRITTEN_SHARE + REAL_SHARE)))
            ),
        ),
    )
    try:
        drawings = exportable(FeedbackStore(owner=ctx.visitor).drawings())  # digits only
    except FeedbackError as error:
        drawings = []
        right.warning(tr("Your saved drawings cannot be added: {error}", error=tr_error(error)))
    add_drawings = right.checkbox(
        tr(
            "Add your {count} saved drawings of digits (each repeated {repeat}×)",
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
                "Nothing was started: this server has no usable copy of MNIST ({error}). The person "
                "running the app finds what to do in its log and in the README.",
                error=tr_error(error),
            )
        )
        return
    settings = RunSettings(
        epochs=epochs,
        batch_size=batch_size,
        augment=augment,
        outliers=outliers,
        written=written,
        limit=None if images == IMAGE_CHOICES[0] else images,
        extra_repeat=EXTRA_REPEAT if add_drawings else 1,
    )
    try:
        start_run(settings, data, extra_npz=export_npz(drawings) if add_drawings else None, owner=ctx.visitor)
    except RunError as error:
        st.error(tr_error(error))
        return
    st.rerun()


@st.fragment(run_every=1.0)
def live_run_ui(run_id: str, visitor: str) -> None:
    """The run in progress, refreshed every second while this page is open."""
    folder = run_folder(run_id)
    run = read_run(folder) if folder else None
    if run is None or not run.active:
        st.rerun(scope="app")  # to say how it ended; the runs list, model choice and comparison include it
    if run.owned_by(visitor):
        run_progress_ui(run, visitor)
    else:
        with st.container(border=True):
            st.markdown(tr("**Another visitor's run is training.** This machine trains one model at a time."))
            st.progress(run.progress.fraction, text=progress_text(run.progress))
            st.caption(tr("You can start yours when it has finished; the page notices by itself."))


def run_progress_ui(run: Run, visitor: str) -> None:
    """The visitor's run in progress: where it is, time elapsed and left, its curves so far, and cancel."""
    with st.container(border=True):
        st.markdown(tr("**Training: {run}**", run=run_label(run)))
        progress = run.progress
        st.progress(progress.fraction, text=progress_text(progress))
        if run.may_cancel(visitor) and st.button(tr("Cancel training"), key="cancel_training"):
            try:
                cancel_run(run, by=visitor)
            except RunError as error:
                st.error(tr_error(error))
            else:
                st.toast(tr("Cancelling: the run stops without saving anything."))
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
    else:
        ending_ui(run)


def ending_ui(run: Run) -> None:
    """How a run that made no model ended, in words for the visitor (its log stays on the server)."""
    if run.state == "cancelled":
        st.warning(tr("Run cancelled: {run}. Nothing was saved.", run=run_label(run)))
    elif run.state == "interrupted":
        st.error(
            tr(
                "Run interrupted: {run}. The training process stopped before it finished (it was "
                "stopped, or the machine or the app's server restarted), so nothing was saved. Start a "
                "new run to try again.",
                run=run_label(run),
            )
        )
    elif run.state == "damaged":
        st.error(tr("This run's records are damaged, so it cannot be shown or used."))
    elif run.state == "failed":
        reason = run.status.reason
        if reason:
            st.error(tr("Run failed: {reason}", reason=tr_error(reason)))
        else:
            st.error(tr("Run failed. The person running the app finds why in the run's log on the server."))


def runs_ui(ctx: Context, announced: str | None) -> None:
    """The visitor's own runs: a table, then one run's details (`announced`: the run whose end the
    page has just said above)."""
    runs = ctx.my_runs
    if not runs:
        st.caption(tr("No runs of yours yet. Only you see the runs you start here."))
        return
    table = pd.DataFrame(
        [
            {
                tr("run"): run_label(run),
                tr("state"): state_text(run),
                tr("epochs"): run.settings.epochs,
                tr("batch size"): run.settings.batch_size,
                tr("augmented"): run.settings.augment,
                tr("taught non-digits"): run.settings.outliers,
                tr("taught written digits"): run.settings.written,
                tr("MNIST images"): f"{run.settings.limit:,}" if run.settings.limit else tr("all"),
                tr("your drawings"): bool(run.settings.extra),
                tr("test accuracy"): f"{run.test_accuracy:.2%}" if run.test_accuracy is not None else "–",
                tr("minutes"): round(run.status.elapsed / 60, 1),
            }
            for run in runs
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(tr("Only you see these runs. Each finished run is a model that can answer your drawings."))
    with st.expander(tr("Details of a run: use it, delete it")):
        run_details_ui(runs, ctx, announced)


def run_details_ui(runs: list[Run], ctx: Context, announced: str | None) -> None:
    labels = {run.id: f"{run_label(run)} ({state_text(run)})" for run in runs}
    chosen = st.selectbox(tr("Run"), list(labels), format_func=labels.get, key="run_details")
    run = next(run for run in runs if run.id == chosen)
    if not run.active and not run.usable and run.id != announced:
        ending_ui(run)
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
    use, delete = st.columns(2)
    use.button(
        tr("Use it for my drawings"),
        key="use_run",
        disabled=not run.usable,
        on_click=context.use_model,
        args=(run.id,),
    )
    delete.button(
        tr("Delete this run"),
        key="delete_run",
        disabled=run.active,
        on_click=remove_run,
        args=(run, ctx),
    )
    state.show_flash("run_details")


def remove_run(run: Run, ctx: Context) -> None:
    if context.answering_elsewhere(run, ctx.session):
        state.flash(
            "run_details",
            tr("This run is answering drawings in another open tab: choose another model there first."),
            "error",
        )
        return
    try:
        delete_run(run, by=ctx.visitor)
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
    names = {
        committed_name: tr("the model that comes with the app"),
        **{run.id: run_label(run) for run in usable},
    }
    active = state.choice(state.ACTIVE_MODEL, committed_name)
    default = [committed_name, active if active in names and active != committed_name else usable[0].id]
    # Runs deleted since (here or in another session) drop out of the comparison.
    state.choose(state.COMPARE, [key for key in state.choice(state.COMPARE) or default if key in names])
    chosen = st.multiselect(
        tr("Models"),
        list(names),
        format_func=names.get,
        placeholder=tr("Pick models to compare"),
        **state.kept(state.COMPARE),
    )
    bundles = {committed_name: committed, **{run.id: run.bundle for run in usable}}
    rows, last_epoch, augmented = [], 1, False
    for key in chosen:
        history = context.records_of(bundles[key]).history
        if history:
            rows += charts.history_rows(history, names[key])
            last_epoch = max(last_epoch, len(history["loss"]))
            augmented = augmented or bool(history.get("settings", {}).get("augment"))
    if rows:
        charts.curve_charts(rows, last_epoch, by_model=True, height=440)
        st.caption(
            tr("Solid: validation (the 10,000 MNIST test digits); dashed: training. Hover for values.")
        )
        charts.augmentation_note(augmented)


def render(ctx: Context) -> None:
    st.header(tr("Train the network yourself"))
    st.markdown(
        tr(
            "Train the same network (784 → 512 → 512 → 10, RMSprop, categorical cross-entropy) with "
            "your own settings, validated on the 10,000 MNIST test digits after every epoch. Each run is "
            "saved as a model that only you see; pick one to answer your drawings and compare its "
            "curves with those of the model that comes with the app. The machine trains one run at a "
            "time, in the background: everyone keeps drawing meanwhile."
        )
    )
    running = active_run(ctx.runs)  # anyone's: the machine trains one at a time
    settings_ui(ctx, running is not None)
    if running:
        live_run_ui(running.id, ctx.visitor)
        if running.owned_by(ctx.visitor):
            st.session_state[state.WATCHED_RUN] = running.id
    watched = st.session_state.get(state.WATCHED_RUN)
    ended = watched if watched and not (running and running.id == watched) else None
    if ended:  # the visitor's run has ended: say how
        st.session_state.pop(state.WATCHED_RUN)
        finished_ui(next((run for run in ctx.my_runs if run.id == ended), None))
    st.subheader(tr("Your runs"))
    runs_ui(ctx, ended)
    compare_ui(ctx.my_runs, context.committed_bundle())
