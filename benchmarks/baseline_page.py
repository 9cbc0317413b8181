"""The latency floor: a Streamlit page holding only a drawing pad and a metric.

Used by app_latency.py to time mouse-up -> rerun done against the real app on the same machine.
"""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

result = st_canvas(
    stroke_width=18,
    stroke_color="#FFFFFF",
    background_color="#000000",
    height=280,
    width=280,
    drawing_mode="freedraw",
    return_image_data=True,
    key="pad",
)
image = result.image_data
# The ink pixel count changes with every stroke, so each answer visibly updates the page.
st.metric("Prediction", "–" if image is None else str(int(np.count_nonzero(image[..., 0]))))
