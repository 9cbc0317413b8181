"""Inside the model: how it does on the MNIST test set, the digits it misses, what its weights hold."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import ui
from model import insight
from model.bundle import read_missed_images
from model.constants import TRAIN_COMMAND
from model.data import load_mnist
from model.inference import Classifier


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


def gallery_ui(path: Path, evaluation: dict) -> None:
    st.subheader("The digits it got wrong")
    choices = ["any"] + list(range(10))
    true_col, predicted_col = st.columns(2)
    true = true_col.selectbox("True digit", choices, **ui.kept("gallery_true", "any"))
    predicted = predicted_col.selectbox("Predicted digit", choices, **ui.kept("gallery_predicted", "any"))
    found = insight.misses(evaluation, None if true == "any" else true, None if predicted == "any" else predicted)
    thumbnails = missed_thumbnails(str(path), ui.bundle_stamp(path), tuple(m["index"] for m in evaluation["misclassified"]))
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
    shown = found[:40]
    ui.thumbnails_ui(
        [thumbnails[position] for position, _ in shown],
        [f"#{miss['index']}: {miss['true']} → {miss['predicted']} ({miss['confidence']:.0%})" for _, miss in shown],
    )


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


shared = ui.shared()
st.header("Inside the model")
st.caption(f"Showing {shared.model_name}.")
evaluation = ui.records_of(shared.bundle).evaluation
if evaluation:
    evaluation_ui(shared.bundle, evaluation)
    gallery_ui(shared.bundle, evaluation)
else:
    st.warning(
        "This bundle has no evaluation.json, so there is no test-set evaluation to show. "
        f"Train a bundle with `{TRAIN_COMMAND}` to get one."
    )
st.divider()
if shared.classifier is None:
    st.info("No model is loaded: its weights cannot be shown.")
else:
    weights_ui(shared.classifier)
