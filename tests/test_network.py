"""Step 2 of the flow: the documented MLP."""

import keras
import numpy as np

from model.network import PARAMETER_COUNT, build_mlp, compile_mlp, summary_text


def test_documented_mlp_layers_and_activations():
    model = build_mlp()
    dense = model.layers
    assert model.input_shape == (None, 784)
    assert [layer.units for layer in dense] == [512, 512, 10]
    assert [layer.get_config()["activation"] for layer in dense] == ["relu", "relu", "softmax"]


def test_documented_mlp_has_669706_parameters():
    assert PARAMETER_COUNT == 669_706
    assert build_mlp().count_params() == 669_706


def test_compiled_like_the_tutorial():
    model = compile_mlp(build_mlp())
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert model.loss == "categorical_crossentropy"
    x = np.zeros((4, 784), dtype=np.float32)
    y = keras.utils.to_categorical([0, 1, 2, 3], 10)
    results = model.evaluate(x, y, return_dict=True, verbose=0)
    assert set(results) == {"loss", "accuracy"}
    assert np.isclose(results["loss"], np.log(10), atol=0.5)  # untrained: near-uniform softmax


def test_summary_text_lists_layers_and_total():
    text = summary_text(build_mlp())
    assert "dense" in text and "669,706" in text
