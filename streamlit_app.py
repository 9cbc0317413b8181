"""Draw a digit, and watch a neural network trained on MNIST read it.

    streamlit run streamlit_app.py

UI only: every computation comes from the `model` package.
"""

from __future__ import annotations

import gc
import html
import os
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from model.constants import BUNDLE_ENV_VAR, DEFAULT_BUNDLE_DIR, TRAIN_COMMAND
from model.history import curves, overfitting_epoch, read_records
from model.inference import Classifier, Prediction

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
    """The drawing pad and its brush control; returns the canvas RGBA array or None."""
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
    return result.image_data


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


def model_input_ui(prediction: Prediction) -> None:
    pixels = np.kron(prediction.image, np.ones((ZOOM, ZOOM), dtype=np.float32))
    st.subheader("What the model sees")
    st.image((pixels * 255).astype(np.uint8), width=28 * ZOOM)
    st.caption(
        "Your drawing as MNIST-style 28×28 input (shown 8× as blocks). The network reads it as "
        f"784 values in [0, 1]; {int((prediction.image > 0).sum())} of them are ink."
    )


@st.fragment
def drawing_section(classifier: Classifier | None) -> None:
    """Reruns alone on every stroke: the pad, the answer, the bars and the model's input."""
    pad, answer, seen = st.columns([1.05, 1.25, 1], gap="large")
    with pad:
        image = pad_ui()
    with answer:
        if classifier is None:
            st.info("No model is loaded, so drawings cannot be classified yet (see below).")
            return
        prediction = classifier.classify_canvas(image) if image is not None else None
        if prediction is None:
            st.metric("Prediction", "–", border=True)
            st.info("Draw a digit (0–9) on the black pad to see what the network thinks it is.")
            return
        st.metric(
            "Prediction",
            str(prediction.digit),
            f"{prediction.confidence:.1%} confidence",
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        probabilities_ui(prediction)
    with seen:
        model_input_ui(prediction)


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


def main() -> None:
    path = bundle_dir()
    classifier, load_error = None, None
    try:
        classifier = load_classifier(str(path))
    except (FileNotFoundError, ValueError) as error:
        load_error = str(error)
    intro_ui()
    drawing_section(classifier)
    st.divider()
    model_section(path, load_error)


main()
