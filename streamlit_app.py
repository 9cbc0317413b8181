"""Draw a digit, and watch a neural network trained on MNIST read it.

    streamlit run streamlit_app.py

UI only: every computation comes from the `model` package.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_drawable_canvas import st_canvas

import altair as alt

from model import insight
from model.bundle import read_missed_images
from model.data import load_mnist
from model.feedback import FEEDBACK_ENV_VAR, FeedbackError, FeedbackStore, export_npz, summary
from model.constants import BUNDLE_ENV_VAR, DEFAULT_BUNDLE_DIR, TRAIN_COMMAND
from model.history import curves, overfitting_epoch, read_records
from model.inference import Classifier, Prediction
from model.upload import read_upload

PAD_SIZE = 280  # the drawing pad, in CSS pixels: 10x MNIST's 28
ZOOM = 8  # "what the model sees" is shown 8x, as blocks, never blurred

st.set_page_config(page_title="Draw a digit · MNIST MLP", page_icon="✏️", layout="wide")


def bundle_dir() -> Path:
    return Path(os.environ.get(BUNDLE_ENV_VAR) or DEFAULT_BUNDLE_DIR)


@st.cache_resource(show_spinner="Loading the model…")
def load_classifier(path: str) -> Classifier:
    classifier = Classifier.load(path)
    # Streamlit collects garbage after every rerun; with TensorFlow's thousands of modules loaded
    # a full collection costs ~100 ms. Freezing what exists now (once per process) avoids that.
    gc.freeze()
    return classifier


@st.cache_data
def load_records(path: str):
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
def drawing_section(classifier: Classifier | None) -> None:
    """Reruns alone on every stroke: the pad, the answer, the bars and the model's input."""
    pad, answer, seen = st.columns([1.05, 1.25, 1], gap="large")
    with pad:
        image, png = pad_ui()
        # Rendered on every run, drawing or not, so the switch keeps its state across a reset.
        show_hidden = st.toggle("Show the hidden layers for this drawing", key="show_hidden")
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
    st.header("The model")
    if load_error:
        st.error(f"{load_error}")
        st.markdown(f"Train a model bundle with:\n```\n{TRAIN_COMMAND} --out {path}\n```")
    records = load_records(str(path))
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
        st.caption("Validation loss fell every epoch: no sign of overfitting in this run.")


@st.cache_data
def weight_pictures(path: str, _classifier: Classifier):
    """First-layer units and per-digit templates as images (computed once per bundle)."""
    kernel = _classifier.weights[0][0]
    units, indices = insight.first_layer_images(kernel)
    grid = insight.tile(insight.diverging_rgb(units), columns=8, gap=2, zoom=3)
    templates = insight.tile(insight.diverging_rgb(insight.digit_templates(_classifier.weights)), columns=10, gap=4, zoom=3)
    summary = pd.DataFrame(insight.output_weight_summary(_classifier.weights[-1][0]))
    summary.index.name = "digit"
    return grid, indices, templates, summary


@st.cache_data
def missed_thumbnails(path: str, indices: tuple[int, ...]):
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
    records = load_records(str(path))
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
    weights_ui(path, classifier)


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
    thumbnails = missed_thumbnails(str(path), tuple(m["index"] for m in evaluation["misclassified"]))
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


def weights_ui(path: Path, classifier: Classifier) -> None:
    st.subheader("What the first layer learned")
    grid, indices, templates, summary = weight_pictures(str(path), classifier)
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
            export_npz(drawings),
            file_name="my_digits.npz",
            help="x_train/y_train and x_test/y_test (every 5th drawing); train on it with --data.",
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


def main() -> None:
    path = bundle_dir()
    classifier, load_error = None, None
    try:
        classifier = load_classifier(str(path))
    except (FileNotFoundError, ValueError) as error:
        load_error = str(error)
    intro_ui()
    draw_tab, inside_tab, drawings_tab = st.tabs(["Draw", "Inside the model", "Your drawings"])
    with draw_tab:
        drawing_section(classifier)
        upload_section(classifier)
        st.divider()
        model_section(path, load_error)
    with inside_tab:
        inside_view(path, classifier)
    with drawings_tab:
        drawings_view()


main()
