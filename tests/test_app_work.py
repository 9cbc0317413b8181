"""Saved drawings and training runs through the pages without a browser (AppTest)."""

import json
import shutil

import pytest

from model.constants import MNIST_ENV_VAR
from model.runs import list_runs
from tests.apptest import (
    VISITOR,
    all_text,
    open_page,
    run_app,
)
from tests.run_folders import finished_run


def test_your_drawings_view_summarises_saved_drawings(monkeypatch, trained_bundle, tmp_path):
    import numpy as np

    from model.constants import NOT_A_DIGIT
    from model.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "f.sqlite", owner=VISITOR)
    for label, predicted in [(3, 3), (7, 1), (7, 7), (NOT_A_DIGIT, 0)]:
        store.add(np.zeros((28, 28)), label, predicted, [0.1] * 10, "m", None)
    app = run_app(monkeypatch, trained_bundle, tmp_path / "f.sqlite", page="Your drawings")
    facts = {m.label: m.value for m in app.metric}
    assert facts["Drawings saved"] == "4" and facts["Answered right"] == "50.0%"
    text = all_text(app)
    assert "a 7 (the app said a 1)" in text and "“not a digit” (the app said a 0)" in text
    assert "holds your 3 drawings of digits; the 1 marked “not a digit” are left out" in text


def test_a_drawing_is_deleted_from_your_drawings_only_after_confirmation(
    monkeypatch, trained_bundle, tmp_path
):
    import numpy as np

    from model.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "f.sqlite", owner=VISITOR)
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


@pytest.mark.slow
def test_a_short_training_run_from_the_train_page_becomes_this_sessions_model(
    monkeypatch, trained_bundle, small_mnist_npz, small_mnist, tmp_path
):
    import time

    import numpy as np

    from model.feedback import FeedbackStore
    from model.inference import Classifier

    _, (x_test, y_test) = small_mnist
    store = FeedbackStore(tmp_path / "f.sqlite", owner=VISITOR)
    for image, label in zip(x_test[:10], y_test[:10]):  # ten saved drawings, added to MNIST below
        store.add(image / 255, int(label), int(label), [0.1] * 10, "m", None)
    monkeypatch.setenv(MNIST_ENV_VAR, str(small_mnist_npz))
    runs = tmp_path / "runs"
    app = run_app(monkeypatch, trained_bundle, tmp_path / "f.sqlite", runs=runs, page="Train")
    assert "No runs of yours yet" in all_text(app)
    app.slider(key="train_epochs").set_value(1)
    app.selectbox(key="train_images").set_value(1000)
    app.checkbox(key="train_add_drawings").check()
    app.toggle(key="train_outliers").set_value(True)
    app.toggle(key="train_written").set_value(True)
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
    assert run.usable and run.settings.epochs == 1 and run.settings.limit == 1000 and run.settings.outliers
    assert run.settings.written and "--written 0.5 --real 0.5" in " ".join(run.info.command)
    assert Classifier.load(run.bundle).predict_proba(np.zeros((1, 784))).shape == (1, 10)
    history = json.loads((run.bundle / "history.json").read_text())
    # 8 of the 10 drawings, each repeated 10x, half as many digits written as strokes, as many real
    # pen-written ones, and 15% more in drawings that are no digit
    assert history["train_samples"] == 1080 + 540 + 540 + round(0.15 * 2160)
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
    newer = finished_run(runs, trained_bundle, "20261125-113000-beef", owner=VISITOR)
    folder = finished_run(runs, trained_bundle, owner=VISITOR)
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
    assert "No runs of yours yet" in all_text(app)
    open_page(app, "Draw")
    assert "Answering with the model that comes with the app." in all_text(
        app
    )  # back to it, nothing to choose


def test_a_chosen_run_deleted_elsewhere_falls_back_to_the_model_that_comes_with_the_app(
    monkeypatch, trained_bundle, tmp_path
):
    runs = tmp_path / "runs"
    folder = finished_run(runs, trained_bundle, owner=VISITOR)
    app = run_app(monkeypatch, trained_bundle, runs=runs)
    app.selectbox(key="active_model").set_value(folder.name).run()
    assert "Answering with your run 2026-11-25 10:15 UTC" in all_text(app)
    shutil.rmtree(folder)  # another session deleted it
    app.run()
    assert not app.exception
    assert "no longer available: back to the model that comes with the app" in all_text(app)
    assert "Answering with the model that comes with the app." in all_text(app)


def test_the_train_switches_say_how_many_images_they_add_from_the_training_settings(
    monkeypatch, trained_bundle
):
    import views.train

    def helps(app) -> dict:
        return {toggle.key: toggle.help for toggle in app.toggle}

    monkeypatch.setattr("os.cpu_count", lambda: 1)
    app = run_app(monkeypatch, trained_bundle, page="Train")
    shown = helps(app)
    assert "(30,000 for all 60,000 MNIST images" in shown["train_written"]  # --written 0.5
    assert "30 people wrote with a pen on a tablet (30,000 for all 60,000)" in shown["train_written"]
    assert "Making them first takes about 120 seconds" in shown["train_written"]  # 75 + 45
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    app.run()
    assert "Making them first takes about 60 seconds" in helps(app)["train_written"]  # on two cores
    assert "(15% more images)" in shown["train_outliers"]  # --outliers 0.15
    monkeypatch.setattr(views.train, "WRITTEN_SHARE", 0.25)
    monkeypatch.setattr(views.train, "REAL_SHARE", 0.1)
    monkeypatch.setattr(views.train, "OUTLIER_SHARE", 0.3)
    app.run()
    shown = helps(app)
    assert "(15,000 for all 60,000 MNIST images" in shown["train_written"]
    assert "(6,000 for all 60,000)" in shown["train_written"]
    assert "(30% more images)" in shown["train_outliers"]
