"""Inside the model: evaluation records, learned weights, hidden activations."""

import numpy as np
import pytest

from model import insight
from model.bundle import read_json, read_missed_images
from model.constants import DEFAULT_BUNDLE_DIR
from model.inference import Classifier


@pytest.fixture(scope="module")
def committed_evaluation():
    return read_json(DEFAULT_BUNDLE_DIR / "evaluation.json")


def test_confusion_matrix_covers_the_test_set_and_matches_accuracy(committed_evaluation):
    matrix = np.array(committed_evaluation["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == 10_000
    assert np.trace(matrix) / 10_000 == pytest.approx(committed_evaluation["test_accuracy"])
    per_class = matrix.diagonal() / matrix.sum(axis=1)
    assert np.allclose(per_class, committed_evaluation["per_class_accuracy"])
    assert len(committed_evaluation["misclassified"]) == 10_000 - np.trace(matrix)


def test_committed_thumbnails_are_the_misclassified_test_digits(committed_evaluation, mnist):
    _, (x_test, y_test) = mnist
    thumbnails = read_missed_images(DEFAULT_BUNDLE_DIR)
    misses = committed_evaluation["misclassified"]
    assert thumbnails.shape == (len(misses), 28, 28)
    for position in (0, len(misses) // 2, len(misses) - 1):
        miss = misses[position]
        assert np.array_equal(thumbnails[position], x_test[miss["index"]])
        assert y_test[miss["index"]] == miss["true"] != miss["predicted"]


def test_misses_filter_by_true_and_predicted_digit():
    evaluation = {
        "misclassified": [
            {"index": 1, "true": 4, "predicted": 9, "confidence": 0.6},
            {"index": 2, "true": 4, "predicted": 7, "confidence": 0.7},
            {"index": 3, "true": 7, "predicted": 9, "confidence": 0.8},
        ]
    }
    assert [m["index"] for _, m in insight.misses(evaluation, true=4)] == [1, 2]
    assert [m["index"] for _, m in insight.misses(evaluation, predicted=9)] == [1, 3]
    assert [p for p, _ in insight.misses(evaluation, true=4, predicted=9)] == [0]
    assert insight.misses({}, true=1) == []


def test_first_layer_images_are_the_strongest_units_weights():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(784, 512)).astype(np.float32)
    kernel[:, 77] *= 10  # the strongest unit
    images, units = insight.first_layer_images(kernel, count=64)
    assert images.shape == (64, 28, 28) and units[0] == 77
    assert np.array_equal(images[5].ravel(), kernel[:, units[5]])


def test_diverging_colours_are_blue_white_red():
    rgb = insight.diverging_rgb(np.array([[[-2.0, 0.0, 2.0]]]))
    blue, white, red = rgb[0, 0]
    assert tuple(white) == (255, 255, 255)
    assert red[0] > red[2] and blue[2] > blue[0]


def test_top_contributors_lift_the_predicted_digit():
    classifier = Classifier.load()
    digit_image = np.zeros((28, 28), dtype=np.float32)
    digit_image[4:24, 13:15] = 1.0  # a "1"
    prediction = classifier.classify_image(digit_image)
    hidden = classifier.hidden_activations(digit_image.reshape(1, -1))[1][0]
    kernel, bias = classifier.weights[-1]
    top = insight.top_contributors(hidden, kernel, prediction.digit)
    assert top and all(a.lead >= b.lead > 0 for a, b in zip(top, top[1:]))

    def margin(h):
        logits = h @ kernel + bias
        return logits[prediction.digit] - np.delete(logits, prediction.digit).mean()

    silenced = hidden.copy()
    silenced[[c.unit for c in top]] = 0.0
    assert margin(silenced) < margin(hidden)


def test_activation_grid_is_16_by_32_in_unit_range():
    grid = insight.activation_grid(np.linspace(0, 5, 512, dtype=np.float32))
    assert grid.shape == (16, 32) and grid.max() == 1.0 and grid.min() == 0.0


def test_one_very_active_unit_does_not_darken_the_others():
    activations = np.full(512, 0.5, dtype=np.float32)
    activations[7] = 50.0  # one unit far above the rest
    grid = insight.activation_grid(activations)
    assert grid.ravel()[7] == 1.0 and np.allclose(np.delete(grid.ravel(), 7), 1.0)  # was 0.01 each
    with pytest.raises(ValueError):
        insight.activation_grid(np.zeros(500))


def test_digit_templates_have_one_image_per_digit():
    templates = insight.digit_templates(Classifier.load().weights)
    assert templates.shape == (10, 28, 28)
    assert np.allclose(templates.sum(axis=0), 0.0, atol=1e-3)  # relative to the mean digit
