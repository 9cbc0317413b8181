"""Training: a real short run writes a complete bundle; failures never damage the previous one."""

import json

import numpy as np
import pytest

from model import callbacks
from model.bundle import read_json
from model.train import TrainConfig, main, parse_args, train


def test_short_real_training_run_writes_a_complete_bundle(trained_bundle):
    names = sorted(p.name for p in trained_bundle.iterdir())
    assert names == ["evaluation.json", "history.json", "misclassified.npz", "model.keras", "summary.txt"]
    history = read_json(trained_bundle / "history.json")
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(history[key]) == 2
    assert history["settings"]["epochs"] == 2 and history["settings"]["batch_size"] == 32
    assert len(history["seconds_per_epoch"]) == 2 and history["data_source"].endswith(".npz")
    assert "/" not in history["data_source"]  # the file's name: the machine's folders stay on it
    evaluation = read_json(trained_bundle / "evaluation.json")
    matrix = np.array(evaluation["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 1000
    assert evaluation["test_accuracy"] == pytest.approx(np.trace(matrix) / 1000)
    assert evaluation["test_accuracy"] > 0.8  # 3,000 real digits, 2 epochs
    assert len(evaluation["misclassified"]) == 1000 - np.trace(matrix)
    miss = evaluation["misclassified"][0]
    assert miss["true"] != miss["predicted"] and 0 < miss["confidence"] <= 1
    assert "669,706" in (trained_bundle / "summary.txt").read_text()
    with np.load(trained_bundle / "misclassified.npz", allow_pickle=False) as missed:
        assert missed["images"].shape == (len(evaluation["misclassified"]), 28, 28)
        assert missed["images"].dtype == np.uint8


@pytest.mark.slow
def test_same_seed_gives_the_same_model(small_mnist):
    (x_train, y_train), test = small_mnist
    subset = ((x_train[:600], y_train[:600]), test)
    config = TrainConfig(epochs=1, seed=7)
    first = train(subset, config, verbose=0)
    second = train(subset, config, verbose=0)
    assert first.history["loss"] == second.history["loss"]
    for a, b in zip(first.model.get_weights(), second.model.get_weights()):
        assert np.array_equal(a, b)


@pytest.fixture
def fit_inputs(monkeypatch) -> dict:
    """What `model.fit` is given (x, y), filled in when training runs."""
    import keras

    seen = {}
    real_fit = keras.Model.fit

    def fit(model, x=None, y=None, **kwargs):
        seen["x"], seen["y"] = x, y
        return real_fit(model, x=x, y=y, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", fit)
    return seen


def test_outlier_exposure_adds_drawings_that_are_no_digit_with_a_flat_target(small_mnist, fit_inputs):
    (x_train, y_train), test = small_mnist
    seen = fit_inputs
    result = train(
        ((x_train[:600], y_train[:600]), test), TrainConfig(epochs=1, seed=3, outliers=0.25), verbose=0
    )
    assert result.history["train_samples"] == 750 and result.history["settings"]["outliers"] == 0.25
    others = seen["y"][600:]
    assert others.shape == (150, 10) and np.allclose(others, 0.1)  # no digit: the same for each
    assert seen["x"].shape == (750, 784) and 0 <= seen["x"].min() and seen["x"].max() <= 1


def test_drawings_that_are_no_digit_are_mnist_style_images():
    from model.outliers import non_digit_images

    images = non_digit_images(40, np.random.default_rng(0))
    assert images.shape == (40, 28, 28) and images.dtype == np.uint8
    assert all(image.max() > 200 for image in images)  # ink, fitted like a drawing
    assert np.array_equal(images, non_digit_images(40, np.random.default_rng(0)))  # reproducible


def test_digits_written_as_strokes_are_labelled_mnist_style_images(fit_inputs, small_mnist):
    from model.written import SHAPES, written_digits

    images, labels = written_digits(60, np.random.default_rng(0))
    assert images.shape == (60, 28, 28) and images.dtype == np.uint8
    assert np.array_equal(np.bincount(labels), [6] * 10)  # every digit as often
    assert all(image.max() == 255 for image in images)  # ink, fitted like a drawing
    rows = (images.sum(axis=2) @ np.arange(28)) / images.sum(axis=(1, 2))
    assert np.all(np.abs(rows - 14) < 1.5)  # centred by mass, as MNIST
    again, _ = written_digits(60, np.random.default_rng(0))
    assert np.array_equal(images, again)  # reproducible
    assert set(SHAPES) == set(range(10)) and all(len(shapes) >= 2 for shapes in SHAPES.values())

    (x_train, y_train), test = small_mnist
    seen = fit_inputs
    result = train(
        ((x_train[:500], y_train[:500]), test), TrainConfig(epochs=1, seed=3, written=0.2), verbose=0
    )
    assert result.history["train_samples"] == 600 and result.history["settings"]["written"] == 0.2
    assert np.array_equal(seen["y"][500:].argmax(axis=1), np.arange(100) % 10)  # one-hot, digit by digit


@pytest.mark.slow
def test_augmented_training_adds_styled_pen_and_written_digits_and_reports_building(small_mnist):
    (x_train, y_train), test = small_mnist
    heard = []

    def on_phase(name, **fields):
        if "prepared" in fields:
            heard.append(fields["prepared"][:2])

    config = TrainConfig(epochs=1, seed=0, augment=True, written=0.5)
    result = train(((x_train[:600], y_train[:600]), test), config, verbose=0, on_phase=on_phase)
    assert result.history["train_samples"] > 900 + 300  # 600 + styled + pen-retraced + 300 written
    assert result.history["settings"]["augment"] is True
    # One progress bar to its end: the retraced digits, then the 300 written ones, against one total.
    done, totals = [d for d, _ in heard], {t for _, t in heard}
    assert len(totals) == 1 and done == sorted(done) and done[-1] == max(totals)
    assert done[-1] - 300 in done


RETRACE_BOTH_WAYS = """
import sys
import numpy as np
from model import augment, parallel
from model.data import read_mnist_npz

(x_train, y_train), _ = read_mnist_npz(sys.argv[1])
images, labels = x_train[:400], y_train[:400]
augment.PROGRESS_CHUNK = 100  # several chunks, so their order matters
parallel.PARALLEL_FROM = 10**9
one_core = augment.augmented_training_set(images, labels, np.random.default_rng(3))
parallel.PARALLEL_FROM = 1
heard = []
spread = augment.augmented_training_set(
    images, labels, np.random.default_rng(3), on_progress=lambda done, total: heard.append((done, total))
)
assert np.array_equal(one_core[0], spread[0]) and np.array_equal(one_core[1], spread[1]), "different images"
total = heard[-1][1]
assert [done for done, _ in heard] == [min(100 * k, total) for k in range(1, len(heard) + 1)], heard
assert len(heard) == -(-total // 100) >= 4, heard
print("identical", len(spread[0]))
"""


@pytest.mark.slow
def test_retracing_spread_over_worker_processes_gives_the_same_images(small_mnist_npz):
    import subprocess
    import sys

    from tests.conftest import ROOT

    # A fresh interpreter, as the training command runs: worker processes are spawned, and in
    # this test process other tests (AppTest) have replaced the __main__ module they would load.
    done = subprocess.run(
        [sys.executable, "-c", RETRACE_BOTH_WAYS, str(small_mnist_npz)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("identical")


def test_the_training_module_imports_no_tensorflow():
    # The command's worker processes import its main module, model.train: without Keras and
    # TensorFlow there, each starts in a fraction of the time and memory.
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = "import sys, model.train; print(sorted({'keras', 'tensorflow'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"


MADE_BOTH_WAYS = """
import numpy as np
from model import parallel

parallel.CHUNK = 100  # several chunks, so their order matters
one_core = [*parallel.written(350, 4), *parallel.real(250, 4), parallel.no_digits(230, 4)]
parallel.PARALLEL_FROM = 1
heard = []
with parallel.mapper(10) as map_:
    assert map_ is not map, "no worker processes"
    spread = [
        *parallel.written(350, 4, on_progress=heard.append, map_=map_),
        *parallel.real(250, 4, map_=map_),
        parallel.no_digits(230, 4, map_=map_),
    ]
assert [len(a) for a in one_core] == [350, 350, 250, 250, 230], [len(a) for a in one_core]
assert all(np.array_equal(a, b) for a, b in zip(one_core, spread, strict=True)), "different images"
assert heard == [100, 200, 300, 350], heard
assert np.array_equal(np.bincount(spread[1]), [35] * 10)  # written: every digit as often
print("identical")
"""


@pytest.mark.slow
def test_written_real_and_no_digit_images_are_the_same_on_worker_processes():
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-c", MADE_BOTH_WAYS], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("identical")


def make_previous_bundle(out):
    out.mkdir(parents=True)
    (out / "model.keras").write_bytes(b"previous model")
    (out / "history.json").write_text(json.dumps({"loss": [1.0]}))
    return {p.name: p.read_bytes() for p in out.iterdir()}


def assert_untouched(out, before):
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in out.parent.iterdir()] == [out.name], "temporary folders left behind"


@pytest.mark.slow
def test_interrupted_training_leaves_the_previous_bundle_intact(small_mnist_npz, tmp_path, monkeypatch):
    out = tmp_path / "bundle"
    before = make_previous_bundle(out)

    def interrupt(self, epoch, logs=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(callbacks.EpochTimer, "on_epoch_end", interrupt)
    with pytest.raises(KeyboardInterrupt):
        main(["--data", str(small_mnist_npz), "--epochs", "2", "--out", str(out)])
    assert_untouched(out, before)


@pytest.mark.slow
def test_failure_while_saving_leaves_the_previous_bundle_intact(small_mnist_npz, tmp_path, monkeypatch):
    out = tmp_path / "bundle"
    before = make_previous_bundle(out)
    import keras

    def broken_save(self, path, *args, **kwargs):
        with open(path, "wb") as half_written:
            half_written.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        main(["--data", str(small_mnist_npz), "--epochs", "1", "--out", str(out)])
    assert_untouched(out, before)


@pytest.mark.slow
def test_a_new_run_replaces_the_previous_bundle(trained_bundle, small_mnist_npz, tmp_path):
    out = tmp_path / "bundle"
    make_previous_bundle(out)
    assert main(["--data", str(small_mnist_npz), "--epochs", "1", "--out", str(out)]) == 0
    assert (out / "model.keras").read_bytes() != b"previous model"
    assert read_json(out / "history.json")["settings"]["epochs"] == 1
    assert [p.name for p in out.parent.iterdir()] == ["bundle"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--epochs", "0"], "must be at least 1"),
        (["--epochs", "five"], "expected a whole number"),
        (["--batch-size", "-3"], "must be at least 1"),
        (["--seed", "x"], "invalid int value"),
        (["--learning-rate", "0"], "must be greater than 0"),
        (["--learning-rate", "fast"], "expected a number"),
        (["--colour", "red"], "unrecognized arguments"),
        (["--outliers", "2"], "must be between 0 and 1"),
        (["--outliers", "some"], "expected a number"),
        (["--written", "1.5"], "must be between 0 and 1"),
        (["--real", "-0.5"], "must be between 0 and 1"),
    ],
)
def test_wrong_arguments_get_a_clear_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_defaults_follow_the_tutorial():
    args = parse_args([])
    assert (args.epochs, args.batch_size, args.augment) == (5, 32, False)
    assert args.out.parts[-2:] == ("model", "artifacts")


def test_missing_data_file_is_reported_without_a_traceback(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "missing.npz"), "--out", str(tmp_path / "out")]) == 2
    assert "missing.npz" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_damaged_file_of_real_pen_digits_is_reported_before_any_work(
    small_mnist_npz, tmp_path, capsys, monkeypatch
):
    import model.pen_train

    damaged = tmp_path / "pendigits-train.npz"
    damaged.write_bytes(model.pen_train.PEN_TRAIN_FILE.read_bytes()[:3000])
    monkeypatch.setattr(model.pen_train, "PEN_TRAIN_FILE", damaged)
    argv = ["--data", str(small_mnist_npz), "--real", "0.5", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    assert "pendigits-train.npz cannot be read" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_training_can_start_from_a_saved_model(small_mnist):
    from model.constants import DEFAULT_BUNDLE_DIR
    from model.model_file import read_mlp_weights

    (x_train, y_train), test = small_mnist
    init = str(DEFAULT_BUNDLE_DIR / "model.keras")
    started = [array for layer in read_mlp_weights(init) for array in layer]
    config = TrainConfig(epochs=1, seed=1, init=init, learning_rate=1e-9)  # a step too small to matter
    result = train(((x_train[:64], y_train[:64]), test), config, verbose=0)
    for before, after in zip(started, result.model.get_weights()):
        assert np.allclose(before, after, atol=1e-4)
    assert result.history["settings"]["init"] == init
    assert result.evaluation["test_accuracy"] > 0.97  # the app's model, not a fresh one


def test_a_start_model_that_is_not_the_mlp_is_refused_before_training(tmp_path, small_mnist_npz, capsys):
    damaged = tmp_path / "model.keras"
    damaged.write_bytes(b"not a zip")
    out = tmp_path / "out"
    assert main(["--data", str(small_mnist_npz), "--init", str(damaged), "--out", str(out)]) == 2
    assert "damaged" in capsys.readouterr().err
    assert not out.exists()


def test_weight_decay_shrinks_every_weight_by_the_learning_rate_times_the_decay_at_each_step():
    import keras

    from model.train import make_optimizer

    assert make_optimizer(TrainConfig(), steps_per_epoch=10).weight_decay is None  # the tutorial's RMSprop
    optimizer = make_optimizer(TrainConfig(weight_decay=0.5, learning_rate=0.1), steps_per_epoch=10)
    assert isinstance(optimizer, keras.optimizers.RMSprop)
    weight = keras.Variable(np.full((2, 2), 4.0, dtype="float32"))
    optimizer.apply_gradients([(np.zeros((2, 2), dtype="float32"), weight)])  # no gradient: decay alone
    assert np.allclose(keras.ops.convert_to_numpy(weight), 4.0 * (1 - 0.1 * 0.5))
    assert parse_args(["--weight-decay", "0.05"]).weight_decay == 0.05
    assert parse_args([]).weight_decay == 0.0
    with pytest.raises(SystemExit):
        parse_args(["--weight-decay", "-0.1"])


def test_lr_decay_follows_a_cosine_to_zero():
    import keras

    from model.train import make_optimizer

    optimizer = make_optimizer(TrainConfig(epochs=2, lr_decay=True, learning_rate=0.01), steps_per_epoch=10)
    assert isinstance(optimizer, keras.optimizers.RMSprop)
    schedule = optimizer.learning_rate if callable(optimizer.learning_rate) else optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(0.01)
    assert float(schedule(10)) == pytest.approx(0.005, rel=1e-3)
    assert float(schedule(20)) == pytest.approx(0.0, abs=1e-6)
    assert float(make_optimizer(TrainConfig(), steps_per_epoch=10).learning_rate) == pytest.approx(0.001)


def test_every_epoch_mixes_the_whole_training_set():
    # The styled, retraced, written and no-digit images are appended in blocks; every batch must
    # draw from all of them, not only from the blocks a too-small shuffle buffer has reached.
    from model.train import training_inputs

    count, batch = 4000, 400
    labels = np.repeat(np.arange(4), count // 4)  # four blocks, in order
    x = np.zeros((count, 784), np.float32)
    y = np.eye(10, dtype=np.float32)[labels]
    pipeline = training_inputs(x, y, TrainConfig(augment=True, batch_size=batch, seed=0))["x"]
    batches = [targets.numpy().argmax(axis=1) for _, targets in pipeline]
    assert sum(len(b) for b in batches) == count
    for seen in batches:  # about 100 of each block in every batch
        assert np.bincount(seen, minlength=4).min() >= 50, np.bincount(seen, minlength=4)
