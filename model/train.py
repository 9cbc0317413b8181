"""Train the documented MLP on MNIST and save a model bundle.

    python -m model.train --data ../shared/data/mnist.npz --seed 0

Story order: prepare the data, build, train, evaluate, save.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model import parallel
from model.augment import augment_batch, augmented_training_set
from model.bundle import write_bundle
from model.constants import DEFAULT_BATCH_SIZE, DEFAULT_BUNDLE_DIR, DEFAULT_EPOCHS, NUM_CLASSES
from model.data import (
    add_extra,
    flatten,
    inputs_and_targets,
    load_mnist_with_source,
    normalize,
    read_mnist_npz,
)
from model.errors import Explained
from model.evaluate import evaluation_report
from model.model_file import read_mlp_weights
from model.outliers import FLAT_TARGET
from model.pen_train import load_pen_recordings

DEFAULT_LEARNING_RATE = 0.001  # Keras' RMSprop default
STEPS_PER_EXECUTION = 64  # batches per compiled call: Python overhead paid once per 64 steps
JIT_COMPILE = True  # XLA fuses each step's ops; about 2x faster on CPU, same updates

# Keras (and TensorFlow under it) is imported where the network is built and trained, not here:
# the worker processes that make the training images import this module too (it is the command's
# main module) and need neither, which spares each about 4 s and 600 MB (benchmarks.training_workers).
if TYPE_CHECKING:
    import keras

    from model.callbacks import ProgressFile


@dataclass
class TrainConfig:
    epochs: int = DEFAULT_EPOCHS
    batch_size: int = DEFAULT_BATCH_SIZE
    seed: int | None = None
    augment: bool = False
    learning_rate: float = DEFAULT_LEARNING_RATE
    lr_decay: bool = False
    weight_decay: float = 0.0  # each step shrinks every weight by learning rate x this (0: none)
    outliers: float = 0.0  # drawings that are no digit, as a share of the training images (0: none)
    written: float = 0.0  # digits written as pen strokes, as a share of MNIST's training images (0: none)
    real: float = 0.0  # real pen-written digits (30 writers), as a share of MNIST's training images (0: none)
    init: str | None = None  # a model.keras to start from (checked to be the documented MLP)
    steps_per_execution: int = STEPS_PER_EXECUTION
    jit_compile: bool = JIT_COMPILE


@dataclass
class TrainResult:
    model: object  # keras.Model
    history: dict  # the bundle's history.json
    evaluation: dict  # the bundle's evaluation.json
    summary: str  # the model.summary() text
    missed_images: np.ndarray  # (k, 28, 28) uint8: the misclassified test digits


def training_inputs(x_train, y_train, config: TrainConfig) -> dict:
    """Prepared (n, 784) / (n, 10) arrays -> `fit` arguments: the arrays, or an augmenting tf.data
    pipeline."""
    if not config.augment:
        return {"x": x_train, "y": y_train, "batch_size": config.batch_size}
    import tensorflow as tf

    # The buffer holds the whole set: the styled, retraced, written and no-digit images are
    # appended in blocks, and a smaller buffer would leave them all at the end of every epoch.
    pipeline = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=config.seed, reshuffle_each_iteration=True)
        .batch(config.batch_size)
        .map(augment_batch, num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    return {"x": pipeline}


class TrainingCancelled(KeyboardInterrupt):
    """Raised in the training process when it is asked to stop (SIGTERM from the app's cancel)."""


def train(
    mnist, config: TrainConfig, data_source: str = "", callbacks=(), verbose: int = 1, on_phase=None
) -> TrainResult:
    """Raw MNIST ((x_train, y_train), (x_test, y_test)) uint8 -> trained model, history and evaluation.

    `callbacks` are Keras callbacks (per batch and epoch progress); `on_phase(name, **fields)` is
    told when building the training set ("building", with prepared=[done, total, seconds] while
    digits are retraced and written with a pen) and the evaluation ("evaluating") start.
    """
    import keras

    from model.callbacks import EpochTimer
    from model.network import build_mlp, compile_mlp, summary_text

    on_phase = on_phase or (lambda name, **fields: None)
    if config.seed is not None:
        keras.utils.set_random_seed(config.seed)

    # 1. The data: flatten to 784, normalize to [0, 1], one-hot labels.
    (x_train, y_train), (x_test, y_test) = mnist
    test_images = x_test  # kept as uint8 28x28 for the bundle's thumbnails of misses
    on_phase("building")
    started, retraced = time.perf_counter(), 0
    to_write, to_draw = round(config.written * len(x_train)), round(config.real * len(x_train))

    def prepared(done: int) -> None:  # one bar: the pen-retraced copies, the written digits, the real ones
        total = retraced + to_write + to_draw
        on_phase("building", prepared=[done, total, round(time.perf_counter() - started, 2)])

    def retracing(done: int, total: int) -> None:
        nonlocal retraced
        retraced = total
        prepared(done)

    if config.augment:
        x_train, y_train = augmented_training_set(
            x_train, y_train, np.random.default_rng(config.seed), on_progress=retracing
        )
    seed = parallel.base_seed(config.seed)
    with parallel.mapper(to_write + to_draw + round(config.outliers * len(x_train))) as map_:
        if config.written:  # digits written as pen strokes, in letter shapes MNIST has few of
            written, written_labels = parallel.written(
                to_write, seed, on_progress=lambda done: prepared(retraced + done), map_=map_
            )
            x_train, y_train = np.concatenate([x_train, written]), np.concatenate([y_train, written_labels])
        if config.real:  # real digits written with a pen by 30 writers, drawn on the pad
            real, real_labels = parallel.real(
                to_draw, seed, on_progress=lambda done: prepared(retraced + to_write + done), map_=map_
            )
            x_train, y_train = np.concatenate([x_train, real]), np.concatenate([y_train, real_labels])
        x_train, y_train_hot = inputs_and_targets(x_train, y_train)
        if config.outliers:  # outlier exposure: no digit, so a flat target over the ten
            others = parallel.no_digits(round(config.outliers * len(x_train)), seed, map_=map_)
            x_train = np.concatenate([x_train, normalize(flatten(others)).astype(x_train.dtype)])
            y_train_hot = np.concatenate(
                [y_train_hot, np.full((len(others), NUM_CLASSES), FLAT_TARGET, y_train_hot.dtype)]
            )
    x_test, y_test_hot = inputs_and_targets(x_test, y_test)

    # 2. Build the documented MLP (or take one already trained, to train it further).
    model = build_mlp()
    if config.init:
        model.set_weights([array for layer in read_mlp_weights(config.init) for array in layer])
    model = compile_mlp(
        model,
        optimizer=make_optimizer(config, steps_per_epoch=-(-len(x_train) // config.batch_size)),
        steps_per_execution=config.steps_per_execution,
        jit_compile=config.jit_compile,
    )
    summary = summary_text(model)
    if verbose:
        model.summary()

    # 3. Train, validating on the 10k test set after each epoch.
    timer = EpochTimer()
    started = time.perf_counter()
    fit = model.fit(
        **training_inputs(x_train, y_train_hot, config),
        epochs=config.epochs,
        validation_data=(x_test, y_test_hot),
        callbacks=[timer, *callbacks],
        verbose=verbose,
    )
    train_seconds = time.perf_counter() - started

    # 4. Evaluate on the test set.
    on_phase("evaluating")
    probabilities = model.predict(x_test, batch_size=1024, verbose=0)
    evaluation = evaluation_report(probabilities, y_test)

    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    history.update(
        {
            "settings": asdict(config),
            "seconds_per_epoch": timer.seconds,
            "train_seconds": round(train_seconds, 2),
            "train_samples": int(len(x_train)),
            "test_accuracy": evaluation["test_accuracy"],
            "data_source": data_source,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "keras_version": keras.__version__,
        }
    )
    missed = [miss["index"] for miss in evaluation["misclassified"]]
    return TrainResult(model, history, evaluation, summary, test_images[missed])


def make_optimizer(config: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """RMSprop, as the tutorial; with --lr-decay its learning rate follows a cosine to zero, and
    with --weight-decay each step also shrinks every weight a little (by learning rate x decay)."""
    import keras

    rate = config.learning_rate
    if config.lr_decay:
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=config.epochs * steps_per_epoch)
    return keras.optimizers.RMSprop(learning_rate=rate, weight_decay=config.weight_decay or None)


def number_option(kind: type, fits, rule: str):
    """An argparse type: `kind` (int or float) from the text, refused unless `fits(value)` (`rule`
    says what it must be)."""
    what = "a whole number" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not fits(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {value}")
        return value

    return parse


positive_float = number_option(float, lambda value: value > 0, "greater than 0")
share = number_option(float, lambda value: 0 <= value <= 1, "between 0 and 1")
positive_int = number_option(int, lambda value: value >= 1, "at least 1")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m model.train",
        description="Train the documented MLP (784-512-512-10) on MNIST and save a model bundle.",
    )
    parser.add_argument("--epochs", type=positive_int, default=DEFAULT_EPOCHS, help="default: %(default)s")
    parser.add_argument(
        "--batch-size", type=positive_int, default=DEFAULT_BATCH_SIZE, help="default: %(default)s"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed for a reproducible run")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_BUNDLE_DIR, help="bundle folder (default: model/artifacts)"
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="path to mnist.npz (default: $MNIST_NPZ, then Keras' loader)"
    )
    parser.add_argument(
        "--augment",
        action="store_true",
        help="train on shifted/rotated/scaled/thickened digits and extra handwriting styles",
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        default=DEFAULT_LEARNING_RATE,
        help="RMSprop's (default: %(default)s)",
    )
    parser.add_argument(
        "--lr-decay",
        action="store_true",
        help="decay the learning rate along a cosine to 0 by the last epoch",
    )
    parser.add_argument(
        "--weight-decay",
        type=share,
        default=0.0,
        help="at each step, shrink every weight by the learning rate times this, so that no weight "
        "grows large: the network leans on many pixels, not a few (e.g. 0.05; default: none)",
    )
    parser.add_argument(
        "--outliers",
        type=share,
        default=0.0,
        help="add drawings that are no digit (model/outliers.py), this share of the training images, "
        "taught as a flat answer over the ten digits (e.g. 0.15; default: none)",
    )
    parser.add_argument(
        "--written",
        type=share,
        default=0.0,
        help="add digits written as pen strokes (model/written.py), this share of MNIST's training "
        "images (e.g. 0.5; default: none)",
    )
    parser.add_argument(
        "--real",
        type=share,
        default=0.0,
        help="add real digits written with a pen by 30 writers (model/pen_train.py), drawn on the pad "
        "again and again, this share of MNIST's training images (e.g. 0.5; default: none)",
    )
    parser.add_argument(
        "--init",
        type=Path,
        default=None,
        help="start from this model.keras (the documented MLP) and train it further "
        "(default: fresh random weights)",
    )
    parser.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        help="train on the first N training images only (quick runs)",
    )
    parser.add_argument(
        "--extra",
        type=Path,
        default=None,
        help="an .npz in mnist.npz's layout (e.g. the app's export of your drawings): its x_train is "
        "added to the training images, its x_test is evaluated separately",
    )
    parser.add_argument(
        "--extra-repeat",
        type=positive_int,
        default=1,
        help="how many times the --extra training images are repeated (default: %(default)s)",
    )
    parser.add_argument(
        "--progress", type=Path, default=None, help="keep a JSON status file here (used by the app)"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    progress = None
    if args.progress is not None:
        from model.callbacks import ProgressFile

        progress = ProgressFile(args.progress)
        signal.signal(signal.SIGTERM, _cancel)
    try:
        return _run(args, progress)
    except TrainingCancelled:
        return _cancelled(progress)
    except Exception as error:
        if _cancel_requested:  # e.g. worker processes stopped by the same signal
            return _cancelled(progress)
        if progress:
            progress.phase("failed", error if isinstance(error, Explained) else None)
        raise


def _cancelled(progress: ProgressFile | None) -> int:
    if progress:
        progress.phase("cancelled")
    print("cancelled: nothing saved", file=sys.stderr)
    return 130


def _run(args: argparse.Namespace, progress: ProgressFile | None) -> int:
    phase = progress.phase if progress else (lambda name, reason=None, **fields: None)
    phase("loading")
    try:
        mnist, source = load_mnist_with_source(args.data)
        extra = read_mnist_npz(args.extra) if args.extra is not None else None
        if args.real:
            load_pen_recordings()  # a missing or damaged file is said here, before any work
        if args.init is not None:
            read_mlp_weights(args.init)  # refused here, before any work, unless it is the MLP
    except (FileNotFoundError, ValueError) as error:
        phase("failed", error if isinstance(error, Explained) else None)
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.limit:
        (x_train, y_train), test = mnist
        mnist = ((x_train[: args.limit], y_train[: args.limit]), test)
    if extra is not None:
        mnist = add_extra(mnist, extra, args.extra_repeat)
        source += f" + {args.extra.name} (x{args.extra_repeat})"
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
        augment=args.augment,
        learning_rate=args.learning_rate,
        lr_decay=args.lr_decay,
        weight_decay=args.weight_decay,
        outliers=args.outliers,
        written=args.written,
        real=args.real,
        init=str(args.init) if args.init else None,
    )
    result = train(
        mnist,
        config,
        data_source=source,
        callbacks=[progress] if progress else (),
        verbose=2 if progress else 1,  # a log file gets one line per epoch, not a redrawn bar
        on_phase=phase,
    )
    if extra is not None:
        result.history["extra"] = extra_report(result.model, extra, args)
    # 5. Save: written to a temporary folder, then moved over the previous bundle.
    phase("saving")
    write_bundle(
        args.out, result.model, result.history, result.evaluation, result.summary, result.missed_images
    )
    accuracy = result.evaluation["test_accuracy"]
    phase("done", test_accuracy=accuracy)
    print(
        f"test accuracy {accuracy:.4f}; "
        f"{np.mean(result.history['seconds_per_epoch']):.1f} s/epoch; bundle saved to {args.out}"
    )
    return 0


def extra_report(model, extra, args: argparse.Namespace) -> dict:
    """How many --extra images were trained on, and the accuracy on its held-out x_test."""
    (x_train, _), (x_test, y_test) = extra
    x_test, _ = inputs_and_targets(x_test, y_test)
    predicted = model.predict(x_test, batch_size=1024, verbose=0).argmax(axis=1)
    return {
        "file": args.extra.name,
        "train_images": int(len(x_train)),
        "repeat": args.extra_repeat,
        "test_images": int(len(y_test)),
        "test_accuracy": float(np.mean(predicted == y_test)),
    }


_cancel_requested = False


def _cancel(signum, frame):
    global _cancel_requested
    _cancel_requested = True
    raise TrainingCancelled()


if __name__ == "__main__":
    sys.exit(main())
