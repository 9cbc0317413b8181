"""What several pages draw or need: the session's model, the pad, the answer, the curves.

UI only: every computation comes from the `model` package. Pages import this module, never each
other; `streamlit_app.py` calls `prepare()` once per rerun, before the page runs.
"""

from __future__ import annotations

import argparse
import base64
import gc
import html
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from i18n import tr, tr_error
from model.constants import BUNDLE_ENV_VAR, DEFAULT_BUNDLE_DIR, MODEL_FILE
from model.history import curves, read_records
from model.inference import Classifier, Prediction
from model.runs import Run, list_runs

PAD_SIZE = 280  # the drawing pad, in CSS pixels: 10x MNIST's 28
ZOOM = 8  # "what the model sees" is shown 8x, as blocks, never blurred
BRUSH_WIDTH = 18  # the pad's default brush: a pen stroke about MNIST's on the 20x20 box
THUMB_ZOOM = 3  # gallery thumbnails: 28x28 digits shown at 84x84
COMMITTED = "committed"  # the model choice meaning the bundle the app started with
ENTRY_SCRIPT = "streamlit_app.py"
KEPT = "kept:"  # prefix of the session keys holding widget values that outlive a page switch
# The canvas package's toolbar is an invisible overlay at the pad's top right until the pointer
# has hovered there for a moment: a stroke started there is lost, and when it shows it covers
# what is above the pad. The pad renders in a shadow root that page CSS cannot reach, so this
# script adds a rule there: the toolbar sits below the pad, always visible, never over it.
PAD_TOOLBAR_FIX = """
<script>
(() => {
  if (window.__padToolbarFix) return;
  window.__padToolbarFix = true;
  const RULE = `.dc-toolbar { position: static !important; opacity: 1 !important; transition: none !important;
                              padding: .25rem 0 0 0 !important; justify-content: flex-start !important; }`;
  const patch = (root) => {
    if (!root.querySelector('.dc-toolbar') || root.querySelector('style[data-pad-fix]')) return;
    const style = document.createElement('style');
    style.dataset.padFix = '1';
    style.textContent = RULE;
    root.appendChild(style);
  };
  // Changes inside a shadow root are invisible to an observer of the page: watch each root too.
  const watch = (host) => {
    const root = host.shadowRoot;
    if (!root || root.__padFixWatched) return;
    root.__padFixWatched = true;
    new MutationObserver(() => patch(root)).observe(root, {childList: true, subtree: true});
    patch(root);
  };
  const scan = () => document.querySelectorAll('[data-testid="stBidiComponentIsolated"]').forEach(watch);
  new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  scan();
})();
</script>
"""
# Page-wide CSS for phones: titles on one line, so the pad and its answer come sooner; the
# model.summary() table is 64 characters wide, and a smaller font fits it, Param # column
# included, instead of hiding the right of it behind a scroll.
PAGE_STYLE = """
<style>
@media (max-width: 640px) {
  h1 { font-size: 2rem !important; }
  .st-key-summary pre, .st-key-summary code { font-size: 0.5rem !important; }
  .st-key-summary pre { padding: 0.5rem !important; }
}
</style>
"""
LAST_DRAWING = "last_drawing"  # session key: the pad's last drawing, for whichever page shows it


@dataclass(frozen=True)
class Shared:
    """What every page of one rerun shares: options, runs, and the model answering this session."""

    options: argparse.Namespace
    runs: list[Run]
    bundle: Path  # the bundle answering this session's drawings
    model_name: str  # how the page names it
    classifier: Classifier | None
    load_error: Exception | None


def kept(key: str, default=None) -> dict:
    """Keyword arguments for a widget whose value must outlive a page switch.

    Streamlit forgets a widget's value once a page without it runs; the value is kept under a
    key no widget owns and handed back to the widget on every run (Streamlit's documented way).
    """
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


def prepare() -> Shared:
    """Read the options, the runs and this session's model; report problems at the top of the page."""
    st.html(PAGE_STYLE)
    # Once per page load, not per stroke: the script watches the page for pads from then on.
    st.html(PAD_TOOLBAR_FIX, unsafe_allow_javascript=True)
    options, option_error = app_options()
    if option_error:
        st.error(option_error)
    runs = list_runs()
    path, name = chosen_model(runs)
    classifier, load_error = None, None
    try:
        classifier = load_classifier(str(path), bundle_stamp(path))
    except (FileNotFoundError, ValueError) as error:
        load_error = error
    shared = Shared(options, runs, path, name, classifier, load_error)
    st.session_state["_shared"] = shared
    return shared


def shared() -> Shared:
    """What `prepare()` found in this rerun."""
    return st.session_state["_shared"]


def committed_bundle() -> Path:
    return Path(os.environ.get(BUNDLE_ENV_VAR) or DEFAULT_BUNDLE_DIR)


def app_options() -> tuple[argparse.Namespace, str | None]:
    """Options after `streamlit run streamlit_app.py --`: (options, error message or None)."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--data", type=Path, default=None)
    usage = "`streamlit run streamlit_app.py -- [--data path/to/mnist.npz]`"
    launched = Path(sys.argv[0]).name == ENTRY_SCRIPT  # not when a test harness runs the page
    try:
        options, unknown = parser.parse_known_args(sys.argv[1:] if launched else [])
    except argparse.ArgumentError as error:
        return parser.parse_args([]), tr("Command-line option ignored: {error}. Usage: {usage}", error=error, usage=usage)
    if unknown:
        return options, tr(
            "Unknown command-line options ignored: `{options}`. Usage: {usage}", options=" ".join(unknown), usage=usage
        )
    return options, None


def bundle_stamp(path: Path) -> int:
    """Changes when the bundle's model file is replaced: part of every cache key for a bundle."""
    try:
        return (path / MODEL_FILE).stat().st_mtime_ns
    except OSError:
        return 0


@st.cache_resource(show_spinner=False, max_entries=8)
def load_classifier(path: str, stamp: int) -> Classifier:
    classifier = Classifier.load(path)
    # Streamlit collects garbage after every rerun; with TensorFlow's thousands of modules loaded
    # a full collection costs ~100 ms. Freezing what exists now (once per process) avoids that.
    gc.freeze()
    return classifier


@st.cache_data(max_entries=32)
def load_records(path: str, stamp: int):
    return read_records(path)


def records_of(path: Path):
    """A bundle's history, summary and evaluation, cached until its model file changes."""
    return load_records(str(path), bundle_stamp(path))


def chosen_model(runs: list[Run]) -> tuple[Path, str]:
    """The bundle answering this session's drawings, and how to name it."""
    chosen = choice("active_model", COMMITTED)
    if chosen != COMMITTED:
        run = next((run for run in runs if run.id == chosen and run.usable), None)
        if run:
            return run.bundle, tr(
                "your run {run} ({accuracy} on MNIST's test set)", run=run_label(run), accuracy=f"{run.test_accuracy:.2%}"
            )
        choose("active_model", COMMITTED)
        st.warning(tr("The run you chose is no longer available: back to the committed model."))
    return committed_bundle(), tr("the committed model")


def run_label(run: Run) -> str:
    """A run's short name for lists, in the session's language: when, and the main settings."""
    when = run.info.get("created", run.id)[:16].replace("T", " ")
    settings = run.settings
    epochs = settings.get("epochs")
    parts = [tr("1 epoch") if epochs == 1 else tr("{epochs} epochs", epochs=epochs), tr("batch {size}", size=settings.get("batch_size"))]
    if settings.get("augment"):
        parts.append(tr("augmented"))
    if settings.get("limit"):
        parts.append(tr("{images} images", images=f"{settings['limit']:,}"))
    if settings.get("extra"):
        parts.append(tr("+ your drawings"))
    return f"{when} UTC · {', '.join(parts)}"


def state_text(run: Run) -> str:
    """A run's state in words, the same wherever a run is shown."""
    words = {
        "in progress": tr("in progress"),
        "done": tr("done"),
        "failed": tr("failed"),
        "cancelled": tr("cancelled"),
        "interrupted": tr("interrupted"),
    }
    return words.get(run.state_text, run.state_text)


def use_model(chosen: str) -> None:
    """Make a run (or COMMITTED) answer this session's drawings; its curves join the comparison."""
    choose("active_model", chosen)
    compared = choice("compare")
    if compared is not None and chosen not in compared:
        choose("compare", [*compared, chosen])


# The drawing pad and the answer ------------------------------------------------------------------


def pad_ui():
    """The drawing pad and its brush control; returns the canvas as an RGBA array and as PNG.

    The last drawing is kept in the session (LAST_DRAWING) for the pages that trace it.
    """
    result = st_canvas(
        stroke_width=choice("brush", BRUSH_WIDTH),  # set by brush_ui's slider, drawn after the pad
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=PAD_SIZE,
        width=PAD_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        update_streamlit=True,
        key="pad",
    )
    image = result.image_data
    if image is not None:
        st.session_state[LAST_DRAWING] = image
    return image, result.image_bytes


def brush_ui() -> None:
    """The pad's brush width (drawn after the pad; the pad reads the kept value)."""
    st.slider(tr("Brush width"), min_value=6, max_value=40, **kept("brush", BRUSH_WIDTH))
    st.caption(tr("Draw with the mouse or a finger. The buttons below the pad undo, redo and clear it."))


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
        f'<div class="probabilities" aria-label="{html.escape(tr("Probability of each digit"))}">{"".join(rows)}</div>',
        unsafe_allow_html=True,
    )


def model_input_ui(prediction: Prediction, source: str) -> None:
    """The 28x28 image the network read, shown 8x as blocks."""
    pixels = np.kron(prediction.image, np.ones((ZOOM, ZOOM), dtype=np.float32))
    st.subheader(tr("What the model sees"))
    st.image((pixels * 255).astype(np.uint8), width=28 * ZOOM)
    st.caption(
        tr(
            "{source} as MNIST-style 28×28 input (shown 8× as blocks). The network reads it as 784 "
            "values in [0, 1]; {ink} of them are ink.",
            source=source,
            ink=int((prediction.image > 0).sum()),
        )
    )


def answer_ui(prediction: Prediction, label: str, source: str, answer, seen) -> None:
    """The digit and its confidence, the ten bars, and the 28x28 input, in two columns."""
    doubt = prediction.doubt
    with answer:
        st.metric(
            label,
            f"{prediction.digit}?" if doubt else str(prediction.digit),
            tr("{confidence} confidence, doubtful", confidence=f"{prediction.confidence:.1%}")
            if doubt
            else tr("{confidence} confidence", confidence=f"{prediction.confidence:.1%}"),
            delta_color="off",
            delta_arrow="off",
            border=True,
        )
        if doubt:
            st.warning(tr("Maybe not a digit. {why}", why=tr_error(doubt)))
        probabilities_ui(prediction)
    with seen:
        model_input_ui(prediction, source)


# Training curves ---------------------------------------------------------------------------------


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
    frame = pd.DataFrame(rows)
    names = [tr("validation"), tr("training")]
    splits = alt.Scale(domain=names, range=[[1, 0], [5, 3]])
    if by_model:
        colour = alt.Color(
            "model:N", scale=alt.Scale(scheme="category10"), legend=alt.Legend(orient="bottom", title=None, labelLimit=400, columns=1)
        )
    else:
        colour = alt.Color(
            "split:N", scale=alt.Scale(domain=names, range=["#ff4b4b", "#1f77b4"]), legend=alt.Legend(orient="top", title=None)
        )
    titles = {"loss": (tr("Loss"), tr("loss")), "accuracy": (tr("Accuracy"), tr("accuracy"))}
    for column, metric in zip(st.columns(2), ("loss", "accuracy")):
        chart = (
            alt.Chart(frame)
            .mark_line(point=True)
            .encode(
                x=alt.X("epoch:Q", scale=alt.Scale(domain=[1, max(2, last_epoch)]), axis=alt.Axis(tickMinStep=1), title=tr("epoch")),
                y=alt.Y(f"{metric}:Q", scale=alt.Scale(zero=False), title=titles[metric][1]),
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
            .properties(height=height, title=titles[metric][0])
        )
        column.altair_chart(chart, width="stretch")


# Galleries ---------------------------------------------------------------------------------------


def thumbnails_ui(images, captions: list[str]) -> None:
    """28x28 uint8 digits with a caption each, as a grid that keeps its order and wraps to the screen.

    One HTML grid rather than Streamlit columns: columns stack one under the other on a phone,
    turning 40 thumbnails into 40 rows, column by column.
    """
    side = 28 * THUMB_ZOOM
    cells = []
    for image, caption in zip(images, captions):
        png = io.BytesIO()
        Image.fromarray(np.kron(np.asarray(image, dtype=np.uint8), np.ones((THUMB_ZOOM, THUMB_ZOOM), dtype=np.uint8))).save(png, "PNG")
        source = base64.b64encode(png.getvalue()).decode("ascii")
        cells.append(
            f'<figure style="margin:0;text-align:center"><img src="data:image/png;base64,{source}" '
            f'width="{side}" height="{side}" alt="{html.escape(caption)}" style="image-rendering:pixelated">'
            f'<figcaption style="font-size:.8rem;line-height:1.2">{html.escape(caption)}</figcaption></figure>'
        )
    st.markdown(
        f'<div class="thumbnails" style="display:grid;gap:.75rem .5rem;'
        f'grid-template-columns:repeat(auto-fill,minmax({side + 12}px,1fr))">{"".join(cells)}</div>',
        unsafe_allow_html=True,
    )
