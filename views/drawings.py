"""Your drawings: what this app's users confirmed or corrected, and how the model does on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from model.feedback import FEEDBACK_ENV_VAR, FeedbackError, FeedbackStore, export_npz, summary


def summary_ui(drawings) -> None:
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
            "add it to MNIST with --extra (the Train page can do that for you).",
        )
    confusion = pd.DataFrame(
        result["confusion_matrix"],
        index=pd.Index(range(10), name="true"),
        columns=pd.Index(range(10), name="predicted"),
    )
    st.caption("Confusion on your drawings: rows are the digit you meant, columns what the model said")
    st.dataframe(confusion, width="stretch")


def gallery_ui(drawings) -> None:
    st.caption(f"The latest {min(40, len(drawings))} of {len(drawings)}:")
    columns = st.columns(8)
    for slot, drawing in enumerate(drawings[:40]):
        with columns[slot % 8]:
            st.image(np.kron(drawing.digit, np.ones((3, 3), dtype=np.uint8)), width=84)
            verdict = "✓" if drawing.label == drawing.predicted else f"model said {drawing.predicted}"
            st.caption(f"#{drawing.id}: a {drawing.label} ({verdict})")


st.header("Your drawings")
store = FeedbackStore()
try:
    drawings = store.drawings()
except FeedbackError as error:
    st.error(str(error))
    st.stop()
st.caption(f"Saved in {store.path} (set {FEEDBACK_ENV_VAR} to use another file).")
if not drawings:
    st.info("No drawings saved yet. Draw a digit on the Draw page, then confirm or correct the answer.")
    st.stop()
summary_ui(drawings)
gallery_ui(drawings)
