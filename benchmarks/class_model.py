"""The class's own model: does training on a class's drawings help on the drawings kept aside?

A class of pupils is made on the pad, each pupil with a hand of their own: a size and brush they
keep, and one way of writing each digit that has several (a 1 with or without a flag or base, a
barred 7, a slashed 0, an open 4, a 9 with a curled stem...); for 2, 3, 5 and 6 they trace MNIST
training digits. Every drawing is answered by the model the class starts with and given to a
class in a temporary store with its true label, as a pupil's "No, it is a ..." would. The page's
own split (`split_by_pupil`) keeps every 4th pupil aside; the drawings of the others are trained
on with each recipe, through the same training command the Class page starts, and the new model
is compared with the starting one on the kept-aside drawings and on MNIST's test set.

    python -m benchmarks.class_model [--pupils 12] [--per-digit 3] [--recipe class fresh]

Recipes: "class" is what the Class page runs (`class_run_settings`: the model answering the class
trained further); "fresh" is the Train page's defaults from fresh weights, with augmentation and
non-digits (what the page ran before).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.drawn_digits import draw_on_canvas
from model.bundle import read_json
from model.classes import ClassStore, class_repeat, class_run_settings, split_by_pupil
from model.constants import DEFAULT_BUNDLE_DIR, MODEL_FILE
from model.data import load_mnist, locate_mnist
from model.feedback import npz_of
from model.inference import Classifier
from model.runs import RunSettings
from tests.styles import SMALL_AND_FAT, STYLES, WRITERS, styled_canvas

LOOKS = ("white_on_black", "dark_on_white", "transparent")
TRACED = (2, 3, 5, 6)  # digits without a style script: traced MNIST training digits


def pupil_hands(pupils: int, rng: np.random.Generator) -> list[dict]:
    """Each pupil: one style per digit that has styles, a size and brush range, a canvas look."""
    hands = []
    for number in range(pupils):
        styles = {}
        for label, style in STYLES.values():
            styles.setdefault(label, []).append(style)
        slant, tilt = rng.uniform(-0.5, 0.9), rng.uniform(-25, 25)  # a pupil's own lean, kept
        hand = {"slant": (slant - 0.1, slant + 0.1), "tilt": (tilt - 5, tilt + 5), "wobble": (0.02, 0.04)}
        hands.append(
            {
                "styles": {label: options[rng.integers(len(options))] for label, options in styles.items()},
                "writer": {
                    **(SMALL_AND_FAT if rng.random() < 0.3 else WRITERS),
                    "hand": hand,
                },
                "look": LOOKS[number % len(LOOKS)],
            }
        )
    return hands


def make_class(store: ClassStore, code: str, classifier: Classifier, args, rng) -> None:
    (x_train, y_train), _ = load_mnist(args.data)
    by_digit = {d: np.flatnonzero(y_train == d) for d in TRACED}
    for pupil, hand in enumerate(pupil_hands(args.pupils, rng)):
        for digit in range(10):
            for _ in range(args.per_digit):
                if digit in TRACED:
                    canvas = draw_on_canvas(x_train[rng.choice(by_digit[digit])], hand["look"], rng)
                else:
                    canvas = styled_canvas(hand["styles"][digit], rng, hand["look"], **hand["writer"])
                answer = classifier.classify_canvas(canvas)
                if answer is None:
                    continue
                store.add(
                    code, f"pupil-{pupil}", "", answer.image, digit, answer.answer, answer.probabilities, "m"
                )


def recipe_settings(name: str, train_count: int, start: Path, rate: float | None = None) -> RunSettings:
    if name == "class":
        settings = class_run_settings(train_count, str(start))
        return replace(settings, learning_rate=rate) if rate else settings
    if name == "fresh":
        return RunSettings(epochs=5, augment=True, outliers=True, extra_repeat=class_repeat(train_count))
    raise SystemExit(f"unknown recipe {name!r}")


def describe(settings: RunSettings) -> str:
    start = "from the starting model" if settings.init else "from fresh weights"
    rate = settings.learning_rate or "default"
    decay = ", decaying" if settings.lr_decay else ""
    return (
        f"{start}, {settings.epochs} epochs, batch {settings.batch_size}, learning rate {rate}{decay}, "
        f"class drawings x{settings.extra_repeat}"
    )


def read_right(classifier: Classifier, drawings) -> np.ndarray:
    images = np.stack([d.image / 255.0 for d in drawings]).reshape(len(drawings), -1).astype(np.float32)
    return classifier.predict_proba(images).argmax(axis=1) == np.array([d.label for d in drawings])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="mnist.npz (default: $MNIST_NPZ)")
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_BUNDLE_DIR, help="the bundle the class starts with"
    )
    parser.add_argument("--pupils", type=int, default=12)
    parser.add_argument("--per-digit", type=int, default=3, help="drawings of each digit per pupil")
    parser.add_argument("--recipe", nargs="+", default=["class", "fresh"])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--learning-rate", type=float, default=None, help="try another for the class recipe")
    args = parser.parse_args(argv)

    start = args.model / MODEL_FILE
    classifier = Classifier.load(start)
    with tempfile.TemporaryDirectory() as folder:
        store = ClassStore(Path(folder) / "class.db")
        code, _ = store.start()
        make_class(store, code, classifier, args, np.random.default_rng(args.seed))
        train, aside = split_by_pupil(store.drawings(code))
        npz = Path(folder) / "class.npz"
        npz.write_bytes(npz_of(train, aside))
        before = read_right(classifier, aside)
        mnist_before = read_json(args.model / "evaluation.json")["test_accuracy"]
        print(f"class: {args.pupils} pupils, {len(train)} drawings to train on, {len(aside)} kept aside")
        print(f"  starting model: kept aside {before.mean():.1%}, MNIST test {mnist_before:.2%}")
        for name in args.recipe:
            settings = recipe_settings(name, len(train), start, args.learning_rate)
            out = Path(folder) / name
            command = [sys.executable, "-m", "model.train", *settings.arguments(), "--extra", str(npz)]
            command += ["--data", str(locate_mnist(args.data)), "--out", str(out)]
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            seconds = time.perf_counter() - started
            after = read_right(Classifier.load(out), aside)
            mnist_after = read_json(out / "evaluation.json")["test_accuracy"]
            print(
                f"  {name}: kept aside {after.mean():.1%} (now right {int((~before & after).sum())}, "
                f"now wrong {int((before & ~after).sum())}), MNIST test {mnist_after:.2%}, "
                f"trained in {seconds / 60:.1f} min ({describe(settings)})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
