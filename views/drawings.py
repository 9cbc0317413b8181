"""Your drawings: what this visitor confirmed or corrected, and how the model does on them."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from i18n import tr, tr_error
from model.feedback import FeedbackError, FeedbackStore, export_npz, exportable, summary
from ui import state, widgets
from ui.context import Context
from ui.words import label_text, local_time


def summary_ui(drawings) -> None:
    result = summary(drawings)
    digits = len(exportable(drawings))
    count_col, accuracy_col, download_col = st.columns(3, vertical_alignment="bottom")
    count_col.metric(tr("Drawings saved"), result["count"])
    accuracy_col.metric(tr("Answered right"), f"{result['accuracy']:.1%}")
    if digits >= 2:
        download_col.download_button(
            tr("Download as .npz (mnist.npz layout)"),
            lambda: export_npz(drawings),  # compressed only when someone clicks
            file_name="my_digits.npz",
            # No rerun on a click: a rerun replaces the button's deferred file, and a download
            # asked for just before that came to nothing (seen once in CI, under load).
            on_click="ignore",
            help=tr(
                "x_train/y_train and x_test/y_test (every 5th drawing); train on it with --data, or "
                "add it to MNIST with --extra (the Train page can do that for you)."
            ),
        )
    if digits < len(drawings):
        download_col.caption(
            tr(
                "The download holds your {digits} drawings of digits; the {others} marked “not a digit” "
                "are left out, as they have no digit to learn.",
                digits=digits,
                others=len(drawings) - digits,
            )
        )
    st.caption(
        tr(
            "Confusion on your drawings: rows are what you meant, columns what the app answered; "
            "“none” is “not a digit”."
        )
    )
    widgets.confusion_table(result["confusion_matrix"])


def caption(drawing) -> str:
    if drawing.label == drawing.predicted:
        return tr("#{id}: {label} (✓)", id=drawing.id, label=label_text(drawing.label))
    return tr(
        "#{id}: {label} (the app said {answered})",
        id=drawing.id,
        label=label_text(drawing.label),
        answered=label_text(drawing.predicted),
    )


def gallery_ui(drawings) -> None:
    st.caption(tr("The latest {shown} of {count}:", shown=min(40, len(drawings)), count=len(drawings)))
    shown = drawings[:40]
    widgets.thumbnails_ui([drawing.image for drawing in shown], [caption(d) for d in shown])


def saved_when(created: str) -> str:
    """A drawing's ISO time of saving, on the visitor's clock (as it was stored, if unreadable)."""
    try:
        return local_time(datetime.fromisoformat(created))
    except ValueError:
        return created[:16].replace("T", " ")


def delete_ui(store: FeedbackStore, drawings) -> None:
    """Remove one drawing saved by mistake, after a confirmation."""
    with st.expander(tr("Delete a drawing saved by mistake")):
        labels = {
            d.id: tr(
                "#{id}: {label}, saved {when}",
                id=d.id,
                label=label_text(d.label),
                when=saved_when(d.created),
            )
            for d in drawings
        }
        chosen = st.selectbox(
            tr("Drawing"),
            list(labels),
            format_func=labels.get,
            index=None,
            placeholder=tr("Pick one"),
            key=state.DELETE_CHOICE,
        )
        if chosen is None:
            return
        if st.session_state.get(state.DELETE_PENDING) != chosen:
            st.button(
                tr("Delete drawing #{id}…", id=chosen),
                key="delete_drawing",
                on_click=st.session_state.update,
                args=({state.DELETE_PENDING: chosen},),
            )
            return
        st.warning(tr("Delete drawing #{id} for good? Its image and label are removed.", id=chosen))
        yes, no = st.columns(2)
        yes.button(
            tr("Yes, delete #{id}", id=chosen),
            type="primary",
            key="delete_confirmed",
            on_click=delete_drawing,
            args=(store, chosen),
        )
        no.button(
            tr("Cancel"),
            key="delete_cancelled",
            on_click=st.session_state.pop,
            args=(state.DELETE_PENDING, None),
        )


def delete_drawing(store: FeedbackStore, drawing_id: int) -> None:
    for key in (state.DELETE_PENDING, state.DELETE_CHOICE):
        st.session_state.pop(key, None)
    try:
        store.delete(drawing_id)
    except FeedbackError as error:
        state.flash("drawings", tr_error(error), "error")
        return
    state.flash("drawings", tr("Drawing #{id} was deleted.", id=drawing_id))


def render(ctx: Context) -> None:
    st.header(tr("Your drawings"))
    state.show_flash("drawings")
    store = FeedbackStore(owner=ctx.visitor)
    try:
        drawings, damaged = store.read()
    except FeedbackError as error:
        st.error(tr_error(error))
        return
    if damaged:
        st.warning(
            tr(
                "{count} saved drawings are damaged (changed by another program) and are left out.",
                count=len(damaged),
            )
        )
    st.caption(
        tr(
            "Only you see these: they are kept on this server for this browser, and nobody else can see, "
            "download, delete or train on them."
        )
    )
    if not drawings:
        st.info(
            tr("No drawings saved yet. Draw a digit on the Draw page, then confirm or correct the answer.")
        )
        return
    summary_ui(drawings)
    gallery_ui(drawings)
    delete_ui(store, drawings)
