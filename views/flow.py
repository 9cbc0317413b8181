"""Follow the flow: one drawing through the tutorial's code, step by step, with its real numbers."""

from __future__ import annotations

import hashlib

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from i18n import tr, tr_error
from model.data import MnistSource, flatten, load_mnist, normalize
from model.flow import (
    HIGHLIGHT_ROW,
    LARGEST_LOSS,
    LOSS_EPSILON,
    Trace,
    cross_entropy,
    ink_box_picture,
    learn_step,
    relu_picture,
    strip_picture,
    trace,
)
from model.inference import MIN_CONFIDENCE, Classifier, Prediction
from model.preprocess import canvas_to_image
from ui import state, widgets
from ui.charts import UPRIGHT_Y_TITLE
from ui.context import Context
from ui.words import label_text, plain_number

PIXEL_STEP = 11  # px a cell: a 308 px grid, about 350 with its axes, fits a phone's 390 px wide page
SAMPLE = 1000  # MNIST test digits scored before and after a training step: the "rest" it learned
PICTURE = 224  # width in CSS pixels of the images of one step (8x the 28x28 image)
UNIFORM_LOSS = float(np.log(10))  # -log(1/10): a guess that gives every digit 10%


# Where the image comes from ----------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def test_set(path: str):
    """MNIST's 10,000 test images and labels from the file at `path`, or None when it cannot be read."""
    try:
        _, (x_test, y_test) = load_mnist(path)
    except (FileNotFoundError, ValueError, OSError):
        return None
    return x_test, y_test


def mnist_test_set(mnist: MnistSource):
    """The test set when MNIST is on disk (the random test digit never starts a download)."""
    return test_set(str(mnist.path)) if mnist.local else None


def pick_test_digit(mnist: MnistSource) -> None:
    found = mnist_test_set(mnist)
    if found is None:
        state.flash("flow", tr("MNIST could not be read, so there is no test digit to pick."), "error")
        return
    st.session_state[state.FLOW_TEST_INDEX] = int(np.random.default_rng().integers(len(found[1])))


def source_ui(drawn, mnist: MnistSource) -> tuple[np.ndarray | None, np.ndarray | None, int | None, str]:
    """(image (28, 28) in [0, 1] or None, canvas or None, true label or None, where it came from)."""
    if drawn is not None:  # a stroke on this page's pad: it is what is followed now
        seen = hashlib.sha1(drawn.tobytes()).hexdigest()
        if st.session_state.get(state.FLOW_PAD_SEEN) != seen:
            st.session_state[state.FLOW_PAD_SEEN] = seen
            st.session_state.pop(state.FLOW_TEST_INDEX, None)
    if mnist.local:
        st.button(tr("A random MNIST test digit"), on_click=pick_test_digit, args=(mnist,), key="flow_random")
    else:
        st.caption(tr("This server has no copy of MNIST, so there are no MNIST test digits to pick here."))
    state.show_flash("flow")
    index = st.session_state.get(state.FLOW_TEST_INDEX)
    found = mnist_test_set(mnist) if index is not None else None
    if found is not None:
        x_test, y_test = found
        return (
            normalize(x_test[index]),
            None,
            int(y_test[index]),
            tr("MNIST test digit #{index} ({label})", index=index, label=label_text(int(y_test[index]))),
        )
    last, origin = widgets.remembered_drawing()
    canvas = drawn if drawn is not None else last
    if canvas is None:
        return None, None, None, ""
    if drawn is not None:
        source = tr("your drawing on this pad")
    elif origin == "flow":  # drawn here before a visit to another page
        source = tr("your last drawing on this pad")
    else:
        source = tr("your drawing from the Draw page")
    return canvas_to_image(canvas), canvas, None, source


# One section per step ------------------------------------------------------------------------------


def step_ui(number: int, title: str, code: str, text: str) -> None:
    st.subheader(f"{number}. {title}")
    st.code(code, language="python")
    st.markdown(text)


def zoomed(pixels: np.ndarray, zoom: int = 8) -> np.ndarray:
    return np.kron(pixels, np.ones((zoom, zoom), dtype=pixels.dtype))


def prepare_ui(t: Trace, canvas: np.ndarray | None, source: str) -> None:
    step_ui(
        1,
        tr("Prepare: like an MNIST digit"),
        "digit = canvas_to_image(canvas)  # " + tr("crop to the ink, fit 20×20, centre by mass in 28×28"),
        tr(
            "MNIST's digits were cropped to their ink, scaled to fit a 20×20 box and placed in a 28×28 "
            "image so that their centre of mass sits in the middle. Your drawing gets the same "
            "treatment, so the network sees what it was trained on."
        ),
    )
    before, after = st.columns(2)
    if canvas is not None:
        before.image(ink_box_picture(canvas), width=PICTURE)
        before.caption(
            tr(
                "The pad ({width}×{height}), with the ink's box in red.",
                width=canvas.shape[1],
                height=canvas.shape[0],
            )
        )
    else:
        before.caption(tr("{source} is already an MNIST digit: prepared when MNIST was made.", source=source))
    after.image(zoomed(t.pixels), width=PICTURE)
    after.caption(tr("The 28×28 result (shown 8× as blocks)."))


def pixels_ui(t: Trace) -> None:
    step_ui(
        2,
        tr("Pixels: 28×28 integers from 0 to 255"),
        "x.shape, x.dtype  # " + tr("(28, 28), uint8: 0 is black paper, 255 full ink"),
        tr(
            "To the computer the image is a grid of 784 numbers. Hover over a cell or tap it to see its "
            "value, or open the table below."
        ),
    )
    rows, cols = np.indices(t.pixels.shape)
    cells = pd.DataFrame({"row": rows.ravel(), "column": cols.ravel(), "value": t.pixels.ravel().astype(int)})
    ticks = {"values": [0, 7, 14, 21, 27], "labelAngle": 0}
    grid = {  # square, as the 28x28 image is: stretched to the column's width, a digit looked squashed
        "width": {"step": PIXEL_STEP},
        "height": {"step": PIXEL_STEP},
        "mark": "rect",
        "params": [{"name": "cell", "select": {"type": "point", "fields": ["row", "column"]}}],  # a tap
        "encoding": {
            "x": {"field": "column", "type": "ordinal", "axis": ticks, "title": tr("column")},
            "y": {
                "field": "row",
                "type": "ordinal",
                "axis": {**ticks, **UPRIGHT_Y_TITLE},
                "title": tr("row"),
            },
            "color": {
                "field": "value",
                "type": "quantitative",
                "scale": {"domain": [0, 255], "range": ["black", "white"]},
                "legend": None,
            },
            "tooltip": [
                {"field": "row", "type": "quantitative", "title": tr("row")},
                {"field": "column", "type": "quantitative", "title": tr("column")},
                {"field": "value", "type": "quantitative", "title": tr("value")},
            ],
        },
    }
    left, tapped = st.columns([1, 1])
    with left:
        event = st.vega_lite_chart(
            cells, grid, width="content", on_select="rerun", selection_mode="cell", key="flow_pixels"
        )
    cell = tapped_cell(event.selection.get("cell"), t.pixels.shape[0])  # no hover on a touch screen
    if cell is not None:
        row, column = cell
        tapped.metric(
            tr("Row {row}, column {column}", row=row, column=column), int(t.pixels[row, column]), border=True
        )
    with st.expander(tr("The 28×28 values as a table")):
        st.dataframe(pd.DataFrame(t.pixels.astype(int)), width="stretch", height=300)


def tapped_cell(picked, side: int) -> tuple[int, int] | None:
    """(row, column) of the pixel the browser says was tapped, or None: what it sends is checked."""
    try:
        row, column = int(picked[0]["row"]), int(picked[0]["column"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    return (row, column) if 0 <= row < side and 0 <= column < side else None


def flatten_ui(t: Trace) -> None:
    step_ui(
        3,
        tr("Flatten: 784 values in a row"),
        "x = x.reshape(784)  # " + tr("the tutorial: x_train.reshape(60000, 784)"),
        tr(
            "A Dense layer takes a list of numbers, not a grid: the 28 rows are laid end to end. Row "
            "{row} (underlined in red) becomes values {first} to {last}; the thin grey lines mark "
            "where one row ends and the next starts.",
            row=HIGHLIGHT_ROW,
            first=HIGHLIGHT_ROW * 28,
            last=HIGHLIGHT_ROW * 28 + 27,
        ),
    )
    st.image(strip_picture(normalize(t.flat)), width="stretch")
    first = HIGHLIGHT_ROW * 28
    st.caption(
        tr("The 784 values, row 0 at the left; row {row} underlined in red.", row=HIGHLIGHT_ROW)
        + f" flat[{first}:{first + 28}] = {t.flat[first : first + 28].tolist()}"
    )


def normalize_ui(t: Trace) -> None:
    step_ui(
        4,
        tr("Normalize: divide by the maximum"),
        "x = x / 255  # " + tr("x / x_train.max(): MNIST's largest pixel value is 255"),
        tr(
            "Networks learn best from small inputs, so every value is divided by the largest possible "
            "pixel value: 0 stays 0, full ink becomes 1.0."
        ),
    )
    st.image(strip_picture(t.x), width="stretch")
    inked = int((t.x > 0).sum())
    brightest = int(t.x.argmax())
    st.caption(
        tr(
            "{inked} of the 784 inputs are not zero; the brightest, x[{index}] (row {row}, column "
            "{column}), is {pixel} / 255 = {value}.",
            inked=inked,
            index=brightest,
            row=brightest // 28,
            column=brightest % 28,
            pixel=t.flat[brightest],
            value=f"{t.x[brightest]:.3f}",
        )
        + f" x[{HIGHLIGHT_ROW * 28}:{HIGHLIGHT_ROW * 28 + 28}] = "
        f"[{', '.join(f'{v:.2f}' for v in t.x[HIGHLIGHT_ROW * 28 : HIGHLIGHT_ROW * 28 + 28])}]"
    )


def hidden_ui(t: Trace, layer: int) -> None:
    z, a = t.dense[layer].z, t.dense[layer].a
    first = layer == 0
    step_ui(
        5 + layer,
        tr("Dense(512, relu): hidden layer {number}", number=layer + 1),
        (
            "model.add(Dense(512, activation='relu', input_shape=(784,)))\n"
            "z = x @ W1 + b1          # " + tr("W1: 784×512 weights, b1: 512 biases") + "\n"
            "a1 = np.maximum(0, z)    # relu"
            if first
            else "model.add(Dense(512, activation='relu'))\n"
            "z = a1 @ W2 + b2         # " + tr("W2: 512×512 weights, b2: 512 biases") + "\n"
            "a2 = np.maximum(0, z)    # relu"
        ),
        tr(
            "Each of the 512 units multiplies the 784 inputs by its own weights, adds its bias and "
            "gets one number z. The activation function ReLU then keeps positive values and turns "
            "negative ones into 0: a unit is *active* when z > 0."
        )
        if first
        else tr(
            "The second hidden layer does the same with the 512 outputs of the first: every unit "
            "weighs all 512 of them. Its active units are what the output layer reads."
        ),
    )
    chart, facts = st.columns([2, 1], gap="large")
    with chart:
        st.image(relu_picture(z), width="stretch")
        st.caption(
            tr(
                "Across: z = x @ W + b, the pre-activation of each unit; up: relu(z) = max(0, z). "
                "Red: active units (z > 0); blue: units whose negative z became 0."
            )
        )
    facts.metric(tr("Active units"), tr("{active} of {units}", active=int((a > 0).sum()), units=a.size))
    facts.caption(
        tr(
            "z ranges from {low} to {high}; the {negative} negative ones are flattened to 0 (blue). "
            "The largest activation is unit {unit}'s, {top}.",
            low=f"{z.min():.2f}",
            high=f"{z.max():.2f}",
            negative=int((z <= 0).sum()),
            unit=int(a.argmax()),
            top=f"{a.max():.2f}",
        )
    )


def softmax_ui(t: Trace, image: np.ndarray) -> None:
    step_ui(
        7,
        tr("Dense(10, softmax): the output layer"),
        "model.add(Dense(10, activation='softmax'))\n"
        "z = a2 @ W3 + b3                  # " + tr("10 logits, one per digit") + "\n"
        "p = np.exp(z) / np.exp(z).sum()   # softmax\n"
        "e = np.exp(z - z.max())           # " + tr("the same p from e / e.sum(), with readable numbers"),
        tr(
            "The last layer gives one number per digit, a *logit*. Softmax turns them into "
            "probabilities: exp makes every value positive, dividing by their sum makes them add up "
            "to 1. The largest logit gets the largest probability, and that digit is the prediction."
        ),
    )
    # Shifted by the largest logit: the same probabilities (softmax does not change when every z
    # moves by the same amount), and numbers a learner can read (exp(z) of these logits is often
    # less than 0.0001 for every digit, the answer included).
    top = float(t.logits.max())
    exps = np.exp(t.logits.astype(np.float64) - top)
    shifted = "exp(z − max)"
    digit_, logit, probability = tr("digit"), tr("logit z"), tr("probability")
    table = pd.DataFrame({digit_: range(10), logit: t.logits, shifted: exps, probability: t.probabilities})
    numbers, bars = st.columns([1.2, 1], gap="large")
    numbers.table(
        table.style.format({logit: "{:.3f}", shifted: plain_number, probability: "{:.2%}"})
        .highlight_max(subset=[logit], color="rgba(255, 75, 75, .25)")
        .hide(axis="index")
    )
    numbers.caption(
        tr(
            "The largest logit is {top}; subtracting it from every z first changes no probability and "
            "keeps the numbers readable. Sum of exp(z − max): {total}. Each probability is its "
            "exp(z − max) divided by that sum.",
            top=f"{top:.3f}",
            total=plain_number(exps.sum()),
        )
    )
    prediction = Prediction(t.digit, t.probabilities, image)
    with bars:
        widgets.probabilities_ui(prediction)
        judgement_ui(prediction)


def judgement_ui(prediction: Prediction) -> None:
    """Is it a digit at all? The same judgement as on the Draw page (`Prediction.doubt`), in numbers."""
    top, threshold = f"{prediction.confidence:.1%}", f"{MIN_CONFIDENCE:.0%}"
    doubt = prediction.doubt
    if doubt is None:
        st.markdown(
            tr(
                "Prediction: **{digit}**, with {probability}. That is at least {threshold}, the share from "
                "which the app counts a drawing as a digit.",
                digit=prediction.digit,
                probability=top,
                threshold=threshold,
            )
        )
        return
    st.warning(
        tr(
            "The highest bar is {digit}, with {probability}, but the app answers **not a digit**: {why}",
            digit=prediction.digit,
            probability=top,
            why=tr_error(doubt),
        )
        + " "
        + tr(
            "Softmax always shares out 100% over the ten digits, even for a drawing that is no digit, "
            "so a drawing must be judged before its bars are believed."
        )
    )


def loss_ui(t: Trace, key: str, default: int) -> int:
    """Pick the true digit; returns it."""
    step_ui(
        8,
        tr("Label and loss"),
        "y = keras.utils.to_categorical(y, 10)    # 3 -> [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]\n"
        "model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])\n"
        "loss = -np.log(p[y_true])               # " + tr("categorical cross-entropy of one example"),
        tr(
            "Training needs the right answer. It is written as a one-hot vector: 1 for the true digit, "
            "0 for the others. The loss is the minus log of the probability the network gave the true "
            "digit: near 0 when it was sure and right, large when it was wrong."
        ),
    )
    choice, vector = st.columns([1, 2], gap="large")
    label = choice.selectbox(
        tr("The true digit"),
        list(range(10)),
        **state.kept(key, default),
        help=tr(
            "The prediction by default (or an MNIST digit's own label): pick another to see the loss of a "
            "wrong answer."
        ),
    )
    vector.table(
        pd.DataFrame([t.one_hot.astype(int)], columns=[str(d) for d in range(10)]).style.hide(axis="index")
    )
    vector.caption(f"keras.utils.to_categorical({t.label}, 10)")
    loss, perfect, uniform = st.columns(3)
    loss.metric(
        tr("Loss for this drawing"),
        f"{t.loss:.3f}",
        f"-log({plain_number(t.probabilities[t.label], decimals=4)})",
        delta_color="off",
        delta_arrow="off",
    )
    perfect.metric(tr("A perfect answer"), "0.000", "-log(1.0)", delta_color="off", delta_arrow="off")
    uniform.metric(
        tr("A uniform guess"), f"{UNIFORM_LOSS:.3f}", "-log(0.1)", delta_color="off", delta_arrow="off"
    )
    every_label_ui(t)
    return label


def every_label_ui(t: Trace) -> None:
    """The loss this drawing would have for each possible true digit: the first view teaches that
    a wrong answer costs, before the learner picks one."""
    losses = [cross_entropy(t.probabilities, digit) for digit in range(10)]
    st.markdown(tr("**The loss if the true digit were each of the ten** (the one picked above in red):"))
    table = pd.DataFrame([[f"{loss:.3f}" for loss in losses]], columns=[str(d) for d in range(10)])
    st.table(
        table.style.hide(axis="index").map(
            lambda _: "color: #ff4b4b; font-weight: 700", subset=[str(t.label)]
        )
    )
    st.caption(
        tr(
            "The network gave {digit} a probability of {probability}: the more probability a digit got, "
            "the smaller the loss if it is the true one. Training lowers the loss of the true digit.",
            digit=t.digit,
            probability=f"{t.probabilities[t.digit]:.1%}",
        )
    )
    ruled_out = sum(loss >= LARGEST_LOSS - 1e-3 for loss in losses)
    if ruled_out >= 2:  # several digits cost the very same: say why, or it looks like a mistake
        st.caption(
            tr(
                "Keras counts every probability under {epsilon} as {epsilon}, so that the loss never "
                "becomes infinite. That is why the {count} digits the network all but ruled out each "
                "cost the same {loss}.",
                epsilon=f"{LOSS_EPSILON:.7f}",
                count=ruled_out,
                loss=f"{LARGEST_LOSS:.3f}",
            )
        )


@st.cache_data(max_entries=16, show_spinner=False)
def sample_accuracy(model_id: str, _classifier: Classifier, _x: np.ndarray, _y: np.ndarray) -> float:
    """Accuracy on the first SAMPLE MNIST test digits (cached per model)."""
    x = normalize(flatten(_x[:SAMPLE]))
    return float((_classifier.predict_proba(x).argmax(axis=1) == _y[:SAMPLE]).mean())


def learned_model(base: Classifier, image_key: str, label: int) -> Classifier | None:
    """This session's copy after its training steps on this image as this label, if any. The copy,
    the steps taken, the image and the label belong together: when the model, the image or the
    label changes, the copy is dropped and the count starts again."""
    learned = st.session_state.get(state.FLOW_LEARNED)
    if learned and learned[:3] != (base.model_id, image_key, label):
        reset_steps()
        return None
    return learned[3] if learned else None


def take_step(base: Classifier, image: np.ndarray, image_key: str, label: int) -> None:
    current = learned_model(base, image_key, label) or base
    steps = st.session_state.get(state.FLOW_STEPS, 0)
    learned = learn_step(current, image, label)
    st.session_state[state.FLOW_LEARNED] = (base.model_id, image_key, label, learned)
    st.session_state[state.FLOW_STEPS] = steps + 1


def reset_steps() -> None:
    st.session_state.pop(state.FLOW_LEARNED, None)
    st.session_state[state.FLOW_STEPS] = 0


def learn_ui(base: Classifier, t: Trace, image: np.ndarray, image_key: str, mnist: MnistSource) -> None:
    step_ui(
        9,
        tr("Learn from it: one training step"),
        "model.fit(x_train, y_train, batch_size=32, epochs=5, verbose=1, validation_data=(x_test, y_test))\n"
        "model.train_on_batch(x[None], y[None])   # " + tr("one step, on this one example"),
        tr(
            "Training looks for the weights and biases that make the loss small. One step computes how "
            "the loss changes with each of the 669,706 parameters and moves every one of them a little "
            "(RMSprop, as in training). Try it on your drawing, on a private copy of the model: the "
            "Draw page keeps answering with the trained one."
        ),
    )
    take, reset, _ = st.columns([1.6, 0.6, 1.4])
    take.button(
        tr("Take one training step on this drawing (as {label})", label=label_text(t.label)),
        type="primary",
        key="flow_step",
        on_click=take_step,
        args=(base, image, image_key, t.label),
    )
    learned = learned_model(base, image_key, t.label)
    reset.button(tr("Reset"), key="flow_reset", on_click=reset_steps, disabled=learned is None)
    if learned is None:
        st.caption(tr("No step taken yet: the copy is the trained model."))
        return
    after = trace(learned, image, t.label)
    steps = st.session_state.get(state.FLOW_STEPS, 1)
    st.markdown(
        tr("**After 1 step** (from the trained model):")
        if steps == 1
        else tr("**After {steps} steps** (from the trained model):", steps=steps)
    )
    loss, answer, rest = st.columns(3)
    loss.metric(
        tr("Loss on this drawing"),
        f"{after.loss:.3f}",
        tr("{change} (was {before})", change=f"{after.loss - t.loss:+.3f}", before=f"{t.loss:.3f}"),
        delta_color="inverse",
    )
    answer.metric(
        tr("Prediction"),
        str(after.digit),
        tr(
            "{now} for {label} (was {before})",
            now=f"{after.probabilities[t.label]:.1%}",
            label=t.label,
            before=f"{t.probabilities[t.label]:.1%}",
        ),
        delta_color="off",
        delta_arrow="off",
    )
    found = mnist_test_set(mnist)
    if found is not None:
        before_acc = sample_accuracy(base.model_id, base, *found)
        after_acc = sample_accuracy(learned.model_id, learned, *found)
        rest.metric(
            tr("Accuracy on {count} MNIST test digits", count=f"{SAMPLE:,}"),
            f"{after_acc:.1%}",
            tr(
                "{change} points (was {before})",
                change=f"{(after_acc - before_acc) * 100:+.1f}",
                before=f"{before_acc:.1%}",
            ),
        )
    else:
        rest.caption(
            tr("With MNIST available, the accuracy on test digits before and after would show here.")
        )
    before, after_ = tr("before"), tr("after")
    chart = pd.DataFrame(
        [(d, before, float(p)) for d, p in enumerate(t.probabilities)]
        + [(d, after_, float(p)) for d, p in enumerate(after.probabilities)],
        columns=["digit", "model", "probability"],
    )
    st.altair_chart(
        alt.Chart(chart)
        .mark_bar()
        .encode(
            x=alt.X("digit:O", axis=alt.Axis(labelAngle=0), title=tr("digit")),
            xOffset=alt.XOffset("model:N", sort=[before, after_]),
            y=alt.Y(
                "probability:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", **UPRIGHT_Y_TITLE),
                title=tr("probability"),
            ),
            color=alt.Color(
                "model:N",
                sort=[before, after_],
                scale=alt.Scale(range=["#8a94a6", "#ff4b4b"]),
                legend=alt.Legend(orient="top", title=None),
            ),
            tooltip=[
                alt.Tooltip("digit:O", title=tr("digit")),
                alt.Tooltip("model:N", title=tr("model")),
                alt.Tooltip("probability:Q", format=".2%", title=tr("probability")),
            ],
        )
        .properties(height=220),
        width="stretch",
    )
    st.info(
        tr(
            "One example and one full-size step move every weight (by about 3× the learning rate from a "
            "fresh RMSprop state): this drawing's loss drops, but the rest of what was learned can "
            "suffer. That is why training takes small steps on batches of many examples (32 here), "
            "over and over: each step then follows what the examples have in common."
        )
    )


@st.fragment
def flow_section(classifier: Classifier | None, mnist: MnistSource) -> None:
    """Reruns alone on every stroke: the pad, then every step on what it holds."""
    pad, about = st.columns([1, 1.4], gap="large")
    with pad:
        drawn, _ = widgets.pad_ui("flow")
        widgets.brush_ui()
    with about:
        image, canvas, true_label, source = source_ui(drawn, mnist)
        if classifier is None:
            st.info(tr("No model is loaded, so there is nothing to follow yet: see the Draw page."))
            return
        if image is None:
            st.info(
                tr(
                    "Draw a digit on the pad (or pick an MNIST test digit) and follow it through the "
                    "network below."
                )
                if not source
                else tr("Nothing is drawn on the pad: draw a digit to follow.")
            )
            return
        st.markdown(tr("Following **{source}**.", source=source))
    key = state.FLOW_LABEL + hashlib.sha1(image.tobytes()).hexdigest()[:16]  # a new image: a new default
    t = trace(classifier, image, state.choice(key, true_label))  # kept across a visit to another page
    prepare_ui(t, canvas, source)
    pixels_ui(t)
    flatten_ui(t)
    normalize_ui(t)
    hidden_ui(t, 0)
    hidden_ui(t, 1)
    softmax_ui(t, image)
    loss_ui(t, key, t.label)
    learn_ui(classifier, t, image, key, mnist)


def render(ctx: Context) -> None:
    st.title(tr("Follow the flow"))
    st.markdown(
        tr(
            "The tutorial's deep-learning flow, one step at a time, on **your** drawing: each step shows "
            "the line of code that does it, what it means, and the actual numbers it produced. Every "
            "number comes from the same weights that answer on the Draw page."
        )
    )
    flow_section(ctx.classifier, ctx.mnist)
