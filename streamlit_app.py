"""Draw a digit, and watch a neural network trained on MNIST read it.

    streamlit run streamlit_app.py

UI only: every computation comes from the `model` package.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_drawable_canvas import st_canvas

import altair as alt

from model import insight
from model.bundle import read_missed_images
from model.constants import BUNDLE_ENV_VAR, DEFAULT_BUNDLE_DIR, MNIST_ENV_VAR, MODEL_FILE, TRAIN_COMMAND
from model.data import keras_cache_path, load_mnist, locate_mnist
from model.feedback import FEEDBACK_ENV_VAR, FeedbackError, FeedbackStore, export_npz, summary
from model.history import curves, overfitting_epoch, read_records
from model.inference import Classifier, Prediction
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
    delete_run,
    list_runs,
    read_run,
    runs_dir,
    start_run,
)
from model.upload import read_upload

PAD_SIZE = 280  # the drawing pad, in CSS pixels: 10x MNIST's 28
ZOOM = 8  # "what the model sees" is shown 8x, as blocks, never blurred
TRAIN_IMAGE_CHOICES = {"all 60,000": None, "10,000": 10_000, "1,000 (a quick try)": 1_000}
EXTRA_REPEAT = 10  # a few dozen drawings among 60,000 digits need repeating to count
COMMITTED = "committed"  # the model choice meaning the bundle the app started with

st.set_page_config(page_title="Draw a digit · MNIST MLP", page_icon="✏️", layout="wide")


def bundle_dir() -> Path:
    return Path(os.environ.get(BUNDLE_ENV_VAR) or DEFAULT_BUNDLE_DIR)


def app_options() -> tuple[argparse.Namespace, str | None]:
    """Options after `streamlit run streamlit_app.py --`: (options, error message or None)."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data", type=Path, default=None)
    usage = "`streamlit run streamlit_app.py -- [--data path/to/mnist.npz]`"
    launched = Path(sys.argv[0]).name == Path(__file__).name  # not when a test harness runs the page
    try:
        options, unknown = parser.parse_known_args(sys.argv[1:] if launched else [])
    except argparse.ArgumentError as error:
        return parser.parse_args([]), f"Command-line option ignored: {error}. Usage: {usage}"
    if unknown:
        return options, f"Unknown command-line options ignored: `{' '.join(unknown)}`. Usage: {usage}"
    return options, None


def bundle_stamp(path: Path) -> int:
    """Changes when the bundle's model file is replaced: part of every cache key for a bundle."""
    try:
        return (path / MODEL_FILE).stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner="Loading the model…", max_entries=8)
def load_classifier(path: str, stamp: int) -> Classifier:
    classifier = Classifier.load(path)
    # Streamlit collects garbage after every rerun; with TensorFlow's thousands of modules loaded
    # a full collection costs ~100 ms. Freezing what exists now (once per process) avoids that.
    gc.freeze()
    return classifier


@st.cache_data(max_entries=32)
def load_records(path: str, stamp: int):
    return read_records(path)


def intro_ui() -> None:
    st.title("✏️ Draw a digit")
    st.markdown(
        "A neural network trained on the **MNIST** handwritten digits reads what you draw. "
        "The flow behind the answer:\n"
        "1. **Prepare** — your drawing is cropped, scaled to fit 20×20 and centred by mass in "
        "28×28, the way MNIST digits were made.\n"
        "2. **Flatten & normalize** — the 28×28 image becomes 784 values in [0, 1].\n"
        "3. **Predict** — the network (784 → 512 ReLU → 512 ReLU → 10 softmax) gives a "
        "probability for each digit 0–9."
    )


def pad_ui():
    """The drawing pad and its brush control; returns the canvas as an RGBA array and as PNG."""
    result = st_canvas(
        stroke_width=st.session_state.get("brush", 18),
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=PAD_SIZE,
        width=PAD_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        update_streamlit=True,
        key="pad",
    )
    st.caption("Draw with the mouse or a finger. The toolbar undoes, redoes and clears.")
    st.slider("Brush width", min_value=6, max_value=40, value=18, key="brush")
    return result.image_data, result.image_bytes


def probabilities_ui(prediction: Prediction) -> None:
    """Ten labelled bars, 0-9 in order, the top one highlighted."""
    rows = []
    for digit, probability in enumerate(prediction.probabilities):
        top = digit == prediction.digit
        colour = "#ff4b4b" if top else "#8a94a6"
        weight = "700" if top else "400"
        rows.append(
            f'<div class="prob-row" data-digit="{digit}" style="display:flex;align-items:center;'
            f'gap:.5rem;margin:2px 0;font-weight:{weight}">'
            f'<span style="width:1.2rem;text-align:right">{digit}</span>'
            f'<span style="flex:1;background:rgba(138,148,166,.15);border-radius:3px;height:1rem">'
            f'<span style="display:block;height:100%;width:{probability * 100:.1f}%;'
            f'background:{colour};border-radius:3px"></span></span>'
            f'<span style="width:3.6rem;text-align:right;font-variant-numeric:tabular-nums">'
            f"{probability:.1%}</span></div>"
        )
    st.markdown(
        f'<div class="probabilities" aria-label="Probability of each digit">{"".join(rows)}</div>',
        unsafe_allow_html=True,
    )


def model_input_ui(prediction: Prediction, source: str) -> None:
    pixels = np.kron(prediction.image, np.ones((ZOOM, ZOOM), dtype=np.float32))
    st.subheader("What the model sees")
    st.image((pixels * 255).astype(np.uint8), width=28 * ZOOM)
    st.caption(
        f"{source} as MNIST-style 28×28 input (shown 8× as blocks). The network reads it as "
        f"784 values in [0, 1]; {int((prediction.image > 0).sum())} of them are ink."
    )


def answer_ui(prediction: Prediction, label: str, source: str, answer, seen) -> None:
    """The digit and its confidence, the ten bars, and the 28x28 input, in two columns."""
    with answer:
        st.metric(
            label,
            str(prediction.digit),
            f"{prediction.confidence:.1%} confidence",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        probabilities_ui(prediction)
    with seen:
        model_input_ui(prediction, source)


@st.fragment
def drawing_section(classifier: Classifier | None, model_name: str) -> None:
    """Reruns alone on every stroke: the pad, the answer, the bars and the model's input."""
    pad, answer, seen = st.columns([1.05, 1.25, 1], gap="large")
    with pad:
        image, png = pad_ui()
        # Rendered on every run, drawing or not, so the switch keeps its state across a reset.
        show_hidden = st.toggle("Show the hidden layers for this drawing", key="show_hidden")
        st.caption(f"Answering with {model_name}.")
    if classifier is None:
        answer.info("No model is loaded, so drawings cannot be classified yet (see below).")
        return
    prediction = classifier.classify_canvas(image) if image is not None else None
    if prediction is None:
        with answer:
            st.metric("Prediction", "–", border=True)
            st.info("Draw a digit (0–9) on the black pad to see what the network thinks it is.")
        return
    answer_ui(prediction, "Prediction", "Your drawing", answer, seen)
    with answer:
        feedback_ui(classifier, prediction, png)
    if show_hidden:
        hidden_ui(classifier, prediction)


def feedback_ui(classifier: Classifier, prediction: Prediction, png: bytes | None) -> None:
    """Confirm or correct the answer; the drawing is saved with its true digit."""
    flash = st.session_state.pop("feedback_flash", None)
    if flash:
        st.success(flash)
    confirm, pick, save = st.columns([1.3, 1, 0.7], vertical_alignment="bottom")
    label = None
    if confirm.button(f"✓ Yes, it is a {prediction.digit}", key="confirm"):
        label = prediction.digit
    corrected = pick.selectbox("No, it is a", list(range(10)), index=None, placeholder="No, it is…", key="correct_label")
    if save.button("Save", key="save_correction", disabled=corrected is None):
        label = corrected
    if label is None:
        return
    try:
        saved = FeedbackStore().add(
            prediction.image, label, prediction.digit, prediction.probabilities, classifier.model_id, png
        )
    except FeedbackError as error:
        st.error(str(error))
        return
    st.session_state["feedback_flash"] = f"Saved drawing #{saved} as a {label}. See “Your drawings”."
    st.rerun(scope="app")  # so the "Your drawings" tab shows it too


@st.fragment
def upload_section(classifier: Classifier | None) -> None:
    """A photo or scan of a handwritten digit, through the same preprocessing as a drawing."""
    with st.expander("Or upload a photo of a handwritten digit (PNG or JPEG)"):
        upload = st.file_uploader(
            "Photo of one digit, dark on light paper or light on a dark board",
            type=["png", "jpg", "jpeg"],
            key="upload",
        )
        if upload is None:
            return
        try:
            pixels = read_upload(upload.getvalue())
        except ValueError as error:
            st.error(f"{upload.name}: {error}")
            return
        if classifier is None:
            st.info("No model is loaded, so the photo cannot be classified yet.")
            return
        prediction = classifier.classify_canvas(pixels)
        photo, answer, seen = st.columns([1.05, 1.25, 1], gap="large")
        photo.image(pixels, caption=f"{upload.name}, lighting evened out", width=260)
        if prediction is None:
            answer.warning("No ink found in this photo: is the digit dark on a light background?")
            return
        answer_ui(prediction, "Prediction for the photo", "The photo", answer, seen)


def hidden_ui(classifier: Classifier, prediction: Prediction) -> None:
    """The two 512-unit ReLU layers as heatmaps, and the units that drive the answer."""
    first, second = classifier.hidden_activations(prediction.image.reshape(1, -1))
    heat_first, heat_second, drivers = st.columns([1, 1, 1.2], gap="large")
    for column, activations, title in (
        (heat_first, first[0], "Hidden layer 1"),
        (heat_second, second[0], "Hidden layer 2"),
    ):
        with column:
            grid = insight.activation_grid(activations)
            st.image(np.kron(grid, np.ones((8, 8), dtype=np.float32)), clamp=True)
            active = int((activations > 0).sum())
            st.caption(f"{title}: 512 ReLU units as a 16×32 grid, brighter = more active; {active} are non-zero.")
    with drivers:
        kernel = classifier.weights[-1][0]
        top = insight.top_contributors(second[0], kernel, prediction.digit)
        st.markdown(f"**Units of layer 2 that lift “{prediction.digit}” above the other digits**")
        st.dataframe(
            pd.DataFrame(
                [(c.unit, c.activation, c.weight, c.lead) for c in top],
                columns=["unit", "activation", f"weight to {prediction.digit}", "lead"],
            ),
            hide_index=True,
            width="stretch",
        )


def model_section(path: Path, load_error: str | None) -> None:
    if load_error:
        st.error(f"{load_error}")
        st.markdown(f"Train a model bundle with:\n```\n{TRAIN_COMMAND} --out {path}\n```")
    records = load_records(str(path), bundle_stamp(path))
    summary_col, facts_col = st.columns([3, 2], gap="large")
    with summary_col:
        st.subheader("Architecture: `model.summary()`")
        if records.summary:
            st.code(records.summary, language=None)
        else:
            st.warning("No summary.txt in the bundle.")
    with facts_col:
        st.subheader("This run")
        history, evaluation = records.history, records.evaluation
        if history:
            settings = history.get("settings", {})
            facts = st.columns(2)
            facts[0].metric("Epochs", settings.get("epochs", len(history["loss"])))
            facts[1].metric("Batch size", settings.get("batch_size", "?"))
            if "train_seconds" in history:
                facts[0].metric("Training time", f"{history['train_seconds']:.0f} s")
            if evaluation:
                facts[1].metric("Test accuracy", f"{evaluation['test_accuracy']:.2%}")
            st.caption(
                f"Optimizer RMSprop, loss categorical cross-entropy; augmentation "
                f"{'on' if settings.get('augment') else 'off'}; "
                f"{history.get('train_samples', 60000):,} training images; "
                f"validated on the 10,000 MNIST test images."
            )
    for problem in records.problems:
        st.warning(problem)
    if records.history:
        curves_ui(records.history)


def curves_ui(history: dict) -> None:
    st.subheader("Training curves")
    data = curves(history)
    epochs = pd.Index(data["epoch"], name="epoch")
    loss_col, accuracy_col = st.columns(2)
    for column, key, title in ((loss_col, "loss", "Loss"), (accuracy_col, "accuracy", "Accuracy")):
        with column:
            st.caption(f"{title} per epoch: training vs validation")
            frame = pd.DataFrame(
                {"training": data[key], "validation": data[f"val_{key}"]}, index=epochs
            )
            st.line_chart(frame, x_label="epoch", y_label=key, height=260)
    rising = overfitting_epoch(history)
    if rising:
        st.info(
            f"Validation loss is lowest after epoch {rising} and rises after it while training "
            "loss keeps falling: the network starts to memorise the training set (overfitting)."
        )
    else:
        st.caption("Validation loss was lowest after the last epoch: no sign of overfitting in this run.")


@st.cache_data(max_entries=8)
def weight_pictures(model_id: str, _classifier: Classifier):
    """First-layer units and per-digit templates as images (computed once per bundle)."""
    kernel = _classifier.weights[0][0]
    units, indices = insight.first_layer_images(kernel)
    grid = insight.tile(insight.diverging_rgb(units), columns=8, gap=2, zoom=3)
    templates = insight.tile(insight.diverging_rgb(insight.digit_templates(_classifier.weights)), columns=10, gap=4, zoom=3)
    summary = pd.DataFrame(insight.output_weight_summary(_classifier.weights[-1][0]))
    summary.index.name = "digit"
    return grid, indices, templates, summary


@st.cache_data(max_entries=8)
def missed_thumbnails(path: str, stamp: int, indices: tuple[int, ...]):
    """The misclassified digits' images: the bundle's thumbnails, else from the dataset, else None."""
    images = read_missed_images(path)
    if images is not None and len(images) == len(indices):
        return images
    try:
        _, (x_test, _) = load_mnist()
    except (FileNotFoundError, ValueError):
        return None
    return x_test[list(indices)]


def inside_view(path: Path, classifier: Classifier | None) -> None:
    st.header("Inside the model")
    records = load_records(str(path), bundle_stamp(path))
    if records.evaluation:
        evaluation_ui(path, records.evaluation)
    else:
        st.warning(
            "This bundle has no evaluation.json, so there is no test-set evaluation to show. "
            f"Train a bundle with `{TRAIN_COMMAND}` to get one."
        )
    st.divider()
    if classifier is None:
        st.info("No model is loaded: its weights cannot be shown.")
        return
    weights_ui(classifier)


def evaluation_ui(path: Path, evaluation: dict) -> None:
    st.subheader("How it does on the 10,000 MNIST test digits")
    matrix = np.array(evaluation["confusion_matrix"])
    total, right = int(matrix.sum()), int(np.trace(matrix))
    overall, worst = st.columns(2)
    overall.metric("Test accuracy", f"{evaluation['test_accuracy']:.2%}", f"{total - right} of {total:,} wrong", delta_color="off", delta_arrow="off")
    per_class = evaluation["per_class_accuracy"]
    weakest = int(np.argmin(per_class))
    worst.metric("Hardest digit", str(weakest), f"{per_class[weakest]:.2%} right", delta_color="off", delta_arrow="off")
    chart_col, bars_col = st.columns([3, 2], gap="large")
    with chart_col:
        st.caption("Confusion matrix: rows are the true digit, columns what the model said")
        cells = pd.DataFrame(
            [(t, p, int(matrix[t, p])) for t in range(10) for p in range(10)],
            columns=["true", "predicted", "count"],
        )
        base = alt.Chart(cells).encode(
            x=alt.X("predicted:O", title="predicted"), y=alt.Y("true:O", title="true")
        )
        heat = base.mark_rect().encode(
            color=alt.Color("count:Q", scale=alt.Scale(type="symlog", scheme="blues"), legend=None),
            tooltip=["true", "predicted", "count"],
        )
        labels = base.mark_text(fontSize=11).encode(
            text="count:Q",
            color=alt.condition(alt.datum.count > matrix.max() / 3, alt.value("white"), alt.value("#333")),
        )
        st.altair_chart((heat + labels).properties(height=380), width="stretch")
    with bars_col:
        st.caption("Accuracy per digit")
        bars = pd.DataFrame({"digit": range(10), "accuracy": per_class})
        floor = max(0.0, min(per_class) - 0.02)
        st.altair_chart(
            alt.Chart(bars)
            .mark_bar(clip=True)
            .encode(
                x=alt.X("digit:O", axis=alt.Axis(labelAngle=0)),
                y=alt.Y(
                    "accuracy:Q",
                    scale=alt.Scale(domain=[floor, 1.0]),
                    axis=alt.Axis(format=".1%", title=None),
                ),
                tooltip=["digit", alt.Tooltip("accuracy:Q", format=".2%")],
            )
            .properties(height=380),
            width="stretch",
        )
    gallery_ui(path, evaluation)


def gallery_ui(path: Path, evaluation: dict) -> None:
    st.subheader("The digits it got wrong")
    choices = ["any"] + list(range(10))
    true_col, predicted_col = st.columns(2)
    true = true_col.selectbox("True digit", choices, key="gallery_true")
    predicted = predicted_col.selectbox("Predicted digit", choices, key="gallery_predicted")
    found = insight.misses(evaluation, None if true == "any" else true, None if predicted == "any" else predicted)
    thumbnails = missed_thumbnails(str(path), bundle_stamp(path), tuple(m["index"] for m in evaluation["misclassified"]))
    st.caption(f"{len(found)} misclassified test digits match; showing up to 40.")
    if not found:
        return
    if thumbnails is None:
        st.info(
            "This bundle carries no thumbnails (misclassified.npz) and no MNIST copy was found "
            "(set MNIST_NPZ), so only the list is shown."
        )
        st.dataframe(pd.DataFrame([m for _, m in found]), hide_index=True)
        return
    columns = st.columns(8)
    for slot, (position, miss) in enumerate(found[:40]):
        with columns[slot % 8]:
            st.image(np.kron(thumbnails[position], np.ones((3, 3), dtype=np.uint8)), width=84)
            st.caption(f"#{miss['index']}: {miss['true']} → **{miss['predicted']}** ({miss['confidence']:.0%})")


def weights_ui(classifier: Classifier) -> None:
    st.subheader("What the first layer learned")
    grid, indices, templates, summary = weight_pictures(classifier.model_id, classifier)
    picture, text = st.columns([3, 2], gap="large")
    with picture:
        st.image(grid)
    with text:
        st.markdown(
            "Each square is one unit of the first hidden layer: its 784 weights "
            "(`model.get_weights()[0]`) laid out as a 28×28 image. **Red** pixels raise the "
            "unit's activation when ink is there, **blue** ones lower it. Shown: the 64 of 512 "
            "units with the strongest weights (each scaled to its own range)."
        )
        st.caption(f"Units shown: {', '.join(str(int(u)) for u in indices[:16])}, …")
    st.subheader("The output layer, per digit")
    st.image(templates)
    st.caption(
        "A linear sketch of where ink pushes each digit's output up (red) or down (blue) compared "
        "with the other digits: the three weight matrices multiplied through, ignoring the ReLUs. "
        "Digits 0–9, left to right."
    )
    st.dataframe(summary.style.format("{:.3f}", subset=["mean", "std", "max", "min"]), width="stretch")
    st.caption("The 512 weights into each digit's output unit: their mean, spread, extremes, and how many are positive.")


def drawings_view() -> None:
    st.header("Your drawings")
    store = FeedbackStore()
    try:
        drawings = store.drawings()
    except FeedbackError as error:
        st.error(str(error))
        return
    st.caption(f"Saved in {store.path} (set {FEEDBACK_ENV_VAR} to use another file).")
    if not drawings:
        st.info("No drawings saved yet. Draw a digit, then confirm or correct the answer.")
        return
    result = summary(drawings)
    count_col, accuracy_col, download_col = st.columns(3, vertical_alignment="bottom")
    count_col.metric("Drawings saved", result["count"])
    accuracy_col.metric("Model accuracy on them", f"{result['accuracy']:.1%}")
    if len(drawings) >= 2:
        download_col.download_button(
            "Download as .npz (mnist.npz layout)",
            lambda: export_npz(drawings),  # compressed only when someone clicks
            file_name="my_digits.npz",
            help="x_train/y_train and x_test/y_test (every 5th drawing); train on it with --data, or "
            "add it to MNIST with --extra (the Train tab can do that for you).",
        )
    confusion = pd.DataFrame(
        result["confusion_matrix"],
        index=pd.Index(range(10), name="true"),
        columns=pd.Index(range(10), name="predicted"),
    )
    st.caption("Confusion on your drawings: rows are the digit you meant, columns what the model said")
    st.dataframe(confusion, width="stretch")
    st.caption(f"The latest {min(40, len(drawings))} of {len(drawings)}:")
    columns = st.columns(8)
    for slot, drawing in enumerate(drawings[:40]):
        with columns[slot % 8]:
            st.image(np.kron(drawing.digit, np.ones((3, 3), dtype=np.uint8)), width=84)
            verdict = "✓" if drawing.label == drawing.predicted else f"model said {drawing.predicted}"
            st.caption(f"#{drawing.id}: a {drawing.label} ({verdict})")


PHASE_TEXT = {
    "starting": "Starting the training process (loading TensorFlow)…",
    "loading": "Loading MNIST…",
    "preparing": "Preparing the training images…",
    "evaluating": "Evaluating on the 10,000 MNIST test digits…",
    "saving": "Saving the model bundle…",
}


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


def history_rows(history: dict, model: str) -> list[dict]:
    """Per-epoch curves -> long rows (model, epoch, split, loss, accuracy) for a chart."""
    data = curves(history)
    return [
        {"model": model, "epoch": epoch, "split": split, "loss": loss, "accuracy": accuracy}
        for split, prefix in (("training", ""), ("validation", "val_"))
        for epoch, loss, accuracy in zip(data["epoch"], data[f"{prefix}loss"], data[f"{prefix}accuracy"])
    ]


def curve_charts(rows: list[dict], last_epoch: int, by_model: bool, height: int = 300) -> None:
    """Loss and accuracy per epoch, side by side: solid = validation, dashed = training."""
    frame = pd.DataFrame(rows)
    splits = alt.Scale(domain=["validation", "training"], range=[[1, 0], [5, 3]])
    if by_model:
        colour = alt.Color(
            "model:N", scale=alt.Scale(scheme="category10"), legend=alt.Legend(orient="bottom", title=None, labelLimit=400, columns=1)
        )
    else:
        colour = alt.Color(
            "split:N", scale=alt.Scale(domain=["validation", "training"], range=["#ff4b4b", "#1f77b4"]), legend=alt.Legend(orient="top", title=None)
        )
    for column, metric in zip(st.columns(2), ("loss", "accuracy")):
        chart = (
            alt.Chart(frame)
            .mark_line(point=True)
            .encode(
                x=alt.X("epoch:Q", scale=alt.Scale(domain=[1, max(2, last_epoch)]), axis=alt.Axis(tickMinStep=1)),
                y=alt.Y(f"{metric}:Q", scale=alt.Scale(zero=False)),
                color=colour,
                strokeDash=alt.StrokeDash("split:N", scale=splits, legend=None),
                detail="model:N",
                tooltip=["model", "epoch", "split", alt.Tooltip(f"{metric}:Q", format=".4f")],
            )
            .properties(height=height, title=metric.capitalize())
        )
        column.altair_chart(chart, width="stretch")


def data_source_text(options: argparse.Namespace) -> str:
    """Where a run will read MNIST from, without loading it."""
    if options.data:
        return f"`{options.data}` (the app's `--data` option)"
    if os.environ.get(MNIST_ENV_VAR):
        return f"`{os.environ[MNIST_ENV_VAR]}` (the `{MNIST_ENV_VAR}` variable)"
    if keras_cache_path().is_file():
        return "Keras' cached download of MNIST"
    return "Keras' loader, which downloads MNIST when you start (needs internet)"


def train_view(options: argparse.Namespace, runs: list[Run], committed: Path) -> None:
    st.header("Train the network yourself")
    st.markdown(
        "Train the same network (784 → 512 → 512 → 10, RMSprop, categorical cross-entropy) with "
        "your own settings, validated on the 10,000 MNIST test digits after every epoch. Runs are "
        "saved as model bundles; pick one to answer your drawings and compare its curves with the "
        "committed model's. The machine trains one run at a time, in the background: everyone "
        "keeps drawing meanwhile."
    )
    running = next((run for run in runs if run.active), None)
    settings_ui(options, running is not None)
    if running:
        live_run_ui(running.id)
    finished = st.session_state.pop("run_finished", None)  # seen ending by the live view
    mine = st.session_state.get("my_run")
    if mine and not (running and running.id == mine):  # this session's run ended: say how it went
        finished = st.session_state.pop("my_run")
    if finished:
        finished_ui(read_run(runs_dir() / finished))
    st.subheader("Runs")
    runs_ui(runs)
    compare_ui(runs, committed)


def settings_ui(options: argparse.Namespace, busy: bool) -> None:
    """The run's settings and the start button; starts a run when clicked."""
    left, right = st.columns(2, gap="large")
    epochs = left.slider("Epochs", 1, MAX_EPOCHS, 5, key="train_epochs")
    batch_size = left.select_slider("Batch size", BATCH_SIZES, 32, key="train_batch")
    images = right.selectbox("MNIST training images", list(TRAIN_IMAGE_CHOICES), key="train_images")
    augment = right.toggle(
        "Augment: shifted, rotated, thicker/thinner digits and pen-style copies",
        key="train_augment",
        help="Much better on drawings than plain MNIST, but it first spends about a minute (all "
        "60,000 images) retracing each digit with a pen, and each epoch has twice the images.",
    )
    try:
        drawings = FeedbackStore().drawings()
    except FeedbackError:
        drawings = []
    add_drawings = right.checkbox(
        f"Add your {len(drawings)} saved drawings (each repeated {EXTRA_REPEAT}×)",
        key="train_add_drawings",
        disabled=len(drawings) < 2,
        help="Every 5th one is held out and scored separately. Save drawings on the Draw tab first.",
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
        run = start_run(settings, data, extra_npz=export_npz(drawings) if add_drawings else None)
    except RunError as error:
        st.error(str(error))
        return
    st.session_state["my_run"] = run.id
    st.rerun()


@st.fragment(run_every=1.0)
def live_run_ui(run_id: str) -> None:
    """The run in progress, refreshed every second (only while the Train tab is open)."""
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
        if st.session_state.get("my_run") == run.id:
            if st.button("Cancel training", key="cancel_training"):
                cancel_run(run)
                st.toast("Cancelling: the run stops without saving anything.")
        else:
            st.caption("Started in another browser session; it can be cancelled there.")
        history = run.status.get("history", {})
        if history.get("val_loss"):
            curve_charts(history_rows(history, "this run"), run.status.get("epochs") or 1, by_model=False)
        else:
            st.caption("The loss and accuracy curves appear here after the first epoch.")


def finished_ui(run: Run | None) -> None:
    if run is None:
        return
    if run.usable:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.success(f"Run finished: {run.label}. Test accuracy {run.test_accuracy:.2%}.")
        right.button("Use it for my drawings", key="use_finished", on_click=use_model, args=(run.id,))
    elif run.state == "cancelled":
        st.warning(f"Run cancelled: {run.label}. Nothing was saved.")
    else:
        st.error(f"Run {run.state}: {run.status.get('message') or 'see its log below.'}")


def use_model(choice: str) -> None:
    st.session_state["active_model"] = choice
    compared = st.session_state.get("compare")
    if compared is not None and choice not in compared:  # show the chosen run's curves too
        st.session_state["compare"] = [*compared, choice]


def runs_ui(runs: list[Run]) -> None:
    if not runs:
        st.caption(f"No runs yet. They are kept in `{runs_dir()}` (set `{RUNS_ENV_VAR}` for another folder).")
        return
    table = pd.DataFrame(
        [
            {
                "run": run.label,
                "state": "in progress" if run.active else run.state,
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
        labels = {run.id: f"{run.label} ({run.state})" for run in runs}
        chosen = st.selectbox("Run", list(labels), format_func=labels.get, key="run_details")
        run = next(run for run in runs if run.id == chosen)
        if run.status.get("message"):
            st.write(run.status["message"])
        if run.usable:
            extra = (load_records(str(run.bundle), bundle_stamp(run.bundle)).history or {}).get("extra")
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
            "Use it for my drawings", key="use_run", disabled=not run.usable, on_click=use_model, args=(run.id,)
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
    if st.session_state.get("active_model") == run.id:
        st.session_state["active_model"] = COMMITTED


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
    names = {COMMITTED: "committed model", **{run.id: run.label for run in usable}}
    active = st.session_state.get("active_model", COMMITTED)
    default = [COMMITTED, active if active in names and active != COMMITTED else usable[0].id]
    # Runs deleted since (here or in another session) drop out of the comparison.
    kept = [key for key in st.session_state.get("compare", default) if key in names]
    st.session_state["compare"] = kept
    chosen = st.multiselect("Models", list(names), format_func=names.get, key="compare")
    bundles = {COMMITTED: committed, **{run.id: run.bundle for run in usable}}
    rows, last_epoch = [], 1
    for key in chosen:
        path = bundles[key]
        history = load_records(str(path), bundle_stamp(path)).history
        if history:
            rows += history_rows(history, names[key])
            last_epoch = max(last_epoch, len(history["loss"]))
    if rows:
        curve_charts(rows, last_epoch, by_model=True, height=440)
        st.caption(
            "Solid: validation (the 10,000 MNIST test digits); dashed: training. Hover for values. "
            "A model trained with augmentation sees harder, distorted digits in training, so its "
            "training curves sit below its validation curves."
        )


def chosen_model(runs: list[Run]) -> tuple[Path, str]:
    """The bundle answering this session's drawings, and how to name it."""
    choice = st.session_state.get("active_model", COMMITTED)
    if choice != COMMITTED:
        run = next((run for run in runs if run.id == choice and run.usable), None)
        if run:
            return run.bundle, f"your run {run.label} ({run.test_accuracy:.2%} on MNIST's test set)"
        st.session_state["active_model"] = COMMITTED
        st.warning("The run you chose is no longer available: back to the committed model.")
    return bundle_dir(), "the committed model"


def model_choice_ui(runs: list[Run]) -> None:
    """Which model answers this session's drawings: the committed one or a finished run."""
    usable = [run for run in runs if run.usable]
    if not usable:
        st.caption("Answering with the committed model. Train your own on the **Train** tab.")
        return
    labels = {COMMITTED: "the committed model", **{run.id: f"your run {run.label}" for run in usable}}
    st.selectbox(
        "Model answering your drawings (this browser session only)",
        list(labels),
        format_func=labels.get,
        key="active_model",
    )


def main() -> None:
    options, option_error = app_options()
    runs = list_runs()
    path, name = chosen_model(runs)
    classifier, load_error = None, None
    try:
        classifier = load_classifier(str(path), bundle_stamp(path))
    except (FileNotFoundError, ValueError) as error:
        load_error = str(error)
    intro_ui()
    if option_error:
        st.error(option_error)
    draw_tab, inside_tab, drawings_tab, train_tab = st.tabs(
        ["Draw", "Inside the model", "Your drawings", "Train"], key="tab", on_change="rerun"
    )
    with draw_tab:
        choosable = any(run.usable for run in runs)
        drawing_section(classifier, name + (" (choose another under “The model” below)" if choosable else ""))
        upload_section(classifier)
        st.divider()
        st.header("The model")
        model_choice_ui(runs)
        model_section(path, load_error)
    # The other tabs are built only while open: a stroke on the pad then reruns a lighter page.
    with inside_tab:
        if inside_tab.open:
            inside_view(path, classifier)
    with drawings_tab:
        if drawings_tab.open:
            drawings_view()
    with train_tab:
        if train_tab.open:
            train_view(options, runs, bundle_dir())


main()
