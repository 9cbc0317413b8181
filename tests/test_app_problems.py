"""The pages without a browser (AppTest) when something is missing or damaged: said, never a crash."""

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from model.constants import BUNDLE_ENV_VAR, MNIST_ENV_VAR
from model.runs import RUNS_ENV_VAR, list_runs
from tests.apptest import (
    APP,
    VISITOR,
    all_text,
    as_visitor,
    open_page,
    run_app,
    shows_nothing_of_the_server,
    switch_page,
)


def test_missing_bundle_still_renders_and_says_it_is_missing_without_server_details(monkeypatch, tmp_path):
    app = run_app(monkeypatch, tmp_path / "no-such-bundle")
    text = all_text(app)
    assert "The model file is missing." in text
    assert shows_nothing_of_the_server(text, tmp_path)  # where and how to train: the server's log
    assert app.title  # the page itself is there


def test_corrupt_model_file_is_reported(monkeypatch, trained_bundle, tmp_path):
    bundle = tmp_path / "corrupt"
    shutil.copytree(trained_bundle, bundle)
    (bundle / "model.keras").write_bytes(b"this is not a zip archive")
    app = run_app(monkeypatch, bundle)
    text = all_text(app)
    assert "The model file is damaged (it is not a readable .keras archive)." in text
    assert "669,706" in text  # the rest of the bundle is still shown
    assert shows_nothing_of_the_server(text, tmp_path)


def test_unreadable_history_is_a_warning_not_a_crash(monkeypatch, trained_bundle, tmp_path):
    bundle = tmp_path / "bad-history"
    shutil.copytree(trained_bundle, bundle)
    (bundle / "history.json").write_text("{not json")
    app = run_app(monkeypatch, bundle)
    assert "history.json is not a readable JSON file" in all_text(app)
    assert not app.get("vega_lite_chart")


def test_inside_view_without_evaluation_explains_instead_of_failing(monkeypatch, trained_bundle, tmp_path):
    bundle = tmp_path / "no-evaluation"
    shutil.copytree(trained_bundle, bundle)
    (bundle / "evaluation.json").unlink()
    app = run_app(monkeypatch, bundle, page="Inside the model")
    text = all_text(app)
    assert "has no test-set evaluation (its evaluation.json is missing)" in text
    assert "What the first layer learned" in [h.value for h in app.subheader]


def test_damaged_feedback_store_is_reported_not_fatal(monkeypatch, trained_bundle, tmp_path):
    damaged = tmp_path / "f.sqlite"
    damaged.write_bytes(b"garbage" * 500)
    app = run_app(monkeypatch, trained_bundle, damaged, page="Your drawings")
    assert "The saved drawings are damaged" in all_text(app)
    assert shows_nothing_of_the_server(all_text(app), damaged)
    open_page(app, "Draw")  # the rest of the app still works
    assert "669,706" in all_text(app)


def test_every_page_that_reads_a_damaged_store_says_so(monkeypatch, trained_bundle, tmp_path):
    damaged = tmp_path / "f.sqlite"
    damaged.write_bytes(b"garbage" * 500)
    app = run_app(monkeypatch, trained_bundle, damaged, page="Train")
    assert any(
        "Your saved drawings cannot be added" in w.body and "are damaged" in w.body for w in app.warning
    )
    assert app.checkbox(key="train_add_drawings").disabled
    open_page(app, "Your drawings")
    assert "are damaged" in all_text(app)


def test_train_page_without_mnist_says_so_and_starts_nothing(monkeypatch, trained_bundle, tmp_path):
    monkeypatch.setenv(MNIST_ENV_VAR, str(tmp_path / "nowhere" / "mnist.npz"))
    app = run_app(monkeypatch, trained_bundle, runs=tmp_path / "runs", page="Train")
    app.button(key="start_training").click().run()
    errors = " ".join(e.body for e in app.error)
    assert "Nothing was started" in errors and "The MNIST file mnist.npz was not found" in errors
    assert shows_nothing_of_the_server(all_text(app), tmp_path)
    assert list_runs(tmp_path / "runs") == []


def test_an_interrupted_run_is_explained_and_shown_the_same_everywhere(monkeypatch, trained_bundle, tmp_path):
    from tests.run_folders import killed_run

    runs = tmp_path / "runs"
    folder = killed_run(runs, owner=VISITOR)
    monkeypatch.setenv(BUNDLE_ENV_VAR, str(trained_bundle))
    monkeypatch.setenv(RUNS_ENV_VAR, str(runs))
    app = as_visitor(AppTest.from_file(APP, default_timeout=60))  # its owner, back after it died
    switch_page(app, "Train")
    app.run()
    assert not app.exception, app.exception
    error = " ".join(e.body for e in app.error)
    assert (
        "Run interrupted" in error and "stopped before it finished" in error and "nothing was saved" in error
    )
    assert not app.code and shows_nothing_of_the_server(all_text(app), folder)  # its log stays on the server
    table = app.dataframe[0].value
    assert list(table["state"]) == ["interrupted"]
    assert "1 epoch," in table["run"][0] and "epochs" not in table["run"][0]
    picker = app.selectbox(key="run_details")
    assert picker.format_func(picker.value).endswith("(interrupted)")


DAMAGED_RECORDS = {
    "evaluation without a confusion matrix": ("evaluation.json", lambda e: e.pop("confusion_matrix")),
    "test accuracy as a word": ("evaluation.json", lambda e: e.update(test_accuracy="high")),
    "a misclassified digit out of range": (
        "evaluation.json",
        lambda e: e["misclassified"].append({"index": 10**6, "true": 3, "predicted": 5, "confidence": 0.5}),
    ),
    "null in the validation loss": ("history.json", lambda h: h["val_loss"].__setitem__(0, None)),
}


@pytest.mark.parametrize("damage", list(DAMAGED_RECORDS))
def test_a_damaged_bundle_record_is_said_and_every_page_still_renders(
    monkeypatch, trained_bundle, tmp_path, damage
):
    name, change = DAMAGED_RECORDS[damage]
    bundle = tmp_path / "damaged"
    shutil.copytree(trained_bundle, bundle)
    record = json.loads((bundle / name).read_text())
    change(record)
    (bundle / name).write_text(json.dumps(record))
    draw = run_app(monkeypatch, bundle)  # both pages render: run_app asserts no exception
    inside = run_app(monkeypatch, bundle, page="Inside the model")
    said = f"The model's {name} is damaged"
    assert said in all_text(draw) and shows_nothing_of_the_server(
        all_text(draw), bundle
    )  # Draw: both records
    if name == "evaluation.json":  # Inside shows the evaluation: it says why it cannot
        assert said in all_text(inside) and "evaluation.json is missing" not in all_text(inside)


def test_a_damaged_drawing_row_is_left_out_and_said_and_the_others_still_show(
    monkeypatch, trained_bundle, tmp_path
):
    import sqlite3

    import numpy as np

    from model.feedback import FeedbackStore

    store = FeedbackStore(tmp_path / "f.sqlite", owner=VISITOR)
    for label in (3, 7, 7):
        store.add(np.zeros((28, 28)), label, label, [0.1] * 10, "m", None)
    with sqlite3.connect(store.path) as connection:  # another program shortens one image
        connection.execute("UPDATE drawings SET digit = ? WHERE id = 2", (b"\x00" * 10,))
    assert [d.id for d in store.drawings()] == [3, 1] and store.damaged() == [2]
    app = run_app(monkeypatch, trained_bundle, store.path, page="Your drawings")
    assert {m.label: m.value for m in app.metric}["Drawings saved"] == "2"
    assert "1 saved drawings are damaged" in all_text(app)
    open_page(app, "Train")  # counts the drawings it could add: no traceback either
    assert app.checkbox(key="train_add_drawings").label.startswith("Add your 2 saved drawings")


def test_without_thumbnails_or_mnist_the_misses_are_a_list_in_the_pages_language(
    monkeypatch, trained_bundle, tmp_path
):
    from tests.apptest import korean_app

    bundle = tmp_path / "no-thumbnails"
    shutil.copytree(trained_bundle, bundle)
    (bundle / "misclassified.npz").unlink()
    monkeypatch.setenv(MNIST_ENV_VAR, str(tmp_path / "absent.npz"))  # no MNIST on this server
    app = korean_app(monkeypatch, bundle, tmp_path, "Inside the model")
    text = all_text(app)
    assert "목록만 보여 줍니다" in text
    assert "MNIST_NPZ" not in text and ".npz" not in text and shows_nothing_of_the_server(text, bundle)
    [table] = [frame.value for frame in app.dataframe]
    assert list(table.columns) == ["테스트 숫자 번호", "실제", "예측", "신뢰도"]
    assert len(table) >= 1 and all(share.endswith("%") for share in table["신뢰도"])
