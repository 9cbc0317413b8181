"""The widgets several pages draw: the pad, the answer with its ten bars, the model's input,
galleries of 28x28 images, and the page's CSS and pad script (files in `ui/assets/`)."""

from __future__ import annotations

import base64
import functools
import html
import io
import json
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

from i18n import marked, tr, tr_error, tr_marked
from model.constants import NOT_A_DIGIT
from model.inference import Prediction
from model.pad_image import PadImageError, read_pad_image
from ui import state

PAD_SIZE = 280  # the drawing pad, in CSS pixels: 10x MNIST's 28
ZOOM = 8  # "what the model sees" is shown 8x, as blocks, never blurred
BRUSH_WIDTH = 18  # the pad's default brush: a pen stroke about MNIST's on the 20x20 box
THUMB_ZOOM = 3  # gallery thumbnails: 28x28 images shown at 84x84
ASSETS = Path(__file__).resolve().parent / "assets"


@functools.cache
def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def page_assets() -> None:
    """The page's CSS, the script that gives the pad its controls (it watches the page for pads
    from then on: once per page load, not per stroke; again with new words when the language
    changes), and, in Korean, the one that puts Streamlit's own "Page not found" in the page's words."""
    st.html(f"<style>{asset('page.css')}</style>")
    words = {"undo": tr("Undo"), "redo": tr("Redo"), "clear": tr("Clear")}
    st.html(
        f"<script>window.__padLabels = {json.dumps(words)};{asset('pad_toolbar.js')}</script>",
        unsafe_allow_javascript=True,
    )
    streamlit_words = {
        english: tr_marked(english)
        for english in (
            marked("Page not found"),
            marked("The page that you have requested does not seem to exist. Running the app's main page."),
        )
        if tr_marked(english) != english
    }
    if streamlit_words:  # English needs nothing
        st.html(
            f"<script>window.__streamlitWords = {json.dumps(streamlit_words, ensure_ascii=False)};"
            f"{asset('streamlit_words.js')}</script>",
            unsafe_allow_javascript=True,
        )


# The drawing pad and the answer ------------------------------------------------------------------


def pad_ui(origin: str) -> tuple[np.ndarray | None, bool]:
    """The drawing pad -> (its canvas as (280, 280, 4) uint8 RGBA, or None when nothing is drawn or
    what the browser sent is not a picture of the pad (then the page says so); whether this pad
    has sent anything since the page opened).

    The last drawing either pad sent is kept in the session (state.LAST_CANVAS, with `origin`,
    "draw" or "flow", in state.LAST_CANVAS_FROM): the pages show it again when they are opened anew.
    """
    # Imported here: the package registers its component on import, which needs a running app
    # (tests import the pages, with their widgets, outside one).
    from streamlit_drawable_canvas import st_canvas

    result = st_canvas(
        stroke_width=state.choice(state.BRUSH, BRUSH_WIDTH),  # set by brush_ui's slider, drawn after the pad
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=PAD_SIZE,
        width=PAD_SIZE,
        drawing_mode="freedraw",
        return_image_data=True,
        update_streamlit=True,
        key="pad",
    )
    # The package would decode whatever the browser sends; the raw data URL is checked here instead
    # (a slot of CanvasResult in the pinned 0.13.0; tests/test_browser_drawing.py draws through it).
    data_url = result._image_data_url
    if data_url is None:
        return None, False
    try:
        image = read_pad_image(data_url, PAD_SIZE)
    except PadImageError as error:
        st.warning(tr_error(error))
        return None, True
    st.session_state[state.LAST_CANVAS] = image
    st.session_state[state.LAST_CANVAS_FROM] = origin
    return image, True


def remembered_drawing() -> tuple[np.ndarray | None, str | None]:
    """The last canvas a pad sent in this session, and which pad ("draw" or "flow")."""
    return st.session_state.get(state.LAST_CANVAS), st.session_state.get(state.LAST_CANVAS_FROM)


def brush_ui() -> None:
    """The pad's brush width (drawn after the pad; the pad reads the kept value)."""
    st.slider(tr("Brush width"), min_value=6, max_value=40, **state.kept(state.BRUSH, BRUSH_WIDTH))
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
    label = html.escape(tr("Probability of each digit"))
    st.markdown(
        f'<div class="probabilities" aria-label="{label}">{"".join(rows)}</div>',
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
    """The answer (a digit and its confidence, or "not a digit" and why), the ten bars, and the 28x28
    input, in two columns. The bars are shown for a non-digit too: they are the lesson."""
    doubt = prediction.doubt
    with answer, st.container(key="answer"):  # page.css: readable from the back of a room
        if doubt is None:
            st.metric(
                label,
                str(prediction.digit),
                tr("{confidence} confidence", confidence=f"{prediction.confidence:.1%}"),
                delta_color="off",
                delta_arrow="off",
                border=True,
            )
        else:
            with st.container(key="not_a_digit"):
                st.metric(
                    label,
                    tr("Not a digit"),
                    tr(
                        "highest bar: {digit} at {confidence}",
                        digit=prediction.digit,
                        confidence=f"{prediction.confidence:.1%}",
                    ),
                    delta_color="off",
                    delta_arrow="off",
                    border=True,
                )
            st.warning(
                tr("This looks like no digit. {why}", why=tr_error(doubt))
                + " "
                + tr(
                    "The network always shares out 100% over the ten digits, even for a drawing that is "
                    "no digit at all, so judge the drawing before you believe its bars."
                )
            )
        probabilities_ui(prediction)
    with seen:
        model_input_ui(prediction, source)


def confusion_table(matrix) -> None:
    """An 11x11 confusion matrix (digits, then "not a digit" as "none"): what was meant in rows,
    what the app answered in columns."""
    import pandas as pd  # only where a table is shown: not before the first page's pad is sent

    names = [str(n) for n in range(NOT_A_DIGIT)] + [tr("none")]
    # A plain table in a small font (page.css): its 12 columns fit a phone's width, where a
    # dataframe scrolled sideways.
    st.container(key="confusion").table(
        pd.DataFrame(
            matrix, index=pd.Index(names, name=tr("true")), columns=pd.Index(names, name=tr("answered"))
        )
    )


def monospace_ui(text: str) -> None:
    """Text laid out in columns as a program printed it (`model.summary()`'s table), kept as it is.

    A plain preformatted block (page.css): `st.code` would load a 1.5 MB syntax highlighter with
    the page, which delayed the pad by about half a second."""
    st.html(f'<pre class="monospace">{html.escape(text)}</pre>')


# Galleries ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def png_base64(pixels: bytes, zoom: int, channels: int = 1) -> str:
    """A 28x28 uint8 image (its bytes; grey, or RGB with `channels` 3) shown `zoom`x as blocks, as a
    base64 PNG. Cached: the class board shows the same drawings every 2 s."""
    image = np.frombuffer(pixels, dtype=np.uint8).reshape(28, 28, channels)
    blocks = np.repeat(np.repeat(image, zoom, axis=0), zoom, axis=1)
    png = io.BytesIO()
    Image.fromarray(blocks[..., 0] if channels == 1 else blocks).save(png, "PNG")
    return base64.b64encode(png.getvalue()).decode("ascii")


def thumbnails_ui(images, captions: list[str], zoom: int = THUMB_ZOOM) -> None:
    """28x28 uint8 pictures (digits, or RGB weight pictures) with a caption each, as a grid that keeps
    its order and wraps to the screen.

    One HTML grid rather than Streamlit columns: columns stack one under the other on a phone,
    turning 40 thumbnails into 40 rows, column by column.
    """
    side = 28 * zoom
    font = "1rem" if zoom > THUMB_ZOOM else ".8rem"
    cells = []
    for image, caption in zip(images, captions):
        image = np.asarray(image, dtype=np.uint8)
        source = png_base64(image.tobytes(), zoom, image.shape[2] if image.ndim == 3 else 1)
        cells.append(
            f'<figure style="margin:0;text-align:center"><img src="data:image/png;base64,{source}" '
            f'width="{side}" height="{side}" alt="{html.escape(caption)}" style="image-rendering:pixelated">'
            f'<figcaption style="font-size:{font};line-height:1.2">{html.escape(caption)}</figcaption>'
            "</figure>"
        )
    st.markdown(
        f'<div class="thumbnails" style="display:grid;gap:.75rem .5rem;'
        f'grid-template-columns:repeat(auto-fill,minmax({side + 12}px,1fr))">{"".join(cells)}</div>',
        unsafe_allow_html=True,
    )
