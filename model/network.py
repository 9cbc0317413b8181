"""Step 2 of the flow: the documented MLP, 784 -> 512 relu -> 512 relu -> 10 softmax."""

from __future__ import annotations

import keras

from model.constants import HIDDEN_UNITS, INPUT_SIZE, NUM_CLASSES

PARAMETER_COUNT = (
    (INPUT_SIZE + 1) * HIDDEN_UNITS + (HIDDEN_UNITS + 1) * HIDDEN_UNITS + (HIDDEN_UNITS + 1) * NUM_CLASSES
)  # 669,706: weights plus biases of the three Dense layers


def build_mlp() -> keras.Sequential:
    """The documented MLP: (n, 784) float32 in [0, 1] -> (n, 10) softmax probabilities."""
    return keras.Sequential(
        [
            keras.Input(shape=(INPUT_SIZE,)),
            keras.layers.Dense(HIDDEN_UNITS, activation="relu"),
            keras.layers.Dense(HIDDEN_UNITS, activation="relu"),
            keras.layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="mnist_mlp",
    )


def compile_mlp(
    model: keras.Model,
    optimizer: str | keras.optimizers.Optimizer = "rmsprop",
    steps_per_execution: int = 1,
    jit_compile: bool | str = "auto",
) -> keras.Model:
    """Compile as the tutorial does: categorical cross-entropy, accuracy, RMSprop by default.

    `steps_per_execution` and `jit_compile` change only how fast batches run, not what is learned.
    """
    model.compile(
        optimizer=optimizer,
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    return model


def summary_text(model: keras.Model) -> str:
    """The `model.summary()` table as plain text."""
    lines: list[str] = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line), line_length=64)
    return "\n".join(lines)
