"""One server, many visitors (AppTest): each sees, changes and trains on their own things only."""

import numpy as np
import pytest

from model.feedback import FeedbackStore
from model.runs import list_runs
from tests.apptest import VISITOR, all_text, open_page, run_app, shows_nothing_of_the_server
from tests.run_folders import finished_run, training_run

STRANGER = "s" * 43  # another browser's secret


def saved_drawings(path, owner, labels):
    store = FeedbackStore(path, owner=owner)
    for label in labels:
        store.add(np.full((28, 28), label / 10), label, label, [0.1] * 10, "m", None, key=f"k{label}")
    return store


def test_a_visitor_sees_and_trains_on_their_own_drawings_only(monkeypatch, trained_bundle, tmp_path):
    db = tmp_path / "f.sqlite"
    saved_drawings(db, VISITOR, [1, 2, 3])
    mine = run_app(monkeypatch, trained_bundle, db, page="Your drawings")
    assert {m.label: m.value for m in mine.metric}["Drawings saved"] == "3"
    stranger = run_app(monkeypatch, trained_bundle, db, page="Your drawings", secret=STRANGER)
    assert not stranger.metric and "No drawings saved yet" in all_text(stranger)
    open_page(stranger, "Train")
    assert stranger.checkbox(key="train_add_drawings").label.startswith("Add your 0 saved drawings")
    assert stranger.checkbox(key="train_add_drawings").disabled


def test_a_visitor_sees_uses_and_deletes_their_own_runs_only(monkeypatch, trained_bundle, tmp_path):
    runs = tmp_path / "runs"
    folder = finished_run(runs, trained_bundle, owner=VISITOR)
    stranger = run_app(monkeypatch, trained_bundle, runs=runs, page="Train", secret=STRANGER)
    assert "No runs of yours yet" in all_text(stranger) and not stranger.dataframe
    assert not stranger.get("selectbox") or "run_details" not in [s.key for s in stranger.selectbox]
    open_page(stranger, "Draw")
    assert "active_model" not in [s.key for s in stranger.selectbox]  # nothing of mine to choose
    assert shows_nothing_of_the_server(all_text(stranger), runs)
    mine = run_app(monkeypatch, trained_bundle, runs=runs, page="Train")
    assert list(mine.dataframe[0].value["state"]) == ["done"]
    assert [run.id for run in list_runs(runs)] == [folder.name]


def test_another_visitors_run_shows_as_training_with_no_cancel_and_no_details(
    monkeypatch, trained_bundle, tmp_path
):
    runs = tmp_path / "runs"
    with training_run(runs, owner=VISITOR) as folder:
        stranger = run_app(monkeypatch, trained_bundle, runs=runs, page="Train", secret=STRANGER)
        text = all_text(stranger)
        assert "Another visitor's run is training" in text and stranger.get("progress")
        assert "cancel_training" not in [b.key for b in stranger.button]
        assert stranger.button(key="start_training").disabled  # one run at a time, still
        assert "No runs of yours yet" in text
        mine = run_app(monkeypatch, trained_bundle, runs=runs, page="Train")
        assert mine.button(key="cancel_training")  # its owner, in any tab or after a reload
        assert "Another visitor's run" not in all_text(mine)
        assert not (folder / "cancel").exists()


@pytest.mark.parametrize(
    "page", ["Draw", "Follow the flow", "Inside the model", "Your drawings", "Train", "Class"]
)
def test_no_page_names_the_servers_files_variables_or_commands(monkeypatch, trained_bundle, tmp_path, page):
    runs, db = tmp_path / "runs", tmp_path / "f.sqlite"
    finished_run(runs, trained_bundle, owner=VISITOR)
    saved_drawings(db, VISITOR, [4, 5])
    app = run_app(monkeypatch, trained_bundle, db, runs=runs, page=page)
    assert shows_nothing_of_the_server(all_text(app), tmp_path, trained_bundle)


def test_the_download_is_made_on_the_click_and_the_click_starts_no_rerun(
    monkeypatch, trained_bundle, tmp_path
):
    """A rerun replaces a deferred download's file: a download asked for just before it got nothing."""
    db = tmp_path / "f.sqlite"
    saved_drawings(db, VISITOR, [1, 2, 3])
    app = run_app(monkeypatch, trained_bundle, db, page="Your drawings")
    [button] = app.get("download_button")
    assert button.proto.deferred_file_id  # the .npz is compressed only when someone clicks
    assert button.proto.ignore_rerun
