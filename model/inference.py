"""Step 3 of the flow: classify a drawing with a trained bundle's model.

Keras loads the model once (safe mode); answers come from a NumPy forward pass over the weights
`get_weights()` returns. For one drawing that is ~0.1 ms instead of ~60 ms for `model.predict`,
and it gives the same probabilities (checked against Keras in the tests).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.constants import (
    DEFAULT_BUNDLE_DIR,
    HIDDEN_UNITS,
    INPUT_SIZE,
    MODEL_FILE,
    NUM_CLASSES,
    TRAIN_COMMAND,
)
from model.errors import Explained
from model.preprocess import canvas_to_digit

EXPECTED_LAYERS = (
    ((INPUT_SIZE, HIDDEN_UNITS), "relu"),
    ((HIDDEN_UNITS, HIDDEN_UNITS), "relu"),
    ((HIDDEN_UNITS, NUM_CLASSES), "softmax"),
)  # the documented MLP: kernel shape and activation of each Dense layer


MAX_INK_SHARE = 0.36  # of the 28x28 input: MNIST's test digits reach 0.33 at most; a blot or a
# dot, fitted to 20x20 like any drawing, fills 0.39-0.51 (measured)
MIN_CONFIDENCE = 0.6  # MNIST test digits answered below 60% are read right only about half the time


class ModelFileMissing(Explained, FileNotFoundError):
    """No model file where one was expected."""


class ModelFileError(Explained, ValueError):
    """A model file that is damaged or not the documented MLP."""


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
        """Why this input may not be a digit at all (or one the model cannot read), else None."""
        ink = float((self.image > 0.5).mean())
        if ink > MAX_INK_SHARE:
            return Explained(
                "Ink covers {ink} of the input, more than any MNIST digit ({most} at most): this looks "
                "like a blot or a scribble, not a digit.",
                ink=f"{ink:.0%}",
                most=f"{MAX_INK_SHARE:.0%}",
            )
        if self.confidence < MIN_CONFIDENCE:
            return Explained(
                "The network is unsure ({confidence}): this may not be a digit, or it is written in a "
                "way it reads poorly.",
                confidence=f"{self.confidence:.0%}",
            )
        return None


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0, out=x)


def softmax(logits: np.ndarray) -> np.ndarray:
    """(n, k) logits -> (n, k) probabilities; rows sum to 1 (shifted by the max for stability)."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class Classifier:
    """The documented MLP as NumPy weights, plus the Keras model they came from."""

    def __init__(self, keras_model, path: Path | None = None):
        self.model = keras_model
        self.path = path
        self.weights = _checked_weights(keras_model, path)
        # Names the exact weights that answered, e.g. in the feedback store.
        digest = hashlib.sha256(b"".join(w.tobytes() for pair in self.weights for w in pair)).hexdigest()
        self.model_id = f"{path.parent.name if path else 'model'}-{digest[:12]}"

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> "Classifier":
        """Load `model.keras` (a file, or a bundle folder holding one; default: the committed bundle)."""
        path = Path(path) if path is not None else DEFAULT_BUNDLE_DIR / MODEL_FILE
        if path.is_dir():
            path = path / MODEL_FILE
        if not path.is_file():
            raise ModelFileMissing("No model file at {path}. Train one with: {command}", path=path, command=TRAIN_COMMAND)
        import keras

        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many types for a damaged archive
            raise ModelFileError(
                "Cannot load the model at {path} (corrupt or not a Keras model: {error}). Train a new one with: {command}",
                path=path,
                error=f"{error.__class__.__name__}: {str(error)[:200]}",
                command=TRAIN_COMMAND,
            ) from error
        return cls(model, path)

    def hidden_activations(self, x: np.ndarray) -> list[np.ndarray]:
        """(n, 784) float32 in [0, 1] -> outputs of the two ReLU layers, each (n, 512) float32."""
        x = _checked_inputs(x)
        activations = []
        for kernel, bias in self.weights[:-1]:
            x = relu(x @ kernel + bias)
            activations.append(x)
        return activations

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, 784) float32 in [0, 1] -> (n, 10) float32 softmax probabilities."""
        hidden = self.hidden_activations(x)[-1]
        kernel, bias = self.weights[-1]
        return softmax(hidden @ kernel + bias)

    def classify_digit(self, digit: np.ndarray) -> Prediction:
        """(28, 28) float32 in [0, 1] MNIST-style image -> Prediction."""
        probabilities = self.predict_proba(digit.reshape(1, INPUT_SIZE))[0]
        return Prediction(int(probabilities.argmax()), probabilities, digit)

    def classify_canvas(self, image: np.ndarray) -> Prediction | None:
        """(H, W, 4|3) or (H, W) uint8 canvas -> Prediction, or None when nothing is drawn."""
        digit = canvas_to_digit(image)
        return None if digit is None else self.classify_digit(digit)


def _checked_weights(model, path) -> list[tuple[np.ndarray, np.ndarray]]:
    where = f" at {path}" if path else ""
    dense = [layer for layer in model.layers if layer.__class__.__name__ == "Dense"]
    found = [
        (tuple(layer.kernel.shape), layer.get_config().get("activation")) for layer in dense
    ]
    if len(dense) != len(model.layers) or tuple(found) != EXPECTED_LAYERS:
        raise ModelFileError(
            "The model{where} is not the documented MLP (784-512 relu-512 relu-10 softmax); found {found}. "
            "Train one with: {command}",
            where=where,
            found=found,
            command=TRAIN_COMMAND,
        )
    weights = [np.asarray(w, dtype=np.float32) for w in model.get_weights()]
    return [(weights[i], weights[i + 1]) for i in range(0, len(weights), 2)]


def _checked_inputs(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or x.shape[1] != INPUT_SIZE:
        raise ValueError(f"expected inputs of shape (n, {INPUT_SIZE}), got {x.shape}")
    return x
