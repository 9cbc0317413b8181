"""How fast is the project's training? Naive `model.fit` vs `model.train.train`, same epochs, one run.

Naive: the tutorial's code, `model.fit` on NumPy arrays, batch 32, default compile.
Project: `train()` with its defaults (batch 32, XLA, 64 steps per compiled call), timed whole:
data preparation, fit and the final evaluation included. Both validate on the 10k test set.

    python -m benchmarks.train_speed --data ../shared/data/mnist.npz [--epochs 5]
"""

from __future__ import annotations

import argparse
import sys
import time

import keras

from model.data import inputs_and_targets, load_mnist
from model.network import build_mlp
from model.train import TrainConfig, train


def naive_fit(mnist, epochs: int, seed: int) -> tuple[float, float]:
    """The tutorial's training; returns (seconds, final val_accuracy)."""
    (x_train, y_train), (x_test, y_test) = mnist
    x_train, y_train = inputs_and_targets(x_train, y_train)
    x_test, y_test = inputs_and_targets(x_test, y_test)
    keras.utils.set_random_seed(seed)
    model = build_mlp()
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"], optimizer="rmsprop")
    started = time.perf_counter()
    history = model.fit(
        x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_test, y_test), verbose=0
    )
    return time.perf_counter() - started, history.history["val_accuracy"][-1]


def project_fit(mnist, epochs: int, seed: int) -> tuple[float, float]:
    started = time.perf_counter()
    result = train(mnist, TrainConfig(epochs=epochs, seed=seed), verbose=0)
    return time.perf_counter() - started, result.history["val_accuracy"][-1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="mnist.npz (default: $MNIST_NPZ)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mnist = load_mnist(args.data)
    naive_seconds, naive_accuracy = naive_fit(mnist, args.epochs, args.seed)
    ours_seconds, ours_accuracy = project_fit(mnist, args.epochs, args.seed)
    print(f"{args.epochs} epochs, batch 32, 60,000 training digits, validation on 10,000")
    print(
        f"naive model.fit:   {naive_seconds:6.1f} s  ({naive_seconds / args.epochs:.1f} s/epoch)  "
        f"val_accuracy {naive_accuracy:.4f}"
    )
    print(
        f"project training:  {ours_seconds:6.1f} s  ({ours_seconds / args.epochs:.1f} s/epoch)  "
        f"val_accuracy {ours_accuracy:.4f}"
    )
    print(f"time ratio project / naive: {ours_seconds / naive_seconds:.2f}  (target <= 0.5)")
    print(f"accuracy difference: {ours_accuracy - naive_accuracy:+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
