"""Step 3 of the flow: classify a drawing with a trained bundle's weights.

The weights come from `model.keras` read without Keras (`model/model_file.py`); every answer is
one NumPy forward pass over them, ~0.1 ms for one drawing instead of ~100 ms for Keras'
`model.predict`, with the same probabilities (checked against Keras in the tests). The forward
pass is written once, in `Classifier.forward`: the answers, the hidden-layer views and the
flow page's trace all read its layers.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from model.constants import DEFAULT_BUNDLE_DIR, INPUT_SIZE, MODEL_FILE, NOT_A_DIGIT
from model.errors import Explained
from model.model_file import ModelFileError, ModelFileMissing, Weights, read_mlp_weights
from model.preprocess import canvas_to_image

__all__ = ["Classifier", "Layer", "ModelFileError", "ModelFileMissing", "Prediction", "softmax"]

MAX_INK_SHARE = 0.36  # of the 28x28 input: MNIST's test digits reach 0.33 at most; a blot or a
# dot, fitted to 20x20 like any drawing, fills 0.39-0.51 (measured)
MIN_CONFIDENCE = 0.65  # a highest bar under 65%: "not a digit". Chosen on digits only, anew for each
# committed bundle: 0.92% of MNIST's 10,000 test digits and 1.27% of 3,000 canvas-drawn ones fall
# under it (at 70%: 1.09% and 1.70%; benchmarks/drawn_digits.py)


class Layer(NamedTuple):
    """One Dense layer's values for a batch: z = inputs @ kernel + bias, a = activation(z)."""

    z: np.ndarray  # (n, units) float32 pre-activation
    a: np.ndarray  # (n, units) float32 activation: relu(z), or softmax(z) for the output layer


@dataclass(frozen=True)
class Prediction:
    """What the model says about one drawing."""

    digit: int
    probabilities: np.ndarray  # (10,) float32 softmax, sums to 1
    image: np.ndarray  # (28, 28) float32 in [0, 1]: the input the model saw

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.digit])

    @property
    def doubt(self) -> Explained | None:
        """The one answer to "is this a digit?": None for a digit, else why it looks like none."""
        ink = float((self.image > 0.5).mean())
        if ink > MAX_INK_SHARE:
            return Explained(
                "Ink covers {ink} of the picture, more than in any MNIST digit ({most} at most): this "
                "looks like a blot or a scribble, not a digit.",
                ink=f"{ink:.0%}",
                most=f"{MAX_INK_SHARE:.0%}",
            )
        if self.confidence < MIN_CONFIDENCE:
            return Explained(
                "Its highest bar is only {confidence}; a drawing counts as a digit from {threshold}.",
                confidence=f"{self.confidence:.0%}",
                threshold=f"{MIN_CONFIDENCE:.0%}",
            )
        return None

    @property
    def answer(self) -> int:
        """What the app answers: the digit, or NOT_A_DIGIT when `doubt` says it looks like none."""
        return NOT_A_DIGIT if self.doubt is not None else self.digit


def relu(z: np.ndarray) -> np.ndarray:
    """max(0, z), elementwise."""
    return np.maximum(z, 0.0)


def softmax(z: np.ndarray) -> np.ndarray:
    """(n, k) logits -> (n, k) float32 probabilities: exp(z) / sum(exp(z)) per row, shifted by the
    row's max so that exp never overflows (the result is the same)."""
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)


class Classifier:
    """The documented MLP as NumPy weights: [(kernel, bias)] for its three Dense layers."""

    def __init__(self, weights: Weights, name: str = "model", path: Path | None = None):
        self.weights = [(np.asarray(k, np.float32), np.asarray(b, np.float32)) for k, b in weights]
        self.path = path  # the model file it was read from, if any
        # Names the exact weights that answered, e.g. in the feedback store.
        digest = hashlib.sha256(b"".join(w.tobytes() for pair in self.weights for w in pair)).hexdigest()
        self.model_id = f"{name}-{digest[:12]}"

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Classifier:
        """Load `model.keras` (a file, or a bundle folder holding one; default: the committed bundle)."""
        path = Path(path) if path is not None else DEFAULT_BUNDLE_DIR / MODEL_FILE
        if path.is_dir():
            path = path / MODEL_FILE
        return cls(read_mlp_weights(path), path.parent.name, path)

    def forward(self, x: np.ndarray) -> list[Layer]:
        """(n, 784) float32 in [0, 1] -> every Dense layer's z and a: 512, 512, then 10 (softmax)."""
        a = _checked_inputs(x)
        layers = []
        for index, (kernel, bias) in enumerate(self.weights):
            if len(a) == 1:
                # One drawing: a zero input adds nothing to z, so only the kernel rows of its
                # non-zero inputs are read (about a sixth of the first layer's, a third of the
                # second's). Reading the weights is most of a forward pass's time.
                used = np.flatnonzero(a[0])
                z = a[:, used] @ kernel[used] + bias
            else:
                z = a @ kernel + bias
            a = softmax(z) if index == len(self.weights) - 1 else relu(z)
            layers.append(Layer(z, a))
        return layers

    def hidden_activations(self, x: np.ndarray) -> list[np.ndarray]:
        """(n, 784) float32 in [0, 1] -> outputs of the two ReLU layers, each (n, 512) float32."""
        return [layer.a for layer in self.forward(x)[:-1]]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, 784) float32 in [0, 1] -> (n, 10) float32 softmax probabilities."""
        return self.forward(x)[-1].a

    def classify_image(self, image: np.ndarray) -> Prediction:
        """(28, 28) float32 in [0, 1] MNIST-style image -> Prediction."""
        probabilities = self.predict_proba(image.reshape(1, INPUT_SIZE))[0]
        return Prediction(int(probabilities.argmax()), probabilities, image)

    def classify_canvas(self, canvas: np.ndarray) -> Prediction | None:
        """(H, W, 4|3) or (H, W) uint8 canvas -> Prediction, or None when nothing is drawn."""
        image = canvas_to_image(canvas)
        return None if image is None else self.classify_image(image)


def _checked_inputs(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[1] != INPUT_SIZE:
        raise ValueError(f"expected inputs of shape (n, {INPUT_SIZE}), got {x.shape}")
    return x
