"""The reference the NumPy code is checked against: the same model file, loaded by Keras itself."""

from __future__ import annotations

import keras
import numpy as np


def keras_model(path) -> keras.Model:
    """`model.keras` as Keras reads it (safe mode), independent of the app's own reader."""
    return keras.saving.load_model(path, compile=False, safe_mode=True)


def flat_weights(classifier) -> list[np.ndarray]:
    """A Classifier's weights in `get_weights()` order: kernel, bias, kernel, bias, kernel, bias."""
    return [array for pair in classifier.weights for array in pair]
