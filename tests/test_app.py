"""The Streamlit pages without a browser (AppTest): each renders, with and without a model."""

import json
import re

import pytest
import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Image

from model.constants import BUNDLE_ENV_VAR, MNIST_ENV_VAR
from model.runs import RUNS_ENV_VAR, list_runs
from run_folders import finished_run

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


PAGES = {
    "Draw": "views/draw.py",
    "Follow the flow": "views/flow.py",
    "Inside the model": "views/inside.py",
    "Your drawings": "views/drawings.py",
    "Train": "views/train.py",
}


def run_app(monkeypatch, bundle, feedback_db=None, runs=None, page=None) -> AppTest:
    """The app as first loaded (the Draw page), or switched to `page` after that."""
    monkeypatch.setenv(BUNDLE_ENV_VAR, str(bundle))
    monkeypatch.setenv("DIGITS_FEEDBACK_DB", str(feedback_db or bundle.parent / "feedback-unused.sqlite"))
    monkeypatch.setenv(RUNS_ENV_VAR, str(runs or bundle.parent / "runs-unused"))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception, "\n".join(app.exception[0].stack_trace) if app.exception else ""
    if page:
        open_page(app, page)
    return app


def open_page(app: AppTest, page: str) -> None:
    app.switch_page(PAGES[page])
    app.run()
    assert not app.exception, app.exception


def count_images(node) -> int:
    own = 1 if isinstance(node, Image) else 0
    return own + sum(count_images(child) for child in getattr(node, "children", {}).values())


def all_text(app: AppTest) -> str:
    parts = [e.value for e in app.markdown] + [e.value for e in app.caption]
    parts += [e.body for e in app.info] + [e.body for e in app.error] + [e.body for e in app.warning]
    parts += [e.value for e in app.code]
    return "\n".join(str(p) for p in parts)


def test_page_shows_flow_summary_curves_and_blank_pad_hint(monkeypatch, trained_bundle):
    app = run_app(monkeypatch, trained_bundle)
    assert app.title[0].value.endswith("Draw a digit")
    text = all_text(app)
    assert "784 values in [0, 1]" in text and "softmax" in text
    assert "669,706" in text  # model.summary()
    pages = app._registered_pages.values()  # what st.navigation registered, in its order
    assert [(p["page_name"], p["url_pathname"]) for p in pages] == [
        ("Draw", ""), ("Follow the flow", "flow"), ("Inside the model", "inside"), ("Your drawings", "drawings"), ("Train", "train")
    ]
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
    folder = finished_run(runs, trained_bundle)
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


def test_missing_bundle_still_renders_and_says_how_to_train(monkeypatch, tmp_path):
    app = run_app(monkeypatch, tmp_path / "no-such-bundle")
    text = all_text(app)
    assert "No model file" in text
    assert "python -m model.train" in text
    assert app.title  # the page itself is there


def test_corrupt_model_file_is_reported(monkeypatch, trained_bundle, tmp_path):
    bundle = tmp_path / "corrupt"
    shutil.copytree(trained_bundle, bundle)
    (bundle / "model.keras").write_bytes(b"this is not a zip archive")
    app = run_app(monkeypatch, bundle)
    text = all_text(app)
    assert "Cannot load the model" in text and "python -m model.train" in text
    assert "669,706" in text  # the rest of the bundle is still shown


def test_unreadable_history_is_a_warning_not_a_crash(monkeypatch, trained_bundle, tmp_path):
    bundle = tmp_path / "bad-history"
    shutil.copytree(trained_bundle, bundle)
    (bundle / "history.json").write_text("{not json")
    app = run_app(monkeypatch, bundle)
    assert "history.json is not a readable JSON file" in all_text(app)
    assert not app.get("vega_lite_chart")


def test_inside_view_shows_evaluation_weights_and_gallery(monkeypatch, trained_bundle):
    app = run_app(monkeypatch, trained_bundle, page="Inside the model")
    text = all_text(app)
    assert "How it does on the 10,000 MNIST test digits" in [h.value for h in app.subheader]
    assert "misclassified test digits match" in text
    assert len(app.get("vega_lite_chart")) == 2  # confusion heatmap and per-digit accuracy
    assert "What the first layer learned" in [h.value for h in app.subheader]
    assert count_images(app.main) >= 2  # first-layer grid, digit templates
    gallery = next(m.value for m in app.markdown if 'class="thumbnails"' in m.value)
    assert gallery.count("<img") >= 1  # the misclassified digits' thumbnails


def test_inside_view_without_evaluation_explains_instead_of_failing(monkeypatch, trained_bundle, tmp_path):
    bundle = tmp_path / "no-evaluation"
    shutil.copytree(trained_bundle, bundle)
    (bundle / "evaluation.json").unlink()
    app = run_app(monkeypatch, bundle, page="Inside the model")
    text = all_text(app)
    assert "has no evaluation.json" in text
    assert "What the first layer learned" in [h.value for h in app.subheader]


def test_gallery_filters_by_digit(monkeypatch, trained_bundle):
    app = run_app(monkeypatch, trained_bundle, page="Inside the model")
    evaluation = json.loads((trained_bundle / "evaluation.json").read_text())
    true = evaluation["misclassified"][0]["true"]
    app.selectbox(key="gallery_true").set_value(true).run()
    expected = sum(1 for m in evaluation["misclassified"] if m["true"] == true)
    assert f"{expected} misclassified test digits match" in all_text(app)


def test_your_drawings_view_summarises_saved_drawings(monkeypatch, trained_bundle, tmp_path):
    import numpy as np

    from model.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "f.sqlite")
    for label, predicted in [(3, 3), (7, 1), (7, 7)]:
        store.add(np.zeros((28, 28)), label, predicted, [0.1] * 10, "m", None)
    app = run_app(monkeypatch, trained_bundle, tmp_path / "f.sqlite", page="Your drawings")
    facts = {m.label: m.value for m in app.metric}
    assert facts["Drawings saved"] == "3" and facts["Model accuracy on them"] == "66.7%"
    assert "a 7 (model said 1)" in all_text(app)


def test_damaged_feedback_store_is_reported_not_fatal(monkeypatch, trained_bundle, tmp_path):
    damaged = tmp_path / "f.sqlite"
    damaged.write_bytes(b"garbage" * 500)
    app = run_app(monkeypatch, trained_bundle, damaged, page="Your drawings")
    assert "is damaged" in all_text(app)
    open_page(app, "Draw")  # the rest of the app still works
    assert "669,706" in all_text(app)


def test_train_page_without_mnist_says_how_to_provide_it_and_starts_nothing(monkeypatch, trained_bundle, tmp_path):
    monkeypatch.setenv(MNIST_ENV_VAR, str(tmp_path / "nowhere" / "mnist.npz"))
    app = run_app(monkeypatch, trained_bundle, runs=tmp_path / "runs", page="Train")
    app.button(key="start_training").click().run()
    errors = " ".join(e.body for e in app.error)
    assert "Nothing was started" in errors and "MNIST file not found" in errors
    assert "--data path/to/mnist.npz" in errors
    assert list_runs(tmp_path / "runs") == []


def test_a_short_training_run_from_the_train_page_becomes_this_sessions_model(
    monkeypatch, trained_bundle, small_mnist_npz, small_mnist, tmp_path
):
    import time

    import numpy as np

    from model.feedback import FeedbackStore
    from model.inference import Classifier

    _, (x_test, y_test) = small_mnist
    store = FeedbackStore(tmp_path / "f.sqlite")
    for image, label in zip(x_test[:10], y_test[:10]):  # ten saved drawings, added to MNIST below
        store.add(image / 255, int(label), int(label), [0.1] * 10, "m", None)
    monkeypatch.setenv(MNIST_ENV_VAR, str(small_mnist_npz))
    runs = tmp_path / "runs"
    app = run_app(monkeypatch, trained_bundle, tmp_path / "f.sqlite", runs=runs, page="Train")
    assert "No runs yet" in all_text(app)
    app.slider(key="train_epochs").set_value(1)
    app.selectbox(key="train_images").set_value(1000)
    app.checkbox(key="train_add_drawings").check()
    app.button(key="start_training").click().run()
    assert not app.exception, app.exception
    assert app.get("progress"), "a progress bar while it trains"
    assert app.button(key="cancel_training")  # the session that started it may cancel it
    deadline = time.monotonic() + 120
    while not any("Run finished" in s.body for s in app.success):
        assert time.monotonic() < deadline, all_text(app)
        time.sleep(1)
        app.run()
        assert not app.exception, app.exception
    (run,) = list_runs(runs)
    assert run.usable and run.settings["epochs"] == 1 and run.settings["limit"] == 1000
    assert Classifier.load(run.bundle).predict_proba(np.zeros((1, 784))).shape == (1, 10)
    history = json.loads((run.bundle / "history.json").read_text())
    assert history["train_samples"] == 1000 + 10 * 8  # 8 of the 10 drawings, each repeated 10x
    assert history["extra"]["test_images"] == 2  # every 5th drawing is held out
    assert "On your 2 held-out drawings" in all_text(app)

    app.button(key="use_finished").click().run()
    open_page(app, "Draw")
    assert app.selectbox(key="active_model").value == run.id
    facts = {m.label: m.value for m in app.metric}
    assert facts["Epochs"] == "1" and facts["Test accuracy"] == f"{run.test_accuracy:.2%}"
    open_page(app, "Train")
    table = app.dataframe[0].value
    assert list(table["state"]) == ["done"] and list(table["test accuracy"]) == [f"{run.test_accuracy:.2%}"]
    assert len(app.get("vega_lite_chart")) == 2  # its curves against the committed model's

    open_page(app, "Draw")
    app.selectbox(key="active_model").set_value("committed").run()
    assert {m.label: m.value for m in app.metric}["Epochs"] == "2"  # back to the app's own bundle


def test_a_run_can_be_chosen_and_deleted_from_its_details(monkeypatch, trained_bundle, tmp_path):
    runs = tmp_path / "runs"
    newer = finished_run(runs, trained_bundle, "20261125-113000-beef")
    folder = finished_run(runs, trained_bundle)
    app = run_app(monkeypatch, trained_bundle, runs=runs, page="Train")
    assert "2026-11-25 10:15 UTC · 2 epochs, batch 32" in app.dataframe[0].value["run"][1]
    assert app.multiselect(key="compare").value == ["committed", newer.name]
    app.selectbox(key="run_details").set_value(folder.name).run()
    app.button(key="use_run").click().run()
    assert app.multiselect(key="compare").value == ["committed", newer.name, folder.name]
    app.button(key="delete_run").click().run()
    assert not app.exception, app.exception
    assert not folder.exists() and [run.id for run in list_runs(runs)] == [newer.name]
    shutil.rmtree(newer)
    app.run()
    assert "No runs yet" in all_text(app)
    open_page(app, "Draw")
    assert "Answering with the committed model." in all_text(app)  # back to it, nothing to choose


def test_a_chosen_run_deleted_elsewhere_falls_back_to_the_committed_model(monkeypatch, trained_bundle, tmp_path):
    runs = tmp_path / "runs"
    folder = finished_run(runs, trained_bundle)
    app = run_app(monkeypatch, trained_bundle, runs=runs)
    app.selectbox(key="active_model").set_value(folder.name).run()
    assert "Answering with your run 2026-11-25 10:15 UTC" in all_text(app)
    shutil.rmtree(folder)  # another session deleted it
    app.run()
    assert not app.exception
    assert "no longer available: back to the committed model" in all_text(app)
    assert "Answering with the committed model." in all_text(app)


def test_flow_page_traces_a_test_digit_through_every_step(monkeypatch, trained_bundle, small_mnist_npz, small_mnist):
    monkeypatch.setenv(MNIST_ENV_VAR, str(small_mnist_npz))
    app = run_app(monkeypatch, trained_bundle, page="Follow the flow")
    assert "Draw a digit on the pad (or pick an MNIST test digit)" in all_text(app)
    app.button(key="flow_random").click().run()
    assert not app.exception, app.exception
    text = all_text(app)
    following = next(m.value for m in app.markdown if m.value.startswith("Following"))
    index = int(following.split("#")[1].split()[0])
    _, (x_test, y_test) = small_mnist
    assert f"(a {y_test[index]})" in following
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
    from drawing import SEVEN, draw_canvas

    app = run_app(monkeypatch, trained_bundle)
    app.session_state["last_drawing"] = draw_canvas(SEVEN)  # what the Draw page's pad keeps
    open_page(app, "Follow the flow")
    assert any(m.value == "Following **your drawing from the Draw page**." for m in app.markdown)
    assert len([h for h in app.subheader if h.value[0].isdigit()]) == 9
    open_page(app, "Draw")  # and the Draw page still answers with the trained model
    assert "the committed model" in all_text(app)


def test_a_drawing_is_deleted_from_your_drawings_only_after_confirmation(monkeypatch, trained_bundle, tmp_path):
    import numpy as np

    from model.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "f.sqlite")
    ids = [store.add(np.zeros((28, 28)), label, label, [0.1] * 10, "m", None) for label in (3, 5)]
    app = run_app(monkeypatch, trained_bundle, tmp_path / "f.sqlite", page="Your drawings")
    app.selectbox(key="delete_choice").set_value(ids[0]).run()
    app.button(key="delete_drawing").click().run()
    assert len(store.drawings()) == 2  # not yet: it asks first
    assert f"Delete drawing #{ids[0]} for good?" in all_text(app)
    app.button(key="delete_cancelled").click().run()
    assert len(store.drawings()) == 2 and "for good?" not in all_text(app)
    app.selectbox(key="delete_choice").set_value(ids[0]).run()
    app.button(key="delete_drawing").click().run()
    app.button(key="delete_confirmed").click().run()
    assert not app.exception, app.exception
    assert [d.id for d in store.drawings()] == [ids[1]]
    assert f"Drawing #{ids[0]} was deleted." in [s.body for s in app.success]
    assert {m.label: m.value for m in app.metric}["Drawings saved"] == "1"


def test_every_page_that_reads_a_damaged_store_says_so(monkeypatch, trained_bundle, tmp_path):
    damaged = tmp_path / "f.sqlite"
    damaged.write_bytes(b"garbage" * 500)
    app = run_app(monkeypatch, trained_bundle, damaged, page="Train")
    assert any("Your saved drawings cannot be added" in w.body and "is damaged" in w.body for w in app.warning)
    assert app.checkbox(key="train_add_drawings").disabled
    open_page(app, "Your drawings")
    assert "is damaged" in all_text(app)


def test_an_interrupted_run_is_explained_and_shown_the_same_everywhere(monkeypatch, trained_bundle, tmp_path):
    from run_folders import killed_run

    runs = tmp_path / "runs"
    folder = killed_run(runs)
    monkeypatch.setenv(BUNDLE_ENV_VAR, str(trained_bundle))
    monkeypatch.setenv(RUNS_ENV_VAR, str(runs))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["run"] = folder.name  # the page that started it, reloaded after the process died
    app.switch_page(PAGES["Train"])
    app.run()
    assert not app.exception, app.exception
    error = " ".join(e.body for e in app.error)
    assert "Run interrupted" in error and "stopped before it finished" in error and "nothing was saved" in error
    assert any("Epoch 1/1" in c.value for c in app.code)  # the end of its log, in view
    table = app.dataframe[0].value
    assert list(table["state"]) == ["interrupted"]
    assert "1 epoch," in table["run"][0] and "epochs" not in table["run"][0]
    picker = app.selectbox(key="run_details")
    assert picker.format_func(picker.value).endswith("(interrupted)")


def test_curves_are_scaled_to_the_data_and_every_batch_size_is_in_view(monkeypatch, trained_bundle, tmp_path):
    app = run_app(monkeypatch, trained_bundle)
    specs = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    accuracy = next(spec for spec in specs if spec["encoding"]["y"]["field"] == "accuracy")
    assert accuracy["encoding"]["y"]["scale"]["zero"] is False  # not a 0-1 axis with flat lines at the top
    open_page(app, "Train")
    batch = app.radio(key="train_batch")
    assert batch.options == ["32", "64", "128", "256"] and batch.value == 32


HANGUL = re.compile(r"[\uac00-\ud7a3]")


def korean_app(monkeypatch, bundle, tmp_path, page="Draw") -> AppTest:
    monkeypatch.setenv(BUNDLE_ENV_VAR, str(bundle))
    monkeypatch.setenv("DIGITS_FEEDBACK_DB", str(tmp_path / "f.sqlite"))
    monkeypatch.setenv(RUNS_ENV_VAR, str(tmp_path / "runs"))
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["lang"] = "ko"  # a teacher's shared link
    if page != "Draw":
        app.switch_page(PAGES[page])
    app.run()
    assert not app.exception, "\n".join(app.exception[0].stack_trace)
    return app


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
    english = [t for t in texts if not HANGUL.search(t) and re.search(r"\b[a-z]{4,}\b", re.sub(r"`[^`]*`", "", t))]
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
