"""The tutorial's flow, step by step, on one digit: every number the "Follow the flow" page shows.

`trace` walks one MNIST-style digit through the flow with the classifier's own weights: pixels
0-255, flattened, normalized, each Dense layer's pre-activation z and activation a, softmax, the
one-hot label and the categorical cross-entropy. `learn_step` takes one training step on that one
example with the training's optimizer and loss, on a copy of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.constants import INPUT_SIZE, NUM_CLASSES
from model.data import normalize
from model.inference import Classifier

PIXEL_MAX = 255.0  # x = x / x.max(): the largest pixel value in MNIST is 255
LOSS_EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] before the log


@dataclass(frozen=True)
class Trace:
    """One digit's way through the documented MLP."""

    pixels: np.ndarray  # (28, 28) uint8 0-255: the image as MNIST stores it
    flat: np.ndarray  # (784,) uint8: x.reshape(784), the 28 rows end to end
    x: np.ndarray  # (784,) float32 in [0, 1]: flat / 255
    dense: tuple[tuple[np.ndarray, np.ndarray], ...]  # (z, a) per Dense layer: 512, 512, 10
    digit: int  # the argmax of the probabilities
    label: int  # the true digit given, else the prediction
    one_hot: np.ndarray  # (10,) float32: keras.utils.to_categorical(label, 10)
    loss: float  # categorical cross-entropy of probabilities against one_hot

    @property
    def logits(self) -> np.ndarray:
        """(10,) float32: the output layer's z, before softmax."""
        return self.dense[-1][0]

    @property
    def probabilities(self) -> np.ndarray:
        """(10,) float32 softmax of the logits: positive, summing to 1."""
        return self.dense[-1][1]

    @property
    def active(self) -> tuple[int, ...]:
        """How many units of each hidden layer are active (ReLU output > 0)."""
        return tuple(int((a > 0).sum()) for _, a in self.dense[:-1])


def trace(classifier: Classifier, digit: np.ndarray, label: int | None = None) -> Trace:
    """(28, 28) float32 digit in [0, 1] (as `canvas_to_digit` returns) -> its Trace."""
    digit = np.asarray(digit, dtype=np.float32)
    if digit.shape != (28, 28):
        raise ValueError(f"expected a (28, 28) digit, got {digit.shape}")
    pixels = np.rint(np.clip(np.nan_to_num(digit), 0.0, 1.0) * PIXEL_MAX).astype(np.uint8)
    flat = pixels.reshape(INPUT_SIZE)
    x = normalize(flat, PIXEL_MAX)
    dense, a = [], x
    for index, (kernel, bias) in enumerate(classifier.weights):
        z = a @ kernel + bias
        a = softmax(z) if index == len(classifier.weights) - 1 else np.maximum(z, 0.0)
        dense.append((z, a))
    probabilities = dense[-1][1]
    predicted = int(probabilities.argmax())
    label = predicted if label is None else int(label)
    if not 0 <= label < NUM_CLASSES:
        raise ValueError(f"label must be a digit 0-9, got {label}")
    one_hot = np.zeros(NUM_CLASSES, dtype=np.float32)
    one_hot[label] = 1.0
    return Trace(pixels, flat, x, tuple(dense), predicted, label, one_hot, cross_entropy(probabilities, label))


def softmax(z: np.ndarray) -> np.ndarray:
    """(10,) logits -> (10,) probabilities: exp(z) / sum(exp(z)), shifted by max(z) for stability."""
    shifted = np.exp(z - z.max())
    return (shifted / shifted.sum()).astype(np.float32)


def cross_entropy(probabilities: np.ndarray, label: int) -> float:
    """-log(p[label]), with probabilities clipped as Keras' categorical_crossentropy does."""
    p = np.clip(probabilities / probabilities.sum(), LOSS_EPSILON, 1.0 - LOSS_EPSILON)
    return float(-np.log(p[label]))


def learn_step(classifier: Classifier, digit: np.ndarray, label: int) -> Classifier:
    """A new Classifier after one training step on this one example; `classifier` is unchanged.

    The step is the training's: RMSprop with its default settings from a fresh state, categorical
    cross-entropy, on a copy of the Keras model (`train_on_batch` with a batch of one).
    """
    import keras

    from model.network import compile_mlp

    example = trace(classifier, digit, label)
    model = keras.models.clone_model(classifier.model)
    model.set_weights(classifier.model.get_weights())
    compile_mlp(model)
    model.run_eagerly = True  # one step: tracing a graph would cost far more than it saves
    model.train_on_batch(example.x[None, :], example.one_hot[None, :])
    return Classifier(model, classifier.path)
