"""The pages without a browser (AppTest): each renders its content, in both languages; choices kept."""

import json
import re
import shutil

import pytest

from model.constants import MNIST_ENV_VAR
from model.inference import MIN_CONFIDENCE
from tests.apptest import (
    HANGUL,
    VISITOR,
    all_text,
    count_images,
    korean_app,
    monospace_texts,
    open_page,
    run_app,
)
from tests.run_folders import finished_run


def test_page_shows_flow_summary_curves_and_blank_pad_hint(monkeypatch, trained_bundle):
    app = run_app(monkeypatch, trained_bundle)
    assert app.title[0].value.endswith("Draw a digit")
    text = all_text(app)
    assert "784 values in [0, 1]" in text and "softmax" in text
    assert "669,706" in text  # model.summary()
    wide, narrow = [t for t in monospace_texts(app) if "Param #" in t]  # as Keras prints it; for phones
    assert max(map(len, narrow.splitlines())) < max(map(len, wide.splitlines())) and "401,920" in narrow
    pages = app._registered_pages.values()  # what st.navigation registered, in its order
    assert [(p["page_name"], p["url_pathname"]) for p in pages] == [
        ("Draw", ""),
        ("Follow the flow", "flow"),
        ("Inside the model", "inside"),
        ("Your drawings", "drawings"),
        ("Train", "train"),
        ("Class", "class"),
    ]
    assert not app.get("vega_lite_chart")  # the curves wait for the switch: the pad comes first
    app.toggle(key="show_curves").set_value(True).run()
    assert len(app.get("vega_lite_chart")) == 2  # loss and accuracy curves
    prediction = [m for m in app.metric if m.label == "Prediction"]
    assert prediction and prediction[0].value == "–"  # a blank pad: no made-up answer
    assert "Draw a digit (0–9)" in text
    facts = {m.label: m.value for m in app.metric}
    assert facts["Epochs"] == "2" and facts["Batch size"] == "32"


def test_each_page_runs_alone_and_shows_its_main_content(monkeypatch, trained_bundle):
    app = run_app(monkeypatch, trained_bundle)
    main_content = {
        "Inside the model": "How it does on the 10,000 MNIST test digits",
        "Your drawings": "Your drawings",
        "Train": "Train the network yourself",
    }
    for page, heading in main_content.items():
        open_page(app, page)
        assert heading in [h.value for h in app.header] + [h.value for h in app.subheader]
        assert not [m for m in app.metric if m.label == "Prediction"]  # the pad is not run there
        assert not app.title  # nor the Draw page's intro
    open_page(app, "Draw")
    assert [m for m in app.metric if m.label == "Prediction"]


def test_choices_survive_a_page_switch(monkeypatch, trained_bundle, tmp_path):
    runs = tmp_path / "runs"
    folder = finished_run(runs, trained_bundle, owner=VISITOR)
    app = run_app(monkeypatch, trained_bundle, runs=runs)
    app.selectbox(key="active_model").set_value(folder.name).run()
    app.slider(key="brush").set_value(30).run()
    open_page(app, "Train")
    assert app.multiselect(key="compare").value == ["committed", folder.name]
    app.multiselect(key="compare").set_value([folder.name]).run()
    app.slider(key="train_epochs").set_value(3).run()
    open_page(app, "Inside the model")
    assert "Showing your run 2026-11-25 10:15 UTC" in all_text(app)
    open_page(app, "Draw")
    assert app.selectbox(key="active_model").value == folder.name
    assert app.slider(key="brush").value == 30
    assert "Answering with your run 2026-11-25 10:15 UTC" in all_text(app)
    open_page(app, "Train")
    assert app.multiselect(key="compare").value == [folder.name]
    assert app.slider(key="train_epochs").value == 3


def test_inside_view_shows_evaluation_weights_and_gallery(monkeypatch, trained_bundle):
    app = run_app(monkeypatch, trained_bundle, page="Inside the model")
    text = all_text(app)
    assert "How it does on the 10,000 MNIST test digits" in [h.value for h in app.subheader]
    assert "misclassified test digits match" in text
    assert len(app.get("vega_lite_chart")) == 2  # confusion heatmap and the misses per digit
    assert "What the first layer learned" in [h.value for h in app.subheader]
    assert count_images(app.main) >= 1  # the first-layer grid
    grids = [m.value for m in app.markdown if 'class="thumbnails"' in m.value]
    templates = next(g for g in grids if g.count("<img") == 10)  # one picture per output digit, labelled
    assert all(f">{digit}</figcaption>" in templates for digit in range(10))
    gallery = next(m.value for m in app.markdown if 'class="thumbnails"' in m.value)
    assert gallery.count("<img") >= 1  # the misclassified digits' thumbnails


def test_gallery_filters_by_digit(monkeypatch, trained_bundle):
    app = run_app(monkeypatch, trained_bundle, page="Inside the model")
    evaluation = json.loads((trained_bundle / "evaluation.json").read_text())
    true = evaluation["misclassified"][0]["true"]
    app.selectbox(key="gallery_true").set_value(true).run()
    expected = sum(1 for m in evaluation["misclassified"] if m["true"] == true)
    assert f"{expected} misclassified test digits match" in all_text(app)


def test_flow_page_traces_a_test_digit_through_every_step(
    monkeypatch, trained_bundle, small_mnist_npz, small_mnist
):
    monkeypatch.setenv(MNIST_ENV_VAR, str(small_mnist_npz))
    app = run_app(monkeypatch, trained_bundle, page="Follow the flow")
    assert "Draw a digit on the pad (or pick an MNIST test digit)" in all_text(app)
    app.button(key="flow_random").click().run()
    assert not app.exception, app.exception
    text = all_text(app)
    following = next(m.value for m in app.markdown if m.value.startswith("Following"))
    index = int(following.split("#")[1].split()[0])
    _, (x_test, y_test) = small_mnist
    assert f"({'an' if y_test[index] == 8 else 'a'} {y_test[index]})" in following  # "an 8"
    steps = [h.value for h in app.subheader]
    assert [s.split(".")[0] for s in steps] == [str(n) for n in range(1, 10)]
    assert "x = x.reshape(784)" in text and "keras.utils.to_categorical(y, 10)" in text
    assert sum("of 512" in m.value for m in app.metric) == 2  # active units of both hidden layers
    from model.flow import trace
    from model.inference import Classifier

    expected = trace(Classifier.load(trained_bundle), x_test[index] / 255.0, int(y_test[index]))
    loss = next(m for m in app.metric if m.label == "Loss for this drawing")
    assert loss.value == f"{expected.loss:.3f}"  # the page's numbers are the trace's
    (label,) = [box for box in app.selectbox if box.label == "The true digit"]
    assert label.value == y_test[index]  # an MNIST digit starts with its own label

    app.button(key="flow_step").click().run()
    assert not app.exception, app.exception
    after = next(m for m in app.metric if m.label == "Loss on this drawing")
    assert float(after.value) < expected.loss
    assert any(m.label.startswith("Accuracy on 1,000 MNIST test digits") for m in app.metric)
    app.button(key="flow_reset").click().run()
    assert "No step taken yet" in all_text(app)


def test_flow_page_follows_the_drawing_made_on_the_draw_page(monkeypatch, trained_bundle):
    from tests.drawing import SEVEN, draw_canvas

    app = run_app(monkeypatch, trained_bundle)
    app.session_state["last_drawing"] = draw_canvas(SEVEN)  # what the Draw page's pad keeps
    open_page(app, "Follow the flow")
    assert any(m.value == "Following **your drawing from the Draw page**." for m in app.markdown)
    assert len([h for h in app.subheader if h.value[0].isdigit()]) == 9
    least = f"That is at least {MIN_CONFIDENCE:.0%}, the share from which the app counts"
    assert any(least in m.value for m in app.markdown)
    # The first view teaches something before any other digit is picked: what each label would cost.
    every = "**The loss if the true digit were each of the ten**"
    assert any(m.value.startswith(every) for m in app.markdown)
    costs = [float(v) for v in shown_cells(app.table[-1]).splitlines()[1].split()[1:]]
    chosen = next(m for m in app.metric if m.label == "Loss for this drawing")
    assert len(costs) == 10 and min(costs) == float(chosen.value) and max(costs) > 1
    open_page(app, "Draw")  # and the Draw page still answers with the trained model
    assert "the model that comes with the app" in all_text(app)


def test_the_flow_page_says_why_the_digits_it_ruled_out_cost_the_same(monkeypatch):
    from model.constants import DEFAULT_BUNDLE_DIR
    from tests.drawing import SEVEN, draw_canvas

    app = run_app(monkeypatch, DEFAULT_BUNDLE_DIR)  # the app's own model: sure of a clear 7
    app.session_state["last_drawing"] = draw_canvas(SEVEN)
    open_page(app, "Follow the flow")
    costs = shown_cells(app.table[-1]).splitlines()[1].split()[1:]
    ruled_out = costs.count("16.118")  # -log(0.0000001): Keras' floor under a probability
    assert ruled_out >= 5
    [said] = [c.value for c in app.caption if "all but ruled out" in c.value]
    assert "under 0.0000001 as 0.0000001" in said and f"the {ruled_out} digits" in said


def test_the_draw_page_shows_the_last_drawing_again_after_a_visit_to_another_page(
    monkeypatch, trained_bundle
):
    from tests.drawing import SEVEN, draw_canvas

    app = run_app(monkeypatch, trained_bundle)
    assert [m.value for m in app.metric if m.label == "Prediction"] == ["–"]  # nothing drawn yet
    app.session_state["last_drawing"] = draw_canvas(SEVEN)  # what the pad sent before the visit
    app.session_state["last_drawing_from"] = "draw"
    open_page(app, "Follow the flow")
    open_page(app, "Draw")
    assert [m.value for m in app.metric if m.label == "Prediction"] == ["7"]
    assert "Your last drawing, kept while you were on another page" in all_text(app)


def test_the_flow_page_keeps_label_steps_and_copy_together_across_a_visit_to_another_page(
    monkeypatch, trained_bundle
):
    from tests.drawing import SEVEN, draw_canvas

    app = run_app(monkeypatch, trained_bundle)
    app.session_state["last_drawing"] = draw_canvas(SEVEN)
    app.session_state["last_drawing_from"] = "flow"  # drawn on the flow page's own pad
    open_page(app, "Follow the flow")
    assert any(m.value == "Following **your last drawing on this pad**." for m in app.markdown)
    (label,) = [box for box in app.selectbox if box.label == "The true digit"]
    label.set_value(4).run()
    for _ in range(2):
        app.button(key="flow_step").click().run()
    before = next(m for m in app.metric if m.label == "Loss on this drawing")
    open_page(app, "Draw")
    open_page(app, "Follow the flow")
    assert not app.exception, app.exception
    (label,) = [box for box in app.selectbox if box.label == "The true digit"]
    assert label.value == 4  # the label the steps were taken with
    assert "**After 2 steps** (from the trained model):" in all_text(app)
    after = next(m for m in app.metric if m.label == "Loss on this drawing")
    assert (after.value, after.proto.delta) == (before.value, before.proto.delta)
    label.set_value(5).run()  # another label: the copy trained as a 4 no longer belongs here
    assert "No step taken yet" in all_text(app)


def shown_cells(table) -> str:
    """What a styled st.table shows in its cells, as text (its formatted values, not the raw ones
    nor the proto's ids: a random uuid such as "56e6f" is no number)."""
    import pyarrow as pa

    styler = table.proto.arrow_data.styler
    if not styler.display_values:
        return ""
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas().to_string()


def test_the_flow_page_writes_no_number_in_e_notation(monkeypatch, tmp_path):
    import re

    from model.constants import DEFAULT_BUNDLE_DIR
    from tests.drawing import SEVEN, draw_canvas

    # The model that comes with the app: sure of its 7, so the other digits' numbers are tiny (the
    # small test model's are not, and differ from run to run).
    app = run_app(monkeypatch, DEFAULT_BUNDLE_DIR, tmp_path / "f.sqlite", runs=tmp_path / "runs")
    app.session_state["last_drawing"] = draw_canvas(SEVEN)
    open_page(app, "Follow the flow")
    (label,) = [box for box in app.selectbox if box.label == "The true digit"]
    label.set_value(1).run()  # a wrong label: its probability is tiny
    assert not app.exception, app.exception
    shown = [all_text(app), *(shown_cells(t) for t in app.table)]
    shown += [f"{m.label} {m.value} {m.proto.delta}" for m in app.metric]
    scientific = re.compile(r"\d[eE][-+]?\d")
    assert not [line for text in shown for line in text.splitlines() if scientific.search(line)]
    assert "less than 0.0001" in "\n".join(shown)  # said so, where the number is too small to show
    softmax = next(shown_cells(t) for t in app.table if "exp(z − max)" in shown_cells(t))
    seven = next(line.split() for line in softmax.splitlines()[1:] if line.split()[1] == "7")
    assert seven[3] == "1.000" and seven[4] == "100.00%"  # the answer's own number is readable


def test_flow_page_judges_a_drawing_that_is_no_digit_at_the_softmax_step(monkeypatch, trained_bundle):
    from tests.drawing import draw_canvas

    app = run_app(monkeypatch, trained_bundle)
    blot = [[(60 + 160 * (row % 2), 50 + 9 * row) for row in range(21)]]  # back and forth: a filled block
    app.session_state["last_drawing"] = draw_canvas(blot)
    open_page(app, "Follow the flow")
    assert not app.exception, app.exception
    [judgement] = [w.value for w in app.warning if "the app answers **not a digit**" in w.value]
    assert "looks like a blot or a scribble" in judgement and "always shares out 100%" in judgement


def test_curves_are_scaled_to_the_data_and_every_batch_size_is_in_view(monkeypatch, trained_bundle, tmp_path):
    app = run_app(monkeypatch, trained_bundle)
    app.toggle(key="show_curves").set_value(True).run()
    specs = chart_specs(app)
    accuracy = next(spec for spec in specs if spec["encoding"]["y"]["field"] == "accuracy")
    assert accuracy["encoding"]["y"]["scale"]["zero"] is False  # not a 0-1 axis with flat lines at the top
    open_page(app, "Train")
    batch = app.radio(key="train_batch")
    assert batch.options == ["32", "64", "128", "256"] and batch.value == 32


@pytest.mark.parametrize(
    "page, heading",
    [
        ("Draw", "숫자를 그려 보세요"),
        ("Follow the flow", "흐름 따라가기"),
        ("Inside the model", "모델 들여다보기"),
        ("Your drawings", "내 그림"),
        ("Train", "직접 신경망 학습하기"),
    ],
)
def test_every_page_renders_in_korean(monkeypatch, trained_bundle, tmp_path, page, heading):
    app = korean_app(monkeypatch, trained_bundle, tmp_path, page)
    headings = [h.value for h in app.title] + [h.value for h in app.header]
    assert any(heading in h for h in headings), headings
    texts = [m.value for m in app.markdown if m.value.strip() and not m.value.lstrip().startswith("<")]
    texts += [c.value for c in app.caption] + [m.label for m in app.metric]
    english = [
        t for t in texts if not HANGUL.search(t) and re.search(r"\b[a-z]{4,}\b", re.sub(r"`[^`]*`", "", t))
    ]
    assert english == []  # every sentence shown is Korean (code and file names aside)


def test_switching_language_keeps_the_page_and_the_choices(monkeypatch, trained_bundle, tmp_path):
    app = run_app(monkeypatch, trained_bundle, page="Train")
    app.slider(key="train_epochs").set_value(3).run()
    assert "Train the network yourself" in [h.value for h in app.header]
    app.segmented_control(key="language_choice").set_value("ko").run()
    assert not app.exception
    assert "직접 신경망 학습하기" in [h.value for h in app.header]  # still the Train page, now in Korean
    assert app.slider(key="train_epochs").value == 3 and app.slider(key="train_epochs").label == "에포크"
    open_page(app, "Draw")
    assert app.title[0].value.endswith("숫자를 그려 보세요")  # the choice holds on every page
    app.segmented_control(key="language_choice").set_value("en").run()
    assert app.title[0].value.endswith("Draw a digit")


def test_overfitting_is_said_only_where_validation_loss_clearly_rises(monkeypatch, trained_bundle, tmp_path):
    from model.constants import DEFAULT_BUNDLE_DIR
    from model.history import CURVE_KEYS, Overfitting, overfitting

    committed = json.loads((DEFAULT_BUNDLE_DIR / "history.json").read_text())
    assert overfitting(committed) is None  # 1.2% above its lowest after epoch 19 of 20: a wiggle
    tutorial = {"loss": [0.22, 0.10, 0.07, 0.05, 0.04], "val_loss": [0.11, 0.085, 0.08, 0.09, 0.10]}
    assert overfitting(tutorial) == Overfitting(3, pytest.approx(0.25))
    assert overfitting({**tutorial, "val_loss": [0.11, 0.085, 0.08, 0.082, 0.084]}) is None  # 5%
    assert overfitting({**tutorial, "val_loss": [0.11, 0.085, 0.08, 0.07, 0.10]}) is None  # one epoch
    assert overfitting({**tutorial, "loss": [0.22, 0.10, 0.07, 0.08, 0.09]}) is None  # training rose too

    def app_with_curves(name: str, curves: dict):
        bundle = tmp_path / name  # a bundle's records are cached by folder until its model changes
        shutil.copytree(trained_bundle, bundle)
        history = json.loads((bundle / "history.json").read_text())
        (bundle / "history.json").write_text(json.dumps({**history, **curves}))
        return run_app(monkeypatch, bundle)

    app = app_with_curves("tutorial", {**tutorial, "accuracy": [0.9] * 5, "val_accuracy": [0.97] * 5})
    [said] = [i.value for i in app.info if "overfitting" in i.value]
    assert "lowest after epoch 3, then rises by 25%" in said
    app = app_with_curves("committed", {key: committed[key] for key in CURVE_KEYS})
    assert not [i for i in app.info if "overfitting" in i.value]
    assert "no sign of overfitting in this run" in all_text(app)


def chart_specs(app) -> list[dict]:
    """The Vega-Lite specs of the charts the page shows, in order."""
    return [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]


def chart_axes(spec: dict, channel: str) -> list[dict]:
    """Every encoding of `channel` in a Vega-Lite spec, its layers included."""
    found = [spec["encoding"][channel]] if channel in spec.get("encoding", {}) else []
    return found + [axis for layer in spec.get("layer", []) for axis in chart_axes(layer, channel)]


def test_every_chart_writes_its_axis_titles_and_digits_level(
    monkeypatch, trained_bundle, small_mnist_npz, tmp_path
):
    """A y title turned on its side is hard to read in Hangul; digits on an axis stand upright."""
    monkeypatch.setenv(MNIST_ENV_VAR, str(small_mnist_npz))
    app = korean_app(monkeypatch, trained_bundle, tmp_path, "Draw")
    app.toggle(key="show_curves").set_value(True).run()
    specs = chart_specs(app)
    open_page(app, "Inside the model")
    specs += chart_specs(app)
    open_page(app, "Follow the flow")
    app.button(key="flow_random").click().run()
    app.button(key="flow_step").click().run()
    assert not app.exception, app.exception
    specs += chart_specs(app)
    assert len(specs) == 6  # curves (2), confusion matrix, misses per digit, pixel grid, before/after bars
    [grid] = [spec for spec in specs if spec.get("mark") == "rect"]
    # Square cells, as the 28x28 image has: not a squashed digit.
    assert grid["width"] == grid["height"] == {"step": 11}
    for spec in specs:
        ys = [y for y in chart_axes(spec, "y") if y.get("title")]
        assert ys and all(y["axis"]["titleAngle"] == 0 for y in ys), spec
        for x in chart_axes(spec, "x"):
            if x["type"] == "ordinal":  # digits, columns of the grid
                assert x["axis"]["labelAngle"] == 0, spec
