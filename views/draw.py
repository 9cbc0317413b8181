"""Draw: the pad and the network's answer, a photo upload, and the model that answers."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import streamlit as st

from i18n import tr, tr_error
from model import insight
from model.classes import ClassStore, Membership, clean_nickname
from model.constants import NOT_A_DIGIT
from model.data import flatten
from model.feedback import FeedbackError, FeedbackStore
from model.history import overfitting
from model.inference import Classifier, Prediction
from model.pad_image import pad_png
from model.runs import Run
from model.upload import read_upload
from ui import charts, context, state, widgets
from ui.context import Context
from ui.words import label_text, narrow_summary, run_label


def intro_ui() -> None:
    st.title("✏️ " + tr("Draw a digit"))
    st.markdown(tr("A neural network trained on the **MNIST** handwritten digits reads what you draw."))


def flow_ui(ctx: Context) -> None:
    st.markdown(
        tr(
            "The flow behind the answer:\n"
            "1. **Prepare** — your drawing is cropped, scaled to fit 20×20 and centred by mass in "
            "28×28, the way MNIST digits were made.\n"
            "2. **Flatten & normalize** — the 28×28 image becomes 784 values in [0, 1].\n"
            "3. **Predict** — the network (784 → 512 ReLU → 512 ReLU → 10 softmax) gives a "
            "probability for each digit 0–9."
        )
    )
    st.page_link(ctx.pages["flow"], label=tr("Follow your drawing step by step"), icon="➡️")


def class_ui(visitor: str, member: Membership | None) -> Membership | None:
    """The class this visitor is in, shown above the pad with a nickname and a way out."""
    if member is None:
        return None
    store = ClassStore()
    with st.container(border=True, key="class_banner"):
        about, name, leave = st.columns([2.2, 1.6, 1], vertical_alignment="bottom")
        about.markdown(tr("**Class {code}**: the drawings you save also go to your class.", code=member.code))
        nickname = name.text_input(
            tr("Nickname (optional; no real name needed)"),
            value=member.nickname,
            max_chars=20,
            key="class_nickname",
        )
        if leave.button(tr("Leave the class"), key="leave_class"):
            store.leave(visitor)
            st.rerun()
    if clean_nickname(nickname) != member.nickname:
        store.join(visitor, member.code, nickname)
        member = replace(member, nickname=clean_nickname(nickname))
    return member


@st.fragment
def drawing_section(
    classifier: Classifier | None, model_name: str, visitor: str, member: Membership | None = None
) -> None:
    """Reruns alone on every stroke: the pad, the answer, the bars and the model's input.

    The pad's column holds the pad alone, so that on a phone, where columns stack, the answer
    comes right under it; the pad's settings follow the three columns.
    """
    pad, answer, seen = st.columns([1.05, 1.25, 1], gap="medium")
    with pad:
        image, sent = widgets.pad_ui("draw")
    remembered = image is None and not sent  # the pad is new here: show the last drawing again
    if remembered:
        image = widgets.remembered_drawing()[0]
    brush, hidden, about = st.columns([1.05, 1.25, 1], gap="large", vertical_alignment="center")
    with brush:
        widgets.brush_ui()
    # Rendered on every run, drawing or not, so the switch keeps its state across a reset.
    show_hidden = hidden.toggle(
        tr("Show the hidden layers for this drawing"), **state.kept(state.SHOW_HIDDEN, False)
    )
    about.caption(tr("Answering with {model}.", model=model_name))
    if classifier is None:
        answer.info(tr("No model is loaded, so drawings cannot be classified yet (see below)."))
        return
    prediction = classifier.classify_canvas(image) if image is not None else None
    if prediction is None:
        with answer, st.container(key="answer"):
            st.metric(tr("Prediction"), "–", border=True)
            st.info(tr("Draw a digit (0–9) on the black pad to see what the network thinks it is."))
        return
    if remembered:
        answer.caption(
            tr("Your last drawing, kept while you were on another page: draw on the pad to start a new one.")
        )
    widgets.answer_ui(prediction, tr("Prediction"), tr("Your drawing"), answer, seen)
    with answer:
        feedback_ui(classifier, prediction, image, visitor, member)
    if show_hidden:
        hidden_ui(classifier, prediction)


def feedback_ui(
    classifier: Classifier,
    prediction: Prediction,
    canvas: np.ndarray,
    visitor: str,
    member: Membership | None = None,
) -> None:
    """Confirm or correct the answer ("It is not a digit" too); the drawing is saved once, as the
    visitor's, with what it really is, and given to their class if they are in one."""
    state.show_flash("feedback")
    answered = prediction.answer
    label = None
    if answered == NOT_A_DIGIT:
        if st.button(tr("✓ Right, it is not a digit"), key="confirm"):
            label = NOT_A_DIGIT
    else:
        confirm, other = st.columns(2)
        yes = tr("✓ Yes, it is {label}", label=label_text(answered))
        if confirm.button(yes, key="confirm", width="stretch"):
            label = answered
        if other.button(tr("✗ It is not a digit"), key="not_a_digit", width="stretch"):
            label = NOT_A_DIGIT
    pick, save = st.columns([1, 0.6], vertical_alignment="bottom")
    corrected = pick.selectbox(
        tr("No, it is a"), list(range(10)), index=None, placeholder="0–9", key="correct_label"
    )
    if save.button(tr("Save"), key="save_correction", disabled=corrected is None):
        label = corrected
    if label is None:
        return
    key = hashlib.sha256(canvas.tobytes()).hexdigest()  # this drawing
    store = FeedbackStore(owner=visitor)
    try:
        before = store.find(key)
        if before and before[1] == label:
            st.info(
                tr("This drawing is already saved, as #{id}: {label}.", id=before[0], label=label_text(label))
            )
            return
        saved = store.add(
            prediction.image,
            label,
            answered,
            prediction.probabilities,
            classifier.model_id,
            pad_png(canvas),
            key=key,
        )
    except FeedbackError as error:
        st.error(tr_error(error))
        return
    problem = None
    if member is not None:
        problem = given_to_class(member, visitor, prediction, label, answered, classifier.model_id, key)
    if before:
        message = tr(
            "Drawing #{id} is now saved as {label} (it was {was}).",
            id=saved,
            label=label_text(label),
            was=label_text(before[1]),
        )
    else:
        message = tr(
            "Saved drawing #{id} as {label}. See “Your drawings”.", id=saved, label=label_text(label)
        )
    if problem:
        state.flash("feedback", f"{message} {problem}", "warning")
        st.rerun()  # the whole page: the class above the pad may have ended
    state.flash("feedback", message)
    st.rerun(scope="fragment")


def given_to_class(
    member: Membership,
    visitor: str,
    prediction: Prediction,
    label: int,
    answered: int,
    model_id: str,
    key: str,
) -> str | None:
    """The class's own copy of a saved drawing (the teacher may remove it; the visitor keeps theirs).
    Returns what went wrong, in words, or None."""
    try:
        given = ClassStore().add(
            member.code,
            visitor,
            member.nickname,
            prediction.image,
            label,
            answered,
            prediction.probabilities,
            model_id,
            key=key,
        )
    except FeedbackError as error:
        return tr_error(error)
    if given is None:
        return tr("Class {code} has ended, so the drawing is saved as yours only.", code=member.code)
    return None


def hidden_ui(classifier: Classifier, prediction: Prediction) -> None:
    """The two 512-unit ReLU layers as heatmaps, and the units that drive the answer."""
    import pandas as pd  # only for this table: not loaded before the first page's pad is sent

    first, second = classifier.hidden_activations(flatten(prediction.image[None]))
    heat_first, heat_second, drivers = st.columns([1, 1, 1.2], gap="large")
    for column, activations, title in (
        (heat_first, first[0], tr("Hidden layer 1")),
        (heat_second, second[0], tr("Hidden layer 2")),
    ):
        with column:
            grid = insight.activation_grid(activations)
            st.image(np.kron(grid, np.ones((8, 8), dtype=np.float32)), clamp=True)
            active = int((activations > 0).sum())
            st.caption(
                tr(
                    "{layer}: 512 ReLU units as a 16×32 grid, brighter = more active (the most active "
                    "5% at full brightness); {active} are non-zero.",
                    layer=title,
                    active=active,
                )
            )
    with drivers:
        kernel = classifier.weights[-1][0]
        top = insight.top_contributors(second[0], kernel, prediction.digit)
        st.markdown(
            tr("**Units of layer 2 that lift “{digit}” above the other digits**", digit=prediction.digit)
        )
        numbers = [tr("activation"), tr("weight to {digit}", digit=prediction.digit), tr("lead")]
        st.dataframe(
            pd.DataFrame(
                [(c.unit, c.activation, c.weight, c.lead) for c in top], columns=[tr("unit"), *numbers]
            ),
            hide_index=True,
            width="stretch",
            column_config={name: st.column_config.NumberColumn(format="%.3f") for name in numbers},  # aligned
        )
        st.caption(
            tr(
                "**unit**: its number in layer 2 (0–511). **activation**: what it outputs for your "
                "drawing. **weight to {digit}**: what each 1 of activation adds to {digit}'s score (a "
                "negative weight takes away). **lead**: how far it lifts {digit}'s score above the average "
                "of the other nine digits, activation × (weight to {digit} − their average weight). So a "
                "unit with a small negative weight to {digit} still lifts it when its weights to the other "
                "digits are lower still.",
                digit=prediction.digit,
            )
        )


def shown_name(name: str) -> str:
    """A file name as the browser sent it, made safe to show: no markdown, links or markup, short."""
    return re.sub(r"[^\w .()-]", "_", name)[:60] or "?"


@st.fragment
def upload_section(classifier: Classifier | None) -> None:
    """A photo or scan of a handwritten digit, through the same preprocessing as a drawing."""
    with st.expander(tr("Or upload a photo of a handwritten digit (PNG or JPEG)")):
        upload = st.file_uploader(
            tr("Photo of one digit, dark on light paper or light on a dark board"),
            type=["png", "jpg", "jpeg"],
            key="upload",
        )
        if upload is None:
            return
        if classifier is None:
            st.info(tr("No model is loaded, so the photo cannot be classified yet."))
            return
        try:
            pixels = read_upload(upload.getvalue())
            prediction = classifier.classify_canvas(pixels)
        except ValueError as error:
            st.error(f"{shown_name(upload.name)}: {tr_error(error)}")
            return
        photo, answer, seen = st.columns([1.05, 1.25, 1], gap="large")
        photo.image(
            pixels, caption=tr("{name}, lighting evened out", name=shown_name(upload.name)), width=260
        )
        if prediction is None:
            answer.warning(tr("No ink found in this photo: is the digit dark on a light background?"))
            return
        widgets.answer_ui(prediction, tr("Prediction for the photo"), tr("The photo"), answer, seen)


def model_choice_ui(my_runs: list[Run]) -> None:
    """Which model answers this session's drawings: the one that comes with the app, or one of the
    visitor's finished runs."""
    usable = [run for run in my_runs if run.usable]
    if not usable:
        st.caption(
            tr("Answering with the model that comes with the app. Train your own on the **Train** page.")
        )
        return
    labels = {
        context.COMMITTED: tr("the model that comes with the app"),
        **{run.id: tr("your run {run}", run=run_label(run)) for run in usable},
    }
    st.selectbox(
        tr("Model answering your drawings (this browser session only)"),
        list(labels),
        format_func=labels.get,
        **state.kept(state.ACTIVE_MODEL, context.COMMITTED),
    )


def model_section(path: Path, load_error: Exception | None) -> None:
    """The bundle's `model.summary()`, its training settings and its curves."""
    if load_error:
        st.error(tr_error(load_error))
    records = context.records_of(path)
    summary_col, facts_col = st.columns([3, 2], gap="large")
    with summary_col.container(key="summary"):  # ui/assets/page.css fits it to a phone's width
        st.subheader(tr("Architecture: `model.summary()`"))
        if records.summary:  # page.css shows one of the two: as Keras prints it, or narrow on a phone
            with st.container(key="summary_wide"):
                widgets.monospace_ui(records.summary)
            with st.container(key="summary_narrow"):
                widgets.monospace_ui(narrow_summary(records.summary))
        else:
            st.warning(tr("This model came without its summary."))
    with facts_col:
        st.subheader(tr("This run"))
        history, evaluation = records.history, records.evaluation
        if history:
            settings = history.get("settings", {})
            facts = st.columns(2)
            facts[0].metric(tr("Epochs"), settings.get("epochs", len(history["loss"])))
            facts[1].metric(tr("Batch size"), settings.get("batch_size", "?"))
            if "train_seconds" in history:
                facts[0].metric(
                    tr("Training time"), tr("{seconds} s", seconds=f"{history['train_seconds']:.0f}")
                )
            if evaluation:
                facts[1].metric(tr("Test accuracy"), f"{evaluation['test_accuracy']:.2%}")
            st.caption(
                tr(
                    "Optimizer RMSprop, loss categorical cross-entropy; augmentation {augmentation}; "
                    "{images} training images; validated on the 10,000 MNIST test images.",
                    augmentation=tr("on") if settings.get("augment") else tr("off"),
                    images=f"{history.get('train_samples', 60000):,}",
                )
            )
    for problem in records.problems:
        st.warning(tr_error(problem))
    if records.history:
        curves_ui(records.history)


def curves_ui(history: dict) -> None:
    st.subheader(tr("Training curves"))
    # Drawn on request: the chart library is about 775 KB of script, and on a phone's slower
    # processor it kept the pad above from being drawable for about 2.5 s longer (10.1 s instead
    # of 7.6 s after the page was asked for, processor slowed 4x: benchmarks/startup.py --phone).
    if st.toggle(tr("Show the loss and accuracy per epoch"), **state.kept(state.SHOW_CURVES, False)):
        rows = charts.history_rows(history, tr("this model"))
        charts.curve_charts(rows, len(history["loss"]), by_model=False, height=260)
        st.caption(
            tr(
                "Loss and accuracy per epoch: training (dashed) vs validation on the "
                "10,000 test digits (solid)."
            )
        )
        charts.augmentation_note(bool(history.get("settings", {}).get("augment")))
    rising = overfitting(history)
    if rising:
        st.info(
            tr(
                "Validation loss is lowest after epoch {epoch}, then rises by {rise} while training "
                "loss keeps falling: the network starts to memorise the training set (overfitting).",
                epoch=rising.epoch,
                rise=f"{rising.rise:.0%}",
            )
        )
    else:
        st.caption(
            tr(
                "Validation loss did not clearly rise while training loss fell: no sign of overfitting "
                "in this run."
            )
        )


def render(ctx: Context) -> None:
    intro_ui()
    choosable = any(run.usable for run in ctx.my_runs)
    also = tr(" (choose another under “The model” below)") if choosable else ""
    member = class_ui(ctx.visitor, ctx.member)
    drawing_section(ctx.classifier, ctx.model_name + also, ctx.visitor, member)
    flow_ui(ctx)
    upload_section(ctx.classifier)
    st.divider()
    st.header(tr("The model"))
    model_choice_ui(ctx.my_runs)
    model_section(ctx.bundle, ctx.load_error)
