"""Evaluate a model on the test set: accuracy, confusion matrix, per-class accuracy, misses."""

from __future__ import annotations

import numpy as np

from model.constants import NUM_CLASSES


def confusion_matrix(true: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """(n,) true and (n,) predicted labels -> (10, 10) int64 counts, rows = true, columns = predicted."""
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(matrix, (np.asarray(true, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def evaluation_report(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    """(n, 10) softmax outputs and (n,) true labels -> the JSON-ready evaluation of a bundle."""
    probabilities = np.asarray(probabilities)
    labels = np.asarray(labels, dtype=np.int64)
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predicted)
    per_class = matrix.diagonal() / np.maximum(matrix.sum(axis=1), 1)
    missed = np.flatnonzero(predicted != labels)
    return {
        "test_samples": int(len(labels)),
        "test_accuracy": float((predicted == labels).mean()),
        "confusion_matrix": matrix.tolist(),
        "per_class_accuracy": [float(value) for value in per_class],
        "misclassified": [
            {
                "index": int(index),
                "true": int(labels[index]),
                "predicted": int(predicted[index]),
                "confidence": round(float(probabilities[index, predicted[index]]), 4),
            }
            for index in missed
        ],
    }
