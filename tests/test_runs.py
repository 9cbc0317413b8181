"""Training runs in the background: real training processes, their progress, cancel, failures."""

import json
import os
import signal
import time

import numpy as np
import pytest

from model.bundle import read_json
from model.inference import Classifier
from model.progress import Status, progress, read_status, remaining_seconds, write_status
from model.runs import (
    RunError,
    RunSettings,
    cancel_run,
    delete_run,
    list_runs,
    read_run,
    run_folder,
    start_run,
)
from model.train import main

OWNER, OTHER = "a" * 32, "b" * 32  # two visitors' owner ids


def wait_for(folder, condition, timeout=120.0):
    """Poll a run folder until `condition(run)` holds; returns the run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = read_run(folder)
        if run is not None and condition(run):
            return run
        time.sleep(0.2)
    raise AssertionError(
        f"run in {folder} never got there; last state {run and run.state}: {run and run.status}"
    )


def log_of(run) -> str:
    return (run.folder / "train.log").read_text(errors="replace")[-3000:]


@pytest.mark.slow
def test_a_run_trains_in_the_background_and_leaves_a_usable_bundle(tmp_path, small_mnist_npz):
    settings = RunSettings(epochs=2, batch_size=64, limit=1000, seed=0, outliers=True)
    run = start_run(settings, str(small_mnist_npz), tmp_path)
    assert run.active and run.alive
    with pytest.raises(RunError, match="Another training run is in progress"):
        start_run(RunSettings(epochs=1), str(small_mnist_npz), tmp_path)  # one at a time

    run = wait_for(run.folder, lambda r: not r.active and not r.alive)
    assert run.state == "done", log_of(run)
    assert run.usable and not run.alive
    status = run.status
    assert status.epoch == 2 and status.epochs == 2 and status.steps == 18  # (1,000 + 150 non-digits) / 64
    assert len(status.history["val_accuracy"]) == 2 and status.elapsed > 0
    assert sorted(p.name for p in run.bundle.iterdir()) == [
        "evaluation.json",
        "history.json",
        "misclassified.npz",
        "model.keras",
        "summary.txt",
    ]
    assert run.test_accuracy == read_json(run.bundle / "evaluation.json")["test_accuracy"]
    assert run.test_accuracy > 0.7  # 1,000 real digits, 2 epochs
    assert run.settings.limit == 1000 and run.settings.batch_size == 64 and run.settings.outliers
    assert "--limit 1000" in " ".join(run.info.command) and "--outliers 0.15" in " ".join(run.info.command)
    assert [r.id for r in list_runs(tmp_path)] == [run.id]
    assert not [p.name for p in run.folder.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.slow
def test_bundle_from_a_run_classifies_real_digits_as_its_evaluation_says(
    tmp_path, small_mnist_npz, small_mnist
):
    run = start_run(RunSettings(epochs=2, batch_size=32, seed=1), str(small_mnist_npz), tmp_path)
    run = wait_for(run.folder, lambda r: not r.active and not r.alive)
    assert run.state == "done", log_of(run)
    classifier = Classifier.load(run.bundle)  # the app's loader: safe mode, NumPy forward pass
    _, (x_test, y_test) = small_mnist
    evaluation = read_json(run.bundle / "evaluation.json")
    missed = {miss["index"] for miss in evaluation["misclassified"]}
    right = [
        classifier.classify_image(image.astype(np.float32) / 255).digit == label
        for image, label in zip(x_test[:300], y_test[:300])
    ]
    assert right == [index not in missed for index in range(300)]  # the same answers as Keras gave
    assert np.mean(right) > 0.8  # and it learned: 3,000 real digits, 2 epochs


@pytest.mark.slow
def test_cancel_stops_the_run_and_saves_nothing(tmp_path, small_mnist_npz):
    run = start_run(
        RunSettings(epochs=20, batch_size=32, seed=0), str(small_mnist_npz), tmp_path, owner=OWNER
    )
    run = wait_for(run.folder, lambda r: r.state == "training" and r.status.step > 0 or not r.active)
    assert run.state == "training", log_of(run)
    assert run.may_cancel(OWNER) and not run.may_cancel(OTHER) and not run.may_cancel(None)
    with pytest.raises(RunError, match="Only the visitor who started"):
        cancel_run(run, by=OTHER)
    assert not (run.folder / "cancel").exists() and read_run(run.folder).active
    cancel_run(run, by=OWNER)
    run = wait_for(run.folder, lambda r: not r.alive, timeout=30)
    assert run.state == "cancelled"
    assert run.status.state == "cancelled"  # the process itself recorded it
    assert run.status.reason is None  # a cancel needs no reason: the page says what it means
    assert not run.bundle.exists()
    assert not [p.name for p in run.folder.iterdir() if p.name.startswith(".")]  # no half-written bundle
    with pytest.raises(RunError, match="Only the visitor who started"):
        delete_run(run, by=OTHER)
    assert run.folder.exists()
    delete_run(run, by=OWNER)
    assert not run.folder.exists()


@pytest.mark.slow
def test_a_killed_training_process_shows_as_interrupted(tmp_path, small_mnist_npz):
    run = start_run(RunSettings(epochs=20, batch_size=32), str(small_mnist_npz), tmp_path)
    run = wait_for(run.folder, lambda r: r.state in ("building", "training") or not r.active)
    assert run.active, log_of(run)
    os.killpg(int((run.folder / "pid").read_text()), signal.SIGKILL)
    run = wait_for(run.folder, lambda r: not r.active, timeout=30)
    assert run.state == "interrupted" and not run.bundle.exists()
    assert not run.usable
    # The machine is free again: a new run may start.
    again = start_run(RunSettings(epochs=1, limit=100), str(small_mnist_npz), tmp_path)
    wait_for(again.folder, lambda r: not r.active)


def test_a_run_on_a_malformed_data_file_fails_with_the_reason(tmp_path):
    bad = tmp_path / "bad.npz"
    np.savez(bad, x_train=np.zeros((3, 5), np.uint8))
    run = start_run(RunSettings(epochs=1), str(bad), tmp_path / "runs")
    run = wait_for(run.folder, lambda r: not r.active and not r.alive)
    assert run.state == "failed"
    assert "missing keys" in str(run.status.reason) and not run.bundle.exists()


@pytest.mark.parametrize(
    "settings, problem",
    [
        (RunSettings(epochs=0), "Epochs must be between 1 and 20"),
        (RunSettings(epochs=21), "Epochs must be between 1 and 20"),
        (RunSettings(batch_size=48), "Batch size must be one of"),
        (RunSettings(limit=0), "at least 1"),
    ],
)
def test_out_of_range_settings_are_refused_before_anything_starts(tmp_path, settings, problem):
    with pytest.raises(RunError, match=problem):
        start_run(settings, None, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_extra_drawings_are_added_to_training_and_scored_on_their_own(tmp_path, small_mnist_npz, small_mnist):
    (x_train, y_train), (x_test, y_test) = small_mnist
    extra = tmp_path / "mine.npz"
    np.savez(extra, x_train=x_test[:40], y_train=y_test[:40], x_test=x_test[40:50], y_test=y_test[40:50])
    out = tmp_path / "bundle"
    args = [
        "--data",
        str(small_mnist_npz),
        "--limit",
        "500",
        "--epochs",
        "1",
        "--seed",
        "0",
        "--out",
        str(out),
    ]
    assert main([*args, "--extra", str(extra), "--extra-repeat", "3"]) == 0
    history = read_json(out / "history.json")
    assert history["train_samples"] == 500 + 3 * 40
    assert history["extra"]["train_images"] == 40 and history["extra"]["test_images"] == 10
    assert 0 <= history["extra"]["test_accuracy"] <= 1
    assert history["data_source"] == "small_mnist.npz + mine.npz (x3)"  # names only, no folders
    assert history["extra"]["file"] == "mine.npz"


def test_a_malformed_extra_file_is_refused_with_a_clear_error(tmp_path, small_mnist_npz, capsys):
    extra = tmp_path / "mine.npz"
    extra.write_bytes(b"not an npz")
    out = tmp_path / "bundle"
    assert main(["--data", str(small_mnist_npz), "--extra", str(extra), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not a valid MNIST .npz" in err and str(extra) in err  # the command line names the file
    assert not out.exists()


def test_status_file_is_replaced_whole_and_read_back_typed(tmp_path):
    path = tmp_path / "status.json"
    write_status(path, Status(state="training", epoch=1, epochs=3, history={"loss": [0.5]}))
    status = read_status(path)
    assert status.state == "training" and status.epoch == 1 and status.epochs == 3
    assert status.history["loss"] == [0.5] and status.history["val_loss"] == []
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]  # no staging file left
    assert read_status(tmp_path / "missing.json") is None


@pytest.mark.parametrize(
    "record",
    [
        "{half",
        '["not", "an", "object"]',
        '{"state": ["x"]}',
        '{"state": "exploded"}',
        '{"state": "done", "test_accuracy": "high"}',
        '{"state": "training", "elapsed": "long"}',
        '{"state": "training", "epoch": true}',
        '{"state": "training", "history": {"loss": [null]}}',
    ],
)
def test_a_damaged_status_is_refused_whole(tmp_path, record):
    path = tmp_path / "status.json"
    path.write_text(record)
    with pytest.raises(ValueError):
        read_status(path)


def test_a_run_whose_records_are_damaged_is_listed_as_damaged_and_the_others_still_read(tmp_path):
    good = tmp_path / "20261125-101500-600d"
    good.mkdir()
    (good / "run.json").write_text(json.dumps({"id": good.name, "created": "2026-11-25T10:15:00+00:00"}))
    write_status(good / "status.json", Status(state="done", test_accuracy=0.9))
    for name, run_json, status in (
        ("20261125-101600-bad1", {"created": 12345}, None),
        ("20261125-101700-bad2", {"created": "2026-11-25T10:17:00", "settings": "fast"}, None),
        ("20261125-101800-bad3", {"created": "2026-11-25T10:18:00"}, '{"state": ["x"]}'),
        ("20261125-101900-bad4", {"created": "2026-11-25T10:19:00", "settings": {"epochs": True}}, None),
    ):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "run.json").write_text(json.dumps(run_json))
        if status:
            (folder / "status.json").write_text(status)
    runs = {run.id: run for run in list_runs(tmp_path)}
    assert runs[good.name].state == "done" and runs[good.name].test_accuracy == 0.9
    assert [runs[n].state for n in sorted(runs) if n != good.name] == ["damaged"] * 4
    assert not any(runs[n].active or runs[n].usable for n in runs if n != good.name)


def test_progress_after_the_last_epoch_stays_full_until_evaluation():
    last = progress(
        Status(state="training", epoch=5, epochs=5, step=0, steps=32, elapsed=30.0, remaining=0.0)
    )
    assert (last.epoch, last.epochs, last.step, last.steps, last.fraction) == (5, 5, 32, 32, 1.0)
    early = progress(
        Status(state="training", epoch=0, epochs=5, step=1, steps=32, elapsed=1.0, remaining=150)
    )
    assert early.remaining is None  # the first batches include compiling: no estimate yet
    retracing = progress(Status(state="building", prepared=(500, 2000, 5.0)))
    assert retracing.phase == "retracing" and retracing.fraction == 0.25 and retracing.remaining == 15.0


def test_remaining_time_follows_the_pace_so_far():
    assert remaining_seconds(10.0, epoch=1, step=0, epochs=4, steps=100) == pytest.approx(30.0)
    assert remaining_seconds(10.0, epoch=0, step=50, epochs=1, steps=100) == pytest.approx(10.0)
    assert remaining_seconds(0.0, epoch=0, step=0, epochs=5, steps=100) is None  # no pace yet
    assert remaining_seconds(5.0, epoch=2, step=0, epochs=2, steps=100) == 0.0


def test_an_unusable_runs_folder_is_a_clear_error_not_a_crash(tmp_path):
    blocker = tmp_path / "runs"
    blocker.write_text("a file where the runs folder should be")
    with pytest.raises(RunError, match="cannot be saved on this server") as raised:
        start_run(RunSettings(epochs=1), None, blocker)
    assert str(blocker) not in raised.value.template and str(blocker) in raised.value.detail
    assert list_runs(blocker) == []


def test_a_fifo_named_like_a_run_record_is_never_opened(tmp_path):
    """Opening a FIFO for reading blocks until something writes to it: every page would hang."""
    import threading

    blocked = tmp_path / "20261125-101500-f1f0"
    blocked.mkdir()
    os.mkfifo(blocked / "run.json")
    half = tmp_path / "20261125-101600-4a1f"
    half.mkdir()
    (half / "run.json").write_text(json.dumps({"id": half.name, "created": "2026-11-25T10:16:00+00:00"}))
    os.mkfifo(half / "status.json")
    found = []
    reader = threading.Thread(target=lambda: found.append(list_runs(tmp_path)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert found, "list_runs blocked on a FIFO"
    assert [run.id for run in found[0]] == [half.name] and found[0][0].state != "damaged"


def test_a_run_id_from_a_browser_or_a_record_names_a_run_folder_only_inside_the_runs_folder(tmp_path):
    root = tmp_path / "runs"
    (root / "20261125-101500-abcd").mkdir(parents=True)
    assert run_folder("20261125-101500-abcd", root) == root / "20261125-101500-abcd"
    outside = tmp_path / "20261125-101500-beef"
    outside.mkdir()
    (root / "20261125-101500-beef").symlink_to(outside)  # a link out of the runs folder
    for bad in (
        "../20261125-101500-beef",
        str(outside),
        "20261125-101500-beef",
        "..",
        "",
        "x" * 20,
        "20261125-101500-abcd/..",
        "20261125-101500-ABCD",
        None,
        12345,
        ["20261125-101500-abcd"],
    ):
        assert run_folder(bad, root) is None, bad
    assert [
        run.id for run in list_runs(root)
    ] == []  # neither is a run (no run.json), and no link is followed
