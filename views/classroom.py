"""Class (`/class`): a teacher starts a class and projects its board; pupils join it with a code or
a link, and every drawing they confirm or correct on Draw also goes to the class.

The board's address carries the teacher's secret (`?board=CODE&key=SECRET`): whoever has that
address sees the board; a pupil's join link (`?join=CODE`) never does.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np
import pandas as pd
import streamlit as st

from i18n import tr, tr_error
from model.classes import MIN_TRAINING_DIGITS, ClassStore, class_run_settings, normal_code, split_by_pupil
from model.constants import MODEL_FILE, NOT_A_DIGIT
from model.data import locate_mnist
from model.feedback import FeedbackError, export_npz, exportable, npz_of, summary
from model.runs import MAX_EPOCHS, RunError, cancel_run, read_run, start_run
from ui import context, state, widgets
from ui.context import Context
from ui.words import label_text, progress_text

BOARD_EVERY_S = 2  # the board shows new drawings within this many seconds
BOARD_SHOWN = 48  # drawings in the board's gallery
BOARD_ZOOM = 5  # the board's drawings at 140x140: seen from the back of a room
MISREADS_SHOWN = 12
QR_PIXELS = 300  # the join link's QR code: scannable from the back of a room when projected


def page_url(path: str, **query) -> str:
    """An address of this app as the browser sees it (relative when the browser's is unknown)."""
    seen = urlsplit(st.context.url or "")
    base = f"{seen.scheme}://{seen.netloc}" if seen.netloc else ""
    prefix = seen.path.rsplit("/", 1)[0] if seen.path.count("/") > 1 else ""
    return f"{base}{prefix}/{path}?{urlencode(query)}"


def qr_png(text: str) -> bytes:
    import segno  # only for the board

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=12, border=2)
    return buffer.getvalue()


# The teacher's board -------------------------------------------------------------------------------


def board_code(store: ClassStore) -> tuple[str, str] | None:
    """(code, secret) when this session may show a board: from the address, or kept from before."""
    code, secret = normal_code(st.query_params.get("board")), st.query_params.get("key")
    if code and store.is_teacher(code, secret):
        st.session_state[state.CLASS_BOARD] = (code, secret)
        return code, secret
    kept = st.session_state.get(state.CLASS_BOARD)
    if kept and store.is_teacher(*kept):
        st.query_params.update({"board": kept[0], "key": kept[1]})
        return kept
    st.session_state.pop(state.CLASS_BOARD, None)
    if st.query_params.get("board"):
        st.warning(
            tr("This board's link is not valid any more: the class has ended, or the link is incomplete.")
        )
    return None


def board_ui(ctx: Context, store: ClassStore, code: str, secret: str) -> None:
    """Projector first: how to join on the left (code, QR code, link), the live board on the right."""
    join = page_url("class", join=code)
    left, right = st.columns([1, 2.6], gap="large")
    with left:
        st.markdown(f'<div class="class-code">{tr("Class {code}", code=code)}</div>', unsafe_allow_html=True)
        st.image(qr_png(join), width=QR_PIXELS)
        st.markdown(
            tr(
                "**Pupils join** by scanning the code, opening this link, or typing the class code on "
                "the Class page:"
            )
        )
        st.code(join, language=None, wrap_lines=True)
        st.caption(
            tr(
                "Then they draw on the Draw page as usual. Each drawing they confirm or correct appears "
                "here within a few seconds, with the digit they meant and what the network answered."
            )
        )
        with st.expander(tr("This board's own link (keep it to yourself: it opens this board)")):
            st.code(page_url("class", board=code, key=secret), language=None, wrap_lines=True)
        delete_ui(store, code)
        end_ui(store, code)
    with right:
        live_board(store, code)
    st.divider()
    class_model_ui(ctx, store, code)


@st.fragment(run_every=BOARD_EVERY_S)
def live_board(store: ClassStore, code: str) -> None:
    """Reruns alone every BOARD_EVERY_S seconds: the drawings, newest first, and the lesson's numbers."""
    if not store.exists(code):
        st.info(tr("This class has ended."))
        return
    drawings = class_drawings(store, code)
    if drawings is None:
        return
    result = summary(drawings)
    count, right, download = st.columns(3, vertical_alignment="bottom")
    count.metric(tr("Drawings"), result["count"])
    right.metric(tr("Answered right"), "–" if result["accuracy"] is None else f"{result['accuracy']:.0%}")
    if len(exportable(drawings)) >= 2:
        download.download_button(
            tr("Download as .npz (mnist.npz layout)"),
            lambda: export_npz(drawings),  # compressed only when someone clicks
            file_name=f"class_{code}.npz",
            key="class_download",
            on_click="ignore",  # as on Your drawings: a rerun on the click could void the download
        )
    if not drawings:
        st.info(tr("No drawings yet. They appear here as soon as pupils save them."))
        return
    digit_col, right_col, names_col = st.columns(3, vertical_alignment="bottom")
    labels = {"all": tr("every drawing"), **{d: label_text(d) for d in range(NOT_A_DIGIT + 1)}}
    meant = digit_col.selectbox(
        tr("Show"), list(labels), format_func=labels.get, **state.kept(state.BOARD_DIGIT, "all")
    )
    outcomes = {"all": tr("right and wrong"), "right": tr("answered right"), "wrong": tr("answered wrong")}
    outcome = right_col.radio(
        tr("Answers"),
        list(outcomes),
        format_func=outcomes.get,
        horizontal=True,
        **state.kept(state.BOARD_OUTCOME, "all"),
    )
    hide = names_col.toggle(tr("Hide nicknames"), **state.kept(state.BOARD_HIDE_NAMES, False))
    shown = [
        d
        for d in drawings
        if (meant == "all" or d.label == meant)
        and (outcome == "all" or (d.label == d.predicted) == (outcome == "right"))
    ]
    st.subheader(tr("Newest first"))
    if not shown:
        st.caption(tr("No drawing matches these choices."))
    widgets.thumbnails_ui(
        [d.image for d in shown[:BOARD_SHOWN]],
        [board_caption(d, hide) for d in shown[:BOARD_SHOWN]],
        zoom=BOARD_ZOOM,
    )
    misreads_ui(drawings, hide)
    confusion_ui(result["confusion_matrix"])


def class_drawings(store: ClassStore, code: str):
    """The class's drawings, newest first; None (and the reason shown) when the store cannot say."""
    try:
        return store.drawings(code)
    except FeedbackError as error:
        st.error(tr_error(error))
        return None


def board_caption(drawing, hide: bool) -> str:
    who = "" if hide or not drawing.nickname else f"{drawing.nickname}: "
    if drawing.label == drawing.predicted:
        return who + tr("{label} ✓", label=label_text(drawing.label))
    return who + tr(
        "{label}, read as {answered} ✗",
        label=label_text(drawing.label),
        answered=label_text(drawing.predicted),
    )


def misreads_ui(drawings, hide: bool) -> None:
    """The class's drawings the network got wrong, the most confident mistakes first."""
    wrong = [d for d in drawings if d.label != d.predicted]
    st.subheader(tr("The model's misreads"))
    if not wrong:
        st.caption(tr("None yet: the network has read every drawing right."))
        return
    wrong.sort(key=lambda d: -max(d.probabilities or [0.0]))
    st.caption(
        tr(
            "{count} drawings read wrong, the most confident mistakes first: material for the lesson.",
            count=len(wrong),
        )
    )
    widgets.thumbnails_ui(
        [d.image for d in wrong[:MISREADS_SHOWN]],
        [board_caption(d, hide) + f" ({max(d.probabilities or [0.0]):.0%})" for d in wrong[:MISREADS_SHOWN]],
        zoom=BOARD_ZOOM,
    )


def confusion_ui(matrix: np.ndarray) -> None:
    with st.expander(tr("Confusion: what the pupils meant (rows) against what the app answered (columns)")):
        widgets.confusion_table(matrix)


def delete_ui(store: ClassStore, code: str) -> None:
    """Remove one drawing (a pupil's joke) from the class. Outside the live board, whose refreshes
    would close the list while the teacher picks; switching it on reads the newest drawings."""
    if not st.toggle(tr("Remove a drawing from the class"), key=state.BOARD_REMOVING):
        return
    drawings = class_drawings(store, code)
    if not drawings:
        return
    hide = state.choice(state.BOARD_HIDE_NAMES, False)
    labels = {d.id: f"#{d.id} · {board_caption(d, hide)}" for d in drawings}
    chosen = st.selectbox(
        tr("Drawing"),
        list(labels),
        format_func=labels.get,
        index=None,
        placeholder=tr("Pick one"),
        key="board_delete",
    )
    if chosen is not None and st.button(tr("Remove #{id} from the class", id=chosen), key="board_delete_go"):
        try:
            store.delete(code, chosen)
        except FeedbackError as error:
            st.error(tr_error(error))
            return
        st.session_state.pop("board_delete", None)
        st.rerun()


def end_ui(store: ClassStore, code: str) -> None:
    """End the class after a confirmation: its drawings are then gone."""
    if not st.session_state.get(state.CLASS_ENDING):
        st.button(
            tr("End the class…"),
            key="end_class",
            on_click=st.session_state.update,
            args=({state.CLASS_ENDING: True},),
        )
        return
    st.warning(
        tr(
            "End class {code}? Its drawings are removed from the board for good; each pupil keeps their own.",
            code=code,
        )
    )
    yes, no = st.columns(2)
    if yes.button(tr("Yes, end the class"), type="primary", key="end_class_confirmed"):
        try:
            store.end(code)
        except FeedbackError as error:
            st.error(tr_error(error))
            return
        for key in (state.CLASS_ENDING, state.CLASS_BOARD):
            st.session_state.pop(key, None)
        for key in ("board", "key"):
            st.query_params.pop(key, None)
        state.flash("class", tr("Class {code} has ended.", code=code))
        st.rerun()
    no.button(
        tr("Cancel"),
        key="end_class_cancelled",
        on_click=st.session_state.pop,
        args=(state.CLASS_ENDING, None),
    )


# The class's own model -----------------------------------------------------------------------------


def class_model_ui(ctx: Context, store: ClassStore, code: str) -> None:
    """Train the documented network on MNIST plus the class's drawings, compare it with the model
    answering the class on drawings kept aside (whole pupils) and on MNIST, and switch the class."""
    st.subheader(tr("The class's own model"))
    model_run, candidate = store.models(code)
    runs = {run.id: run for run in ctx.runs}
    current = runs.get(model_run) if model_run else None
    st.caption(
        tr("Your class is answered by its own model, trained on its drawings.")
        if current
        else tr("Your class is answered by the model that comes with the app.")
    )
    trained = runs.get(candidate) if candidate else None
    if trained is not None and trained.active:
        training_ui(trained, ctx.visitor)
        return
    drawings = class_drawings(store, code)
    if drawings is None:
        return
    train, aside = split_by_pupil(drawings)
    if trained is not None and trained.usable and trained.id != model_run:
        comparison_ui(store, code, current, trained, aside)
    elif current is not None and st.button(
        tr("Back to the model that comes with the app"), key="class_model_back"
    ):
        store.use_model(code, None)
        st.rerun()
    train_ui(ctx, store, code, current, train, aside)


def answering_bundle(current) -> Path:
    """The bundle of the model answering the class: its own run's, or the app's."""
    return current.bundle if current else context.committed_bundle()


def train_ui(ctx: Context, store: ClassStore, code: str, current, train: list, aside: list) -> None:
    """Start the class's model: `train` and `aside` are the class's drawings, split by pupil."""
    if len(train) + len(aside) < MIN_TRAINING_DIGITS or not train or not aside:
        st.caption(
            tr(
                "Once the class has saved {count} drawings of digits, train the network on them here.",
                count=MIN_TRAINING_DIGITS,
            )
        )
        return
    settings = class_run_settings(len(train), str(answering_bundle(current) / MODEL_FILE))
    st.caption(
        tr(
            "It starts from the model answering the class now and trains it further on MNIST and "
            "{train} of the class's drawings (each repeated {repeat}×, so that they count). It keeps "
            "{aside} drawings of other pupils aside to test on: a pupil's own style is not both taught "
            "and tested. It takes a few minutes.",
            train=len(train),
            repeat=settings.extra_repeat,
            aside=len(aside),
        )
    )
    epochs = st.slider(tr("Epochs"), 1, MAX_EPOCHS, settings.epochs, key="class_epochs")
    if not st.button(tr("Train on our drawings"), type="primary", key="class_train"):
        return
    try:
        data = locate_mnist(ctx.options.data)
        extra = npz_of(train, aside)
        run = start_run(replace(settings, epochs=epochs), data, extra_npz=extra, owner=ctx.visitor)
    except (FileNotFoundError, ValueError, RunError) as error:
        st.error(tr_error(error))
        return
    store.train_candidate(code, run.id)
    st.rerun()


@st.fragment(run_every=BOARD_EVERY_S)
def training_ui(run, visitor: str) -> None:
    """The run's progress, refreshed; the whole page when it has ended."""
    now = read_run(run.folder)
    if now is None or not now.active:
        st.rerun()
    st.progress(now.progress.fraction, text=progress_text(now.progress))
    if st.button(tr("Cancel the training"), key="class_cancel"):
        cancel_run(now, by=visitor)
        st.rerun()


def comparison_ui(store: ClassStore, code: str, current, trained, aside: list) -> None:
    """Old and new model side by side, on the kept-aside drawings and on MNIST's test set."""
    old_path = answering_bundle(current)
    old = context.load_classifier(str(old_path), context.bundle_stamp(old_path))
    new = context.load_classifier(str(trained.bundle), context.bundle_stamp(trained.bundle))
    images = np.stack([d.image / 255.0 for d in aside]).reshape(len(aside), -1) if aside else None
    labels = np.array([d.label for d in aside])
    old_read = old.predict_proba(images).argmax(axis=1) if aside else labels
    new_read = new.predict_proba(images).argmax(axis=1) if aside else labels
    old_mnist = (context.records_of(old_path).evaluation or {}).get("test_accuracy")
    new_mnist = trained.test_accuracy
    table = pd.DataFrame(
        {
            tr("model"): [tr("answering the class now"), tr("trained on our drawings")],
            tr("kept-aside drawings ({count})", count=len(aside)): [
                f"{np.mean(old_read == labels):.0%}",
                f"{np.mean(new_read == labels):.0%}",
            ],
            tr("MNIST test digits"): [
                "–" if old_mnist is None else f"{old_mnist:.2%}",
                "–" if new_mnist is None else f"{new_mnist:.2%}",
            ],
        }
    )
    st.table(table.set_index(tr("model")))
    fixed = [d for d, o, n in zip(aside, old_read, new_read) if o != d.label and n == d.label]
    if fixed:
        st.caption(tr("Kept-aside drawings the new model now reads right:"))
        widgets.thumbnails_ui([d.image for d in fixed], [label_text(d.label) for d in fixed], zoom=BOARD_ZOOM)
    if st.button(tr("Use the new model for the whole class"), type="primary", key="class_model_use"):
        store.use_model(code, trained.id)
        st.rerun()


# Pupils ---------------------------------------------------------------------------------------------


def join_from_link(ctx: Context, store: ClassStore) -> None:
    """`?join=CODE`: join that class and go drawing."""
    asked = st.query_params.get("join")
    if asked is None:
        return
    code = normal_code(asked)
    st.query_params.pop("join", None)
    if code and store.join(ctx.visitor, code):
        st.switch_page(ctx.pages["draw"])
    st.warning(tr("There is no class {code} (any more). Check the code with your teacher.", code=asked[:8]))


def pupil_ui(ctx: Context, store: ClassStore) -> None:
    member = ctx.member
    if member:
        st.success(tr("You are in class {code}. Your saved drawings also go to the class.", code=member.code))
        st.page_link(ctx.pages["draw"], label=tr("Draw"), icon="✏️")
        leave_button(ctx, store, "class_leave")
        return
    st.subheader(tr("Join a class"))
    with st.form("join_class", border=False):
        typed = st.text_input(tr("Class code"), max_chars=8, placeholder="ABCD", key="class_code_typed")
        nickname = st.text_input(
            tr("Nickname (optional; no real name needed)"), max_chars=20, key="class_nickname_typed"
        )
        joined = st.form_submit_button(tr("Join"), key="join_class_go")
    if joined:
        code = normal_code(typed)
        if code is None:
            st.error(tr("A class code is 4 letters and digits, such as ACDE."))
        elif not store.join(ctx.visitor, code, nickname):
            st.error(tr("There is no class {code} (any more). Check the code with your teacher.", code=code))
        else:
            st.switch_page(ctx.pages["draw"])


def leave_button(ctx: Context, store: ClassStore, key: str) -> None:
    if st.button(tr("Leave the class"), key=key):
        store.leave(ctx.visitor)
        st.rerun()


def start_ui(store: ClassStore) -> None:
    st.subheader(tr("Teach a class"))
    st.markdown(
        tr(
            "Start a class to get a code and a link for your pupils, and a board to project: their "
            "drawings appear on it live, with how often the network read them right and what it misread."
        )
    )
    if st.button(tr("Start a class"), type="primary", key="start_class"):
        code, secret = store.start()
        st.session_state[state.CLASS_BOARD] = (code, secret)
        st.query_params.update({"board": code, "key": secret})
        st.rerun()


def render(ctx: Context) -> None:
    st.title(tr("Class"))
    state.show_flash("class")
    store = ClassStore()
    try:
        board = board_code(store)
        if board:
            board_ui(ctx, store, *board)
            return
        join_from_link(ctx, store)
        pupil_ui(ctx, store)
        st.divider()
        start_ui(store)
    except FeedbackError as error:
        st.error(tr_error(error))
