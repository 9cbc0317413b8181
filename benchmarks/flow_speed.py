"""How fast is the "Follow the flow" page's work? `trace` and `learn_step` on one drawing.

`trace` (every number of the page) is compared with `classify_canvas`'s NumPy forward pass on
the same digit, and `learn_step` (one RMSprop step on a copy of the model) with Keras'
`model.predict` on one sample, all in this process with the same model.

    python -m benchmarks.flow_speed [--model DIR] [--repeats 2000] [--steps 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from benchmarks.classify_speed import median_ms, sample_canvas
from model.flow import learn_step, trace
from model.inference import Classifier
from model.preprocess import canvas_to_image


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="bundle folder or model.keras")
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=10, help="training steps timed")
    args = parser.parse_args(argv)

    classifier = Classifier.load(args.model)
    import keras  # the baseline only: the app answers without it

    reference = keras.saving.load_model(classifier.path, compile=False, safe_mode=True)
    digit = canvas_to_image(sample_canvas())
    traced = median_ms(lambda: trace(classifier, digit, 3), args.repeats)
    forward = median_ms(lambda: classifier.classify_image(digit), args.repeats)
    predict = median_ms(lambda: reference.predict(digit.reshape(1, -1), verbose=0), 50)
    times, model = [], classifier
    for _ in range(args.steps):
        started = time.perf_counter()
        model = learn_step(model, digit, 3)
        times.append((time.perf_counter() - started) * 1000)
    print(f"trace, one drawing (every number of the page): {traced:.3f} ms  (target <= 2 ms)")
    print(f"classify_image, same digit (baseline):         {forward:.3f} ms  ratio {traced / forward:.1f}x")
    print(f"learn_step, first in this process:             {times[0]:.0f} ms  (target <= 1000 ms)")
    print(f"learn_step, median of the next {args.steps - 1}:           {statistics.median(times[1:]):.0f} ms")
    print(f"Keras model.predict, one sample (baseline):    {predict:.1f} ms")
    print(
        f"loss on the digit as a 3: {trace(classifier, digit, 3).loss:.3f} -> "
        f"{trace(model, digit, 3).loss:.3f} after {args.steps} steps"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
