"""MNIST digit classifier: data, the documented MLP, training, preprocessing, inference.

Nothing in this package imports streamlit; the app only calls into it.
"""

import os

# TensorFlow's C++ start-up chatter (CUDA probes, CPU flags) hides the useful output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
