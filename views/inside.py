"""Inside the model: how it does on the MNIST test set, the digits it misses, what its weights hold."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from i18n import tr, tr_error
from model import insight
from model.bundle import read_missed_images
from model.constants import EVALUATION_FILE
from model.data import MnistSource, load_mnist
from model.inference import Classifier
from ui import context, state, widgets
from ui.charts import UPRIGHT_Y_TITLE
from ui.context import Context


@st.cache_data(max_entries=8)
def weight_pictures(model_id: str, _classifier: Classifier):
    """First-layer units and per-digit templates as images (computed once per bundle)."""
    kernel = _classifier.weights[0][0]
    units, indices = insight.first_layer_images(kernel)
    grid = insight.tile(insight.diverging_rgb(units), columns=8, gap=2, zoom=3)
    templates = insight.diverging_rgb(insight.digit_templates(_classifier.weights))  # one per digit
    return grid, indices, templates


@st.cache_data(max_entries=8)
def missed_thumbnails(path: str, stamp: int, indices: tuple[int, ...], mnist: str | None):
    """The misclassified digits' images: the bundle's thumbnails, else from the MNIST file `mnist`
    (the app's locator found it on disk: never a download while the page renders), else None."""
    images = read_missed_images(path)
    if images is not None and len(images) == len(indices):
        return images
    if mnist is None:
        return None
    try:
        _, (x_test, _) = load_mnist(mnist)
    except (FileNotFoundError, ValueError):
        return None
    return x_test[list(indices)]


def evaluation_ui(path: Path, evaluation: dict) -> None:
    st.subheader(tr("How it does on the 10,000 MNIST test digits"))
    matrix = np.array(evaluation["confusion_matrix"])
    total, right = int(matrix.sum()), int(np.trace(matrix))
    overall, worst = st.columns(2)
    overall.metric(
        tr("Test accuracy"),
        f"{evaluation['test_accuracy']:.2%}",
        tr("{wrong} of {total} wrong", wrong=total - right, total=f"{total:,}"),
        delta_color="off",
        delta_arrow="off",
    )
    per_class = evaluation["per_class_accuracy"]
    weakest = int(np.argmin(per_class))
    worst.metric(
        tr("Hardest digit"),
        str(weakest),
        tr("{share} right", share=f"{per_class[weakest]:.2%}"),
        delta_color="off",
        delta_arrow="off",
    )
    chart_col, bars_col = st.columns([3, 2], gap="large")
    with chart_col:
        st.caption(tr("Confusion matrix: rows are the true digit, columns what the model said"))
        cells = pd.DataFrame(
            [(t, p, int(matrix[t, p])) for t in range(10) for p in range(10)],
            columns=["true", "predicted", "count"],
        )
        base = alt.Chart(cells).encode(
            x=alt.X("predicted:O", axis=alt.Axis(labelAngle=0), title=tr("predicted")),
            y=alt.Y("true:O", axis=alt.Axis(**UPRIGHT_Y_TITLE), title=tr("true")),
        )
        heat = base.mark_rect().encode(
            color=alt.Color("count:Q", scale=alt.Scale(type="symlog", scheme="blues"), legend=None),
            tooltip=[
                alt.Tooltip("true:O", title=tr("true")),
                alt.Tooltip("predicted:O", title=tr("predicted")),
                alt.Tooltip("count:Q", title=tr("count")),
            ],
        )
        labels = base.mark_text(fontSize=11).encode(
            text="count:Q",
            color=alt.condition(alt.datum.count > matrix.max() / 3, alt.value("white"), alt.value("#333")),
        )
        st.altair_chart((heat + labels).properties(height=380), width="stretch")
    with bars_col:
        # Counts from zero, not accuracy on an axis cut to fit: every digit is read about 99% right,
        # and an axis from 96.5% made small differences look large.
        st.caption(tr("Test digits it got wrong, per digit (out of about 1,000 of each)"))
        bars = pd.DataFrame(
            {
                "digit": range(10),
                "wrong": matrix.sum(axis=1) - np.diag(matrix),
                "total": matrix.sum(axis=1),
                "accuracy": per_class,
            }
        )
        base = alt.Chart(bars).encode(
            x=alt.X("digit:O", axis=alt.Axis(labelAngle=0), title=tr("digit")),
            y=alt.Y(
                "wrong:Q",
                scale=alt.Scale(zero=True),
                axis=alt.Axis(**UPRIGHT_Y_TITLE),
                title=tr("wrong"),
            ),
        )
        st.altair_chart(
            (
                base.mark_bar(color="#8a94a6").encode(
                    tooltip=[
                        alt.Tooltip("digit:O", title=tr("digit")),
                        alt.Tooltip("wrong:Q", title=tr("wrong")),
                        alt.Tooltip("total:Q", title=tr("test digits")),
                        alt.Tooltip("accuracy:Q", format=".2%", title=tr("accuracy")),
                    ]
                )
                + base.mark_text(dy=-8).encode(text="wrong:Q")
            ).properties(height=380),
            width="stretch",
        )


def gallery_ui(path: Path, evaluation: dict, mnist: MnistSource) -> None:
    st.subheader(tr("The digits it got wrong"))
    anything = tr("any")
    choices = [anything, *range(10)]
    for key in (state.GALLERY_TRUE, state.GALLERY_PREDICTED):
        if state.choice(key, anything) not in choices:  # "any" chosen in the other language
            state.choose(key, anything)
    true_col, predicted_col = st.columns(2)
    true = true_col.selectbox(tr("True digit"), choices, **state.kept(state.GALLERY_TRUE, anything))
    predicted = predicted_col.selectbox(
        tr("Predicted digit"), choices, **state.kept(state.GALLERY_PREDICTED, anything)
    )
    found = insight.misses(
        evaluation, None if true == anything else true, None if predicted == anything else predicted
    )
    thumbnails = missed_thumbnails(
        str(path),
        context.bundle_stamp(path),
        tuple(m["index"] for m in evaluation["misclassified"]),
        str(mnist.path) if mnist.local else None,
    )
    st.caption(tr("{count} misclassified test digits match; showing up to 40.", count=len(found)))
    if not found:
        return
    if thumbnails is None:
        st.info(
            tr(
                "This model keeps no pictures of the digits it got wrong, and this server has no copy of "
                "MNIST to take them from, so only the list is shown."
            )
        )
        rows = [
            {
                tr("test digit #"): miss["index"],
                tr("true"): miss["true"],
                tr("predicted"): miss["predicted"],
                tr("confidence"): f"{miss['confidence']:.1%}",
            }
            for _, miss in found
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True)
        return
    shown = found[:40]
    widgets.thumbnails_ui(
        [thumbnails[position] for position, _ in shown],
        [
            f"#{miss['index']}: {miss['true']} → {miss['predicted']} ({miss['confidence']:.0%})"
            for _, miss in shown
        ],
    )


def weights_ui(classifier: Classifier) -> None:
    st.subheader(tr("What the first layer learned"))
    grid, indices, templates = weight_pictures(classifier.model_id, classifier)
    picture, text = st.columns([3, 2], gap="large")
    with picture:
        st.image(grid)
    with text:
        st.markdown(
            tr(
                "Each square is one unit of the first hidden layer: its 784 weights "
                "(`model.get_weights()[0]`) laid out as a 28×28 image. **Red** pixels raise the "
                "unit's activation when ink is there, **blue** ones lower it. Shown: the 64 of 512 "
                "units with the strongest weights (each scaled to its own range)."
            )
        )
        st.caption(tr("Units shown: {units}, …", units=", ".join(str(int(u)) for u in indices[:16])))
    st.subheader(tr("The output layer, per digit"))
    widgets.thumbnails_ui(list(templates), [str(digit) for digit in range(10)], zoom=4)
    st.caption(
        tr(
            "A linear sketch of where ink pushes each digit's output up (red) or down (blue) compared "
            "with the other digits: the three weight matrices multiplied through, ignoring the ReLUs. "
            "Digits 0–9, left to right."
        )
    )


def render(ctx: Context) -> None:
    st.header(tr("Inside the model"))
    st.caption(tr("Showing {model}.", model=ctx.model_name))
    records = context.records_of(ctx.bundle)
    evaluation = records.evaluation
    damage = [problem for problem in records.problems if problem.values.get("name") == EVALUATION_FILE]
    if evaluation:
        evaluation_ui(ctx.bundle, evaluation)
        gallery_ui(ctx.bundle, evaluation, ctx.mnist)
    elif damage and "field" in damage[0].values:  # there, but damaged: say so, not that it is missing
        st.warning(tr_error(damage[0]))
    else:
        st.warning(tr("This model has no test-set evaluation (its evaluation.json is missing) to show."))
    st.divider()
    if ctx.classifier is None:
        st.info(tr("No model is loaded: its weights cannot be shown."))
    else:
        weights_ui(ctx.classifier)
