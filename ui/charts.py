"""Training curves: loss and accuracy per epoch, one model's or several side by side."""

from __future__ import annotations

import streamlit as st

from i18n import tr
from model.history import curves

# A y axis's title written level, above the axis (Vega-Lite axis properties): Hangul turned on its
# side is hard to read, and a title beside the axis would take a phone's narrow chart's width.
UPRIGHT_Y_TITLE = {
    "titleAngle": 0,
    "titleAnchor": "end",
    "titleAlign": "left",
    "titleBaseline": "bottom",
    "titleY": -10,
}


def history_rows(history: dict, model: str) -> list[dict]:
    """Per-epoch curves -> long rows (model, epoch, split, loss, accuracy) for a chart."""
    data = curves(history)
    return [
        {"model": model, "epoch": epoch, "split": split, "loss": loss, "accuracy": accuracy}
        for split, prefix in ((tr("training"), ""), (tr("validation"), "val_"))
        for epoch, loss, accuracy in zip(data["epoch"], data[f"{prefix}loss"], data[f"{prefix}accuracy"])
    ]


def curve_charts(rows: list[dict], last_epoch: int, by_model: bool, height: int = 300) -> None:
    """Loss and accuracy per epoch, side by side: solid = validation, dashed = training."""
    # Imported when a chart is first drawn: on a fresh server the pad, above the charts, is sent
    # about half a second sooner (benchmarks/startup.py).
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame(rows)
    names = [tr("validation"), tr("training")]
    splits = alt.Scale(domain=names, range=[[1, 0], [5, 3]])
    if by_model:
        colour = alt.Color(
            "model:N",
            scale=alt.Scale(scheme="category10"),
            legend=alt.Legend(orient="bottom", title=None, labelLimit=400, columns=1),
        )
    else:
        colour = alt.Color(
            "split:N",
            scale=alt.Scale(domain=names, range=["#ff4b4b", "#1f77b4"]),
            legend=alt.Legend(orient="bottom", title=None),
        )
    titles = {"loss": (tr("Loss"), tr("loss")), "accuracy": (tr("Accuracy"), tr("accuracy"))}
    for column, metric in zip(st.columns(2), ("loss", "accuracy")):
        chart = (
            alt.Chart(frame)
            .mark_line(point=True)
            .encode(
                x=alt.X(
                    "epoch:Q",
                    scale=alt.Scale(domain=[1, max(2, last_epoch)]),
                    axis=alt.Axis(tickMinStep=1),
                    title=tr("epoch"),
                ),
                y=alt.Y(
                    f"{metric}:Q",
                    scale=alt.Scale(zero=False),
                    axis=alt.Axis(**UPRIGHT_Y_TITLE),
                    title=titles[metric][1],
                ),
                color=colour,
                strokeDash=alt.StrokeDash("split:N", scale=splits, legend=None),
                detail="model:N",
                tooltip=[
                    alt.Tooltip("model:N", title=tr("model")),
                    alt.Tooltip("epoch:Q", title=tr("epoch")),
                    alt.Tooltip("split:N", title=tr("data")),
                    alt.Tooltip(f"{metric}:Q", format=".4f", title=titles[metric][1]),
                ],
            )
            # The height is the plot's own: fitted to the page's width only, a legend and axis
            # titles no longer squeeze the curves flat (they were about 60 px tall).
            .properties(
                height=height,
                title=titles[metric][0],
                autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
            )
        )
        column.altair_chart(chart, width="stretch")
    if last_epoch == 1:
        st.caption(tr("One epoch: each curve is a single point. Train for more epochs to see the curves."))


def augmentation_note(augmented: bool) -> None:
    """Why the validation curves beat the training ones, where they do."""
    if augmented:
        st.caption(
            tr(
                "Why is validation better than training here? A model trained with augmentation sees "
                "harder, distorted digits in training, so its training curves look worse than its "
                "validation curves (lower accuracy, higher loss)."
            )
        )
