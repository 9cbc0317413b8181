"""Canvas drawings for tests: strokes drawn with PIL the way the app's pad returns them."""

import numpy as np
from PIL import Image, ImageDraw

SIZE = 280


def draw_canvas(strokes, width=18, look="white_on_black", size=SIZE, ellipse=None) -> np.ndarray:
    """Polylines (and optionally an ellipse box) -> (size, size, 4) uint8 RGBA canvas in a look."""
    ink = Image.new("L", (size, size))
    pen = ImageDraw.Draw(ink)
    for stroke in strokes:
        pen.line(stroke, fill=255, width=width, joint="curve")
        for x, y in (stroke[0], stroke[-1]):  # round caps, like the canvas brush
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    if ellipse is not None:
        pen.ellipse(ellipse, outline=255, width=width)
    return in_look(np.asarray(ink), look)


def in_look(ink: np.ndarray, look: str, stroke: int = 0) -> np.ndarray:
    """(H, W) uint8 ink -> (H, W, 4) RGBA canvas; `stroke` is the grey of ink on transparent."""
    canvas = np.zeros(ink.shape + (4,), dtype=np.uint8)
    if look == "white_on_black":
        canvas[..., :3] = ink[..., None]
        canvas[..., 3] = 255
    elif look == "dark_on_white":
        canvas[..., :3] = 255 - ink[..., None]
        canvas[..., 3] = 255
    elif look == "transparent":
        canvas[..., :3] = stroke  # the colour hardly matters: alpha carries the drawing
        canvas[..., 3] = ink
    else:
        raise ValueError(look)
    return canvas


LOOKS = ("white_on_black", "dark_on_white", "transparent")
ONE = [[(150, 40), (140, 240)]]
SEVEN = [[(70, 50), (210, 50), (120, 240)]]
ZERO_BOX = (85, 35, 195, 245)
