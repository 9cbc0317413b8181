"""The flow traced on one digit: every number checked against Keras, one training step likewise."""

import keras
import numpy as np
import pytest

from model.flow import LARGEST_LOSS, cross_entropy, learn_step, trace
from model.inference import Classifier
from model.network import compile_mlp
from model.preprocess import canvas_to_image, ink_box
from tests.drawing import ONE, SEVEN, ZERO_BOX, draw_canvas
from tests.keras_reference import flat_weights, keras_model


@pytest.fixture(scope="module")
def committed():
    return Classifier.load()


@pytest.fixture(scope="module")
def reference(committed):
    """The committed model as Keras loads it."""
    return keras_model(committed.path)


@pytest.fixture(scope="module")
def digits(mnist):
    """Eight real MNIST test digits and three drawn ones, as (28, 28) float32 in [0, 1]."""
    _, (x_test, y_test) = mnist
    drawn = [canvas_to_image(draw_canvas(s)) for s in (ONE, SEVEN)]
    drawn.append(canvas_to_image(draw_canvas([], ellipse=ZERO_BOX)))
    return [x / 255.0 for x in x_test[:8].astype(np.float32)] + drawn, list(y_test[:8]) + [1, 7, 0]


def test_pixels_flatten_and_normalize_as_the_tutorial_writes_them(committed, digits):
    for digit in digits[0]:
        t = trace(committed, digit)
        assert t.pixels.dtype == np.uint8 and t.pixels.shape == (28, 28)
        assert np.array_equal(t.pixels, np.rint(digit * 255).astype(np.uint8))
        assert t.flat.shape == (784,) and np.array_equal(t.flat, t.pixels.reshape(784))
        assert np.array_equal(t.flat[14 * 28 : 15 * 28], t.pixels[14])  # row 14, laid end to end
        assert t.x.dtype == np.float32 and np.allclose(t.x, t.flat / 255.0)
        assert 0.0 <= t.x.min() and t.x.max() <= 1.0


def test_every_layer_matches_a_keras_sub_model(committed, reference, digits):
    model = reference
    layers = keras.Model(model.inputs, [layer.output for layer in model.layers])
    for digit in digits[0]:
        t = trace(committed, digit)
        outputs = layers.predict(t.x[None, :], verbose=0)
        assert [a.shape for _, a in t.dense] == [(512,), (512,), (10,)]
        inputs = [t.x] + [a for _, a in t.dense[:-1]]
        for (z, a), keras_a, layer, x in zip(t.dense, outputs, model.layers, inputs):
            # float32 sums of 784 or 512 products: agree to 1e-5 of the layer's largest value
            assert np.abs(a - keras_a[0]).max() < 1e-5 * max(1.0, np.abs(keras_a).max())
            kernel, bias = layer.get_weights()
            assert np.abs(z - (x.astype(np.float64) @ kernel + bias)).max() < 1e-4  # z = x @ W + b
        assert np.array_equal(t.dense[0][1], np.maximum(t.dense[0][0], 0))  # relu(z) = max(0, z)
        assert np.array_equal(t.dense[1][1], np.maximum(t.dense[1][0], 0))
        assert t.active == (int((t.dense[0][1] > 0).sum()), int((t.dense[1][1] > 0).sum()))


def test_softmax_label_and_loss_match_keras(committed, reference, digits):
    for digit, true in zip(*digits):
        t = trace(committed, digit, label=int(true))
        predicted = reference.predict(t.x[None, :], verbose=0)[0]
        assert np.abs(t.probabilities - predicted).max() < 1e-5
        assert np.abs(t.probabilities - keras.activations.softmax(t.logits[None, :]).numpy()[0]).max() < 1e-5
        assert t.probabilities.sum() == pytest.approx(1.0, abs=1e-5) and (t.probabilities > 0).all()
        assert t.digit == int(predicted.argmax())
        assert np.array_equal(t.one_hot, keras.utils.to_categorical(int(true), 10))
        expected = keras.losses.categorical_crossentropy(t.one_hot[None, :], predicted[None, :]).numpy()[0]
        assert t.loss == pytest.approx(float(expected), abs=1e-5)
        assert t.loss == pytest.approx(-np.log(t.probabilities[int(true)]), abs=1e-4)


def test_a_ruled_out_digit_costs_what_keras_charges_for_it(committed, digits):
    t = trace(committed, digits[0][0])
    unlikely = int(t.probabilities.argmin())
    assert t.probabilities[unlikely] < 1e-7  # the network all but rules it out
    one_hot = keras.utils.to_categorical(unlikely, 10)[None, :]
    charged = keras.losses.categorical_crossentropy(one_hot, t.probabilities[None, :]).numpy()[0]
    assert cross_entropy(t.probabilities, unlikely) == pytest.approx(float(charged), abs=1e-4)
    assert LARGEST_LOSS == pytest.approx(float(charged), abs=1e-4)


def test_the_label_defaults_to_the_prediction_and_another_label_costs_more(committed, digits):
    t = trace(committed, digits[0][0])
    assert t.label == t.digit and t.loss < np.log(10)
    wrong = trace(committed, digits[0][0], label=(t.digit + 1) % 10)
    assert wrong.label == (t.digit + 1) % 10 and wrong.loss > t.loss


def test_bad_digits_and_labels_are_refused_clearly(committed):
    with pytest.raises(ValueError, match=r"\(28, 28\)"):
        trace(committed, np.zeros((784,)))
    with pytest.raises(ValueError, match="digit 0-9"):
        trace(committed, np.zeros((28, 28)), label=10)


def test_one_learning_step_lowers_the_loss_and_leaves_the_model_untouched(committed, digits):
    digit = digits[0][-1]  # the drawn zero
    before = [w.copy() for w in flat_weights(committed)]
    label = 6  # a label the model does not give it: the step has much to learn
    stepped = learn_step(committed, digit, label)
    assert isinstance(stepped, Classifier) and stepped is not committed
    assert trace(stepped, digit, label).loss < trace(committed, digit, label).loss
    for old, now in zip(before, flat_weights(committed)):
        assert np.array_equal(old, now)
    for old, (kernel, _bias) in zip(before[::2], committed.weights):
        assert np.array_equal(old, kernel)
    twice = learn_step(stepped, digit, label)  # steps can be repeated
    assert trace(twice, digit, label).loss < trace(stepped, digit, label).loss


def test_learning_step_matches_keras_train_on_batch_with_the_training_settings(committed, digits):
    digit = digits[0][0]
    t = trace(committed, digit, label=3)
    copy = keras_model(committed.path)  # a fresh copy, loaded by Keras
    compile_mlp(copy)  # RMSprop, categorical cross-entropy, as training compiles it
    copy.train_on_batch(t.x[None, :], t.one_hot[None, :])
    stepped = learn_step(committed, digit, 3)
    for theirs, ours in zip(copy.get_weights(), flat_weights(stepped)):
        assert np.abs(theirs - ours).max() < 1e-5
    moved = np.abs(stepped.weights[0][0] - committed.weights[0][0])
    assert moved.max() > 1e-3  # one RMSprop step from a fresh state moves weights by ~3x the rate


def test_ink_box_is_where_the_drawing_is():
    canvas = draw_canvas([[(100, 60), (100, 200)]], width=10)
    top, bottom, left, right = ink_box(canvas)
    assert 50 <= top <= 56 and 204 <= bottom <= 210 and 90 <= left <= 96 and 104 <= right <= 110
    assert ink_box(np.zeros((280, 280, 4), dtype=np.uint8)) is None


def test_pictures_show_the_trace_values(committed, digits):
    from model.flow import HIGHLIGHT_ROW, STRIP_ZOOM, relu_picture, strip_picture

    t = trace(committed, digits[0][0])
    strip = strip_picture(t.x)
    first = HIGHLIGHT_ROW * (28 * STRIP_ZOOM + 1)  # each row before it: its values and a separator
    assert strip.shape[1] == 784 * STRIP_ZOOM + 27
    assert (strip[-3, first : first + 28 * STRIP_ZOOM] == (255, 75, 75)).all()  # row 14 underlined
    assert (strip[0, : 28 * STRIP_ZOOM] == 0).all()  # MNIST's top row is blank paper
    z = t.dense[0][0]
    picture = relu_picture(z)
    red = ((picture == (255, 75, 75)).all(axis=2)).sum()
    assert picture.ndim == 3 and red > 0  # active units drawn red
    named = (picture == (55, 65, 81)).all(axis=2)  # the axes' names: relu(z) top left, z bottom right
    half_y, half_x = named.shape[0] // 2, named.shape[1] // 2
    assert named[:half_y, :half_x].any() and named[half_y:, half_x:].any()
