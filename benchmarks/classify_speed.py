"""How fast is one drawing classified? `classify_canvas` vs Keras' `model.predict` on one sample.

Both run in this process on the same 280x280 canvas and the same model; the figures are medians
of many repeats, ours timed in turns and Keras after them. This VM's speed swings by up to 1.7x
for minutes at a time, so compare figures taken in one run, or repeat the run.

    python -m benchmarks.classify_speed [--model DIR] [--repeats 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from PIL import Image, ImageDraw

from model.inference import Classifier
from model.preprocess import canvas_to_image

CANVAS = 280


def sample_canvas() -> np.ndarray:
    """A '7' drawn white on black, as the app's pad returns it: (280, 280, 4) uint8 RGBA."""
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 255))
    ImageDraw.Draw(image).line(
        [(80, 60), (200, 60), (130, 230)], fill=(255, 255, 255, 255), width=18, joint="curve"
    )
    return np.asarray(image)


ROUNDS = 15  # this VM's speed drifts (up to 1.7x for minutes): the functions take turns, round by round,
# so a slow spell slows all of them, and each figure is the median over rounds of per-call medians


def medians_ms(functions: dict, repeats: int) -> dict:
    """{name: function} -> {name: median ms per call}, the functions timed in turns."""
    for function in functions.values():
        function()  # warm-up: first calls pay one-off costs
    rounds = {name: [] for name in functions}
    for _ in range(ROUNDS):
        for name, function in functions.items():
            times = []
            for _ in range(max(1, repeats // ROUNDS)):
                started = time.perf_counter()
                function()
                times.append(time.perf_counter() - started)
            rounds[name].append(statistics.median(times))
    return {name: statistics.median(values) * 1000 for name, values in rounds.items()}


def median_ms(function, repeats: int) -> float:
    return medians_ms({"": function}, repeats)[""]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="bundle folder or model.keras")
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args(argv)

    classifier = Classifier.load(args.model)
    import keras  # the baseline only: the app answers without it

    reference = keras.saving.load_model(classifier.path, compile=False, safe_mode=True)
    canvas = sample_canvas()
    x = canvas_to_image(canvas).reshape(1, -1)
    ours, preprocess, forward = medians_ms(
        {
            "ours": lambda: classifier.classify_canvas(canvas),
            "preprocess": lambda: canvas_to_image(canvas),
            "forward": lambda: classifier.predict_proba(x),
        },
        args.repeats,
    ).values()
    # Keras afterwards, on its own: its threads keep spinning after each call and would slow ours.
    keras_batch = median_ms(lambda: reference.predict_on_batch(x), args.repeats)
    keras_predict = median_ms(lambda: reference.predict(x, verbose=0), max(ROUNDS * 2, args.repeats // 10))
    print(f"classify_canvas (280x280 RGBA -> digit): {ours:.3f} ms  (target <= 0.6 ms)")
    print(f"  of which preprocessing:                 {preprocess:.3f} ms")
    print(f"  of which NumPy forward pass:            {forward:.3f} ms")
    print(f"Keras model.predict, one sample:          {keras_predict:.2f} ms")
    print(f"Keras model.predict_on_batch:             {keras_batch:.2f} ms")
    print(f"speed-up vs model.predict: {keras_predict / ours:.0f}x  (target >= 80x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
