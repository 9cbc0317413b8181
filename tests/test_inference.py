"""The classifier: loading bundles safely, NumPy forward pass vs Keras, drawings recognized."""

import shutil

import keras
import numpy as np
import pytest

from model.constants import DEFAULT_BUNDLE_DIR, MODEL_FILE, NOT_A_DIGIT
from model.data import flatten, normalize
from model.inference import Classifier, Prediction
from tests.drawing import LOOKS, ONE, SEVEN, ZERO_BOX, draw_canvas
from tests.keras_reference import flat_weights, keras_model


@pytest.fixture(scope="module")
def committed():
    if not (DEFAULT_BUNDLE_DIR / MODEL_FILE).is_file():
        pytest.fail(f"the committed bundle is missing from {DEFAULT_BUNDLE_DIR}")
    return Classifier.load()


@pytest.fixture(scope="module")
def small(trained_bundle):
    return Classifier.load(trained_bundle)


def test_the_weights_read_without_keras_are_the_ones_keras_reads(small, committed):
    for classifier in (small, committed):
        theirs = keras_model(classifier.path).get_weights()
        ours = flat_weights(classifier)
        assert len(ours) == len(theirs) == 6
        assert all(a.dtype == np.float32 and np.array_equal(a, b) for a, b in zip(ours, theirs))


def test_predict_proba_matches_keras(small, mnist):
    _, (x_test, _) = mnist
    x = normalize(flatten(x_test[:500]))
    ours = small.predict_proba(x)
    theirs = keras_model(small.path).predict(x, verbose=0)
    assert ours.shape == (500, 10) and ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(ours.sum(axis=1), 1.0, atol=1e-5)


def test_hidden_activations_match_a_keras_sub_model(small, mnist):
    _, (x_test, _) = mnist
    x = normalize(flatten(x_test[:100]))
    ours = small.hidden_activations(x)
    reference = keras_model(small.path)
    for layer, activation in zip(reference.layers[:2], ours):
        sub_model = keras.Model(reference.inputs, layer.output)
        assert np.abs(sub_model.predict(x, verbose=0) - activation).max() < 1e-5


def test_one_drawing_alone_gets_every_layer_of_the_batch_pass(committed, mnist):
    # A single input skips the kernel rows of its zero pixels (and of silent hidden units): every
    # layer's z and a must still be the full batch pass's, for digits and for an all-zero input.
    _, (x_test, _) = mnist
    x = np.concatenate([normalize(flatten(x_test[:20])), np.zeros((1, 784), np.float32)])
    batch = committed.forward(x)
    for row in range(len(x)):
        single = committed.forward(x[row : row + 1])
        for whole, one in zip(batch, single):
            assert one.z.shape == (1, whole.z.shape[1]) and one.a.dtype == np.float32
            # float32 sums in another order: the same tolerance as against Keras
            assert np.allclose(one.z[0], whole.z[row], rtol=1e-5, atol=1e-5)
            assert np.allclose(one.a[0], whole.a[row], rtol=1e-5, atol=1e-5)


def test_predict_proba_rejects_other_shapes(small):
    with pytest.raises(ValueError, match=r"\(n, 784\)"):
        small.predict_proba(np.zeros((2, 28, 28), dtype=np.float32))


@pytest.mark.parametrize("look", LOOKS)
def test_drawn_one_zero_and_seven_are_recognized(committed, look):
    one = committed.classify_canvas(draw_canvas(ONE, look=look))
    zero = committed.classify_canvas(draw_canvas([], look=look, ellipse=ZERO_BOX))
    seven = committed.classify_canvas(draw_canvas(SEVEN, look=look))
    assert (one.digit, zero.digit, seven.digit) == (1, 0, 7)
    assert one.confidence > 0.5 and zero.confidence > 0.5


def test_result_carries_digit_probabilities_and_model_input(committed):
    result = committed.classify_canvas(draw_canvas(SEVEN))
    assert isinstance(result.digit, int)
    assert result.probabilities.shape == (10,)
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert result.digit == int(result.probabilities.argmax())
    assert result.image.shape == (28, 28) and result.image.max() == pytest.approx(1.0)


def test_blank_canvas_has_no_prediction(committed):
    assert committed.classify_canvas(np.zeros((280, 280, 4), dtype=np.uint8)) is None


def test_committed_bundle_is_accurate_on_mnist(committed, mnist):
    _, (x_test, y_test) = mnist
    predicted = committed.predict_proba(normalize(flatten(x_test))).argmax(axis=1)
    assert (predicted == y_test).mean() >= 0.98


def test_missing_model_names_the_path_and_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothing.*python -m model.train"):
        Classifier.load(tmp_path / "nothing")


def test_corrupt_model_names_the_path_and_the_command(tmp_path):
    broken = tmp_path / "model.keras"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match=r"damaged.*model.keras.*python -m model.train") as raised:
        Classifier.load(broken)
    shown = raised.value.template.format(**raised.value.values)  # what a page shows a visitor
    assert str(tmp_path) not in shown and "python -m" not in shown


def test_truncated_model_file_is_reported(trained_bundle, tmp_path):
    data = (trained_bundle / MODEL_FILE).read_bytes()
    (tmp_path / MODEL_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="The model file is damaged"):
        Classifier.load(tmp_path)


def test_a_model_that_is_not_the_documented_mlp_is_refused(tmp_path):
    other = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
    other.save(tmp_path / MODEL_FILE)
    with pytest.raises(ValueError, match="not the documented MLP"):
        Classifier.load(tmp_path)


def test_loading_does_not_run_code_from_lambda_layers(tmp_path):
    sneaky = keras.Sequential(
        [keras.Input(shape=(784,)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Dense(10)]
    )
    sneaky.save(tmp_path / MODEL_FILE)
    with pytest.raises(ValueError, match="not the documented MLP.*Lambda"):
        Classifier.load(tmp_path)


def test_bundle_folder_and_file_paths_both_load(trained_bundle, tmp_path):
    shutil.copy(trained_bundle / MODEL_FILE, tmp_path / "copy.keras")
    assert Classifier.load(tmp_path / "copy.keras").path.name == "copy.keras"
    assert Classifier.load(trained_bundle).path.name == MODEL_FILE


def scribble_canvas(kind: str) -> np.ndarray:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    pen = ImageDraw.Draw(image)
    if kind == "block":
        pen.rectangle((60, 60, 220, 220), fill=(255, 255, 255, 255))
    elif kind == "scribble":
        for row in range(17):
            pen.line([(40, 40 + row * 12), (240, 50 + row * 12)], fill=(255, 255, 255, 255), width=18)
    else:
        pen.ellipse((130, 130, 150, 150), fill=(255, 255, 255, 255))
    return np.asarray(image)


@pytest.mark.parametrize("kind", ["block", "scribble", "dot"])
def test_blots_and_scribbles_are_said_to_look_like_no_digit(committed, kind):
    prediction = committed.classify_canvas(scribble_canvas(kind))
    assert prediction.doubt is not None and prediction.answer == NOT_A_DIGIT


def test_drawn_shapes_are_answered_not_a_digit(committed):
    """Shapes that are no digit, a handful of each, each in its own hand, size, brush and look: the
    issue's goal (at least 70% answered "not a digit") on them all, and at least half of each kind a
    child draws first. (Letters are the weak kind: about half, see the README's figures.)"""
    from tests.non_digits import draw_non_digit

    rng = np.random.default_rng(7)
    kinds = ("smiley", "heart", "star", "arrow", "cross", "dot", "scribble", "hangul", "letter")
    said = {}
    for kind in kinds:
        answers = [committed.classify_canvas(draw_non_digit(kind, rng)).answer for _ in range(10)]
        said[kind] = answers.count(NOT_A_DIGIT) / len(answers)
    assert np.mean(list(said.values())) >= 0.7, said
    assert min(said[kind] for kind in ("smiley", "heart", "star", "scribble", "dot")) >= 0.5, said


@pytest.mark.parametrize(
    "style", ["0 plain", "1 stick", "4 open", "7 barred", "8 one stroke", "9 curled stem"]
)
def test_drawn_digits_are_answered_as_digits(committed, style):
    from tests.styles import STYLES, styled_canvas

    label, draw_style = STYLES[style]
    rng = np.random.default_rng(7)
    answers = [
        committed.classify_canvas(styled_canvas(draw_style, rng, LOOKS[n % 3])).answer for n in range(8)
    ]
    assert answers.count(label) >= 7, answers  # and never "not a digit" for more than one


def test_real_digits_raise_no_doubt(committed, mnist):
    _, (x_test, y_test) = mnist
    probabilities = committed.predict_proba(x_test.reshape(-1, 784) / 255.0)
    doubted = [
        Prediction(int(p.argmax()), p, x / 255.0).doubt is not None for p, x in zip(probabilities, x_test)
    ]
    assert sum(doubted) <= 100  # at most 1% of the 10,000 real test digits are said to be no digit
    for strokes in (ONE, SEVEN):
        assert committed.classify_canvas(draw_canvas(strokes)).doubt is None


def test_a_model_whose_weights_are_not_numbers_is_refused(trained_bundle, tmp_path):
    model = keras_model(trained_bundle / MODEL_FILE)
    weights = model.get_weights()
    weights[2][0, 0] = np.nan  # one weight of the second layer
    model.set_weights(weights)
    model.save(tmp_path / MODEL_FILE)
    with pytest.raises(ValueError, match="not numbers"):
        Classifier.load(tmp_path)
