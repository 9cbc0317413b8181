"""The tutorial's flow, step by step, on one image: every number the "Follow the flow" page shows.

`trace` walks one MNIST-style image through the flow with the classifier's own forward pass:
pixels 0-255, flattened, normalized, each Dense layer's pre-activation z and activation a,
softmax, the one-hot label and the categorical cross-entropy. `learn_step` takes one training
step on that one example with the training's optimizer and loss, on a copy of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from model.constants import IMAGE_SIDE, NUM_CLASSES
from model.data import flatten, normalize
from model.inference import Classifier, Layer
from model.preprocess import ink_box

PIXEL_MAX = 255.0  # x = x / x.max(): the largest pixel value in MNIST is 255
LOSS_EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] before the log
LARGEST_LOSS = float(-np.log(np.float32(LOSS_EPSILON)))  # 16.118: what a ruled-out digit costs
STRIP_HEIGHT = 40  # pixels: the flattened 784-value strip
STRIP_ZOOM = 2  # pixels per value in the strip's image
HIGHLIGHT_ROW = 14  # the row followed from the 28x28 grid into the strip


@dataclass(frozen=True)
class Trace:
    """One image's way through the documented MLP."""

    pixels: np.ndarray  # (28, 28) uint8 0-255: the image as MNIST stores it
    flat: np.ndarray  # (784,) uint8: x.reshape(784), the 28 rows end to end
    x: np.ndarray  # (784,) float32 in [0, 1]: flat / 255
    dense: tuple[Layer, ...]  # z and a of each Dense layer for this one image: 512, 512, 10
    digit: int  # the argmax of the probabilities
    label: int  # the true digit given, else the prediction
    one_hot: np.ndarray  # (10,) float32: keras.utils.to_categorical(label, 10)
    loss: float  # categorical cross-entropy of probabilities against one_hot

    @property
    def logits(self) -> np.ndarray:
        """(10,) float32: the output layer's z, before softmax."""
        return self.dense[-1].z

    @property
    def probabilities(self) -> np.ndarray:
        """(10,) float32 softmax of the logits: positive, summing to 1."""
        return self.dense[-1].a

    @property
    def active(self) -> tuple[int, ...]:
        """How many units of each hidden layer are active (ReLU output > 0)."""
        return tuple(int((layer.a > 0).sum()) for layer in self.dense[:-1])


def trace(classifier: Classifier, image: np.ndarray, label: int | None = None) -> Trace:
    """(28, 28) float32 image in [0, 1] (as `canvas_to_image` returns) -> its Trace."""
    image = np.asarray(image, dtype=np.float32)
    if image.shape != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"expected a (28, 28) image, got {image.shape}")
    pixels = np.rint(np.clip(np.nan_to_num(image), 0.0, 1.0) * PIXEL_MAX).astype(np.uint8)
    flat = flatten(pixels[None])  # (1, 784): a batch of one, as the network reads it
    x = normalize(flat, PIXEL_MAX)
    dense = tuple(Layer(layer.z[0], layer.a[0]) for layer in classifier.forward(x))
    probabilities = dense[-1].a
    predicted = int(probabilities.argmax())
    label = predicted if label is None else int(label)
    if not 0 <= label < NUM_CLASSES:
        raise ValueError(f"label must be a digit 0-9, got {label}")
    one_hot = np.zeros(NUM_CLASSES, dtype=np.float32)
    one_hot[label] = 1.0
    loss = cross_entropy(probabilities, label)
    return Trace(pixels, flat[0], x[0], dense, predicted, label, one_hot, loss)


def cross_entropy(probabilities: np.ndarray, label: int) -> float:
    """-log(p[label]), with probabilities clipped as Keras' categorical_crossentropy does."""
    p = np.clip(probabilities / probabilities.sum(), LOSS_EPSILON, 1.0 - LOSS_EPSILON)
    return float(-np.log(p[label]))


def learn_step(classifier: Classifier, image: np.ndarray, label: int) -> Classifier:
    """A new Classifier after one training step on this one example; `classifier` is unchanged.

    The step is the training's: RMSprop with its default settings from a fresh state, categorical
    cross-entropy, on a Keras copy of the network (`train_on_batch` with a batch of one). Keras
    (and TensorFlow) are imported here, at the first step, not when the app starts.
    """
    from model.network import build_mlp, compile_mlp

    example = trace(classifier, image, label)
    model = build_mlp()
    model.set_weights([array for pair in classifier.weights for array in pair])
    compile_mlp(model)
    model.run_eagerly = True  # one step: tracing a graph would cost far more than it saves
    model.train_on_batch(example.x[None, :], example.one_hot[None, :])
    weights = model.get_weights()
    return Classifier(list(zip(weights[::2], weights[1::2])), "learned")


# Pictures of a trace's values, for the page ----------------------------------------------------


def ink_box_picture(canvas: np.ndarray) -> Image.Image:
    """(H, W, 3|4) uint8 canvas -> RGB picture of it with the ink's box (what gets cropped) in red."""
    picture = Image.fromarray(np.ascontiguousarray(canvas[..., :3])).convert("RGB")
    box = ink_box(canvas)
    if box is not None:
        top, bottom, left, right = box
        ImageDraw.Draw(picture).rectangle((left, top, right - 1, bottom - 1), outline="#ff4b4b", width=3)
    return picture


def strip_picture(values: np.ndarray) -> np.ndarray:
    """784 values in [0, 1] -> an RGB strip: the 28 rows end to end, a grey line between rows,
    HIGHLIGHT_ROW underlined in red. Each value is STRIP_ZOOM pixels wide."""
    grey = np.repeat(np.clip(values, 0, 1).reshape(28, 28) * 255, STRIP_ZOOM, axis=1).astype(np.uint8)
    separator = np.full((28, 1), 110, dtype=np.uint8)
    row_marks, pieces = [], []
    for row in range(28):
        pieces += [grey[row], separator[row]] if row < 27 else [grey[row]]
        row_marks += [row == HIGHLIGHT_ROW] * (28 * STRIP_ZOOM) + ([False] if row < 27 else [])
    line = np.concatenate(pieces)
    strip = np.repeat(np.repeat(line[None, :, None], STRIP_HEIGHT, axis=0), 3, axis=2)
    mark = np.full((6, line.size, 3), 255, dtype=np.uint8)
    mark[1:, np.array(row_marks)] = (255, 75, 75)
    return np.concatenate([strip, mark])


def relu_picture(z: np.ndarray) -> np.ndarray:
    """The ReLU function with this drawing's pre-activations placed on it, as an RGB image.

    Drawn here rather than as a Vega chart: two charts of 512 points each doubled the time the
    browser takes to show a stroke's answer on this page.
    """
    scale = 2  # drawn at twice the size it is shown, for sharp lines
    width, height, left, bottom, top, right = (
        560 * scale,
        250 * scale,
        48 * scale,
        30 * scale,
        12 * scale,
        16 * scale,
    )
    low, high = float(min(z.min(), -1.0)), float(max(z.max(), 1.0))
    x_of = lambda v: left + (v - low) / (high - low) * (width - left - right)  # noqa: E731
    y_of = lambda v: height - bottom - v / high * (height - bottom - top)  # noqa: E731
    picture = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=12 * scale)
    step = nice_step((high - low) / 6)
    for tick in np.arange(np.ceil(low / step) * step, high + 1e-9, step):
        x = x_of(tick)
        pen.line((x, top, x, height - bottom), fill="#eceef1", width=scale)
        pen.text((x, height - bottom + 6 * scale), f"{tick + 0.0:g}", fill="#6b7280", font=font, anchor="mt")
    for tick in np.arange(0.0, high + 1e-9, nice_step(high / 4)):
        y = y_of(tick)
        pen.line((left, y, width - right, y), fill="#eceef1", width=scale)
        pen.text((left - 6 * scale, y), f"{tick:g}", fill="#6b7280", font=font, anchor="rm")
    pen.line((left, height - bottom, width - right, height - bottom), fill="#9ca3af", width=scale)
    # The axes' names, in the corners the points never reach (negative z stays on the floor).
    pen.text((width - right, height - bottom - 6 * scale), "z", fill="#374151", font=font, anchor="rb")
    pen.text((left + 6 * scale, top), "relu(z)", fill="#374151", font=font, anchor="lt")
    pen.line((x_of(low), y_of(0), x_of(0), y_of(0), x_of(high), y_of(high)), fill="#8a94a6", width=2 * scale)
    radius = 3 * scale
    for value in z:
        x, y = x_of(value), y_of(max(value, 0.0))
        pen.ellipse(
            (x - radius, y - radius, x + radius, y + radius), fill="#ff4b4b" if value > 0 else "#1f77b4"
        )
    return np.asarray(picture)


def nice_step(span: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) near `span`."""
    power = 10 ** np.floor(np.log10(max(span, 1e-9)))
    return float(min((1, 2, 5, 10), key=lambda m: abs(m * power - span)) * power)
