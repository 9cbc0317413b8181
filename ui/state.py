"""What a browser session keeps between reruns: every session key, named once, and kept choices.

Streamlit forgets a widget's value once a page without that widget runs. A choice that must
outlive a page switch (the brush, the model, the filters) is kept under a key no widget owns and
handed back to its widget on every run (Streamlit's documented way): `kept()`, `choice()`,
`choose()`. A message meant for the next rerun (a saved drawing, a deleted run) goes through
`flash()` and appears where `show_flash()` is called.
"""

from __future__ import annotations

import streamlit as st

KEPT = "kept:"  # prefix of the session keys holding widget values that outlive a page switch

# Kept choices (widget keys; their values live under KEPT + key)
BRUSH = "brush"
SHOW_HIDDEN = "show_hidden"
SHOW_CURVES = "show_curves"  # the Draw page's training curves (drawn on request)
ACTIVE_MODEL = "active_model"  # the run answering this session, or context.COMMITTED
COMPARE = "compare"  # models whose curves the Train page compares
GALLERY_TRUE, GALLERY_PREDICTED = "gallery_true", "gallery_predicted"
TRAIN_EPOCHS, TRAIN_BATCH, TRAIN_IMAGES = "train_epochs", "train_batch", "train_images"
TRAIN_AUGMENT, TRAIN_ADD_DRAWINGS = "train_augment", "train_add_drawings"
TRAIN_OUTLIERS = "train_outliers"
TRAIN_WRITTEN = "train_written"
CLASS_BOARD = "class_board"  # (code, secret) of the class whose board this session shows
CLASS_ENDING = "class_ending"  # the teacher asked to end the class: confirm first
BOARD_DIGIT, BOARD_OUTCOME, BOARD_HIDE_NAMES = "board_digit", "board_outcome", "board_hide_names"
BOARD_REMOVING = "board_removing"  # the board's "remove a drawing" switch

# Session state
VISITOR_SECRET = "visitor_secret"  # the secret this browser's cookie holds (ui/visitor.py)
VISITOR_NEW = "visitor_new"  # True while the browser may not have stored it yet
LAST_CANVAS = "last_drawing"  # the last canvas either pad sent: kept across page switches
LAST_CANVAS_FROM = "last_drawing_from"  # which pad sent it: "draw" or "flow"
FLASH = "flash:"  # prefix: a message for the next rerun of one place on a page
WATCHED_RUN = "watched_run"  # the visitor's run this session saw training, until it has said how it ended
DELETE_CHOICE, DELETE_PENDING = "delete_choice", "delete_pending"  # Your drawings' delete
FLOW_TEST_INDEX = "flow_test_index"  # the MNIST test digit the flow page follows
FLOW_PAD_SEEN = "flow_pad_seen"  # the flow pad's last drawing, hashed
FLOW_LEARNED = "flow_learned"  # (base model id, image key, label, copy after the training steps)
FLOW_STEPS = "flow_steps"  # training steps taken on that copy
FLOW_LABEL = "flow_label_"  # prefix: the true digit picked for one image


def kept(key: str, default=None) -> dict:
    """Keyword arguments for a widget whose value must outlive a page switch."""
    store = KEPT + key
    if store not in st.session_state:
        st.session_state[store] = default
    st.session_state[key] = st.session_state[store]
    return {"key": key, "on_change": _keep, "args": (key,)}


def _keep(key: str) -> None:
    st.session_state[KEPT + key] = st.session_state[key]


def choice(key: str, default=None):
    """The kept value of a widget, also on pages that do not draw it."""
    return st.session_state.get(KEPT + key, default)


def choose(key: str, value) -> None:
    """Set a kept widget value; the widget shows it the next time it is drawn."""
    st.session_state[KEPT + key] = value


def flash(where: str, text: str, kind: str = "success") -> None:
    """Show `text` (success, info, warning or error) at `show_flash(where)` on the next rerun."""
    st.session_state[FLASH + where] = (kind, text)


def show_flash(where: str) -> None:
    """The message `flash()` left for this place, once."""
    message = st.session_state.pop(FLASH + where, None)
    if message:
        kind, text = message
        getattr(st, kind)(text)
