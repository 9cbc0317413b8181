"""Constants shared across the package, each with the reason for its value."""

from pathlib import Path

IMAGE_SIDE = 28  # MNIST images are 28x28
INPUT_SIZE = IMAGE_SIDE * IMAGE_SIDE  # the MLP reads a flattened image: 784 values
NUM_CLASSES = 10  # digits 0-9
NOT_A_DIGIT = 10  # the answer, or a person's label, for a drawing that is no digit (not a class)
HIDDEN_UNITS = 512  # both hidden Dense layers of the documented MLP
FIT_BOX = 20  # MNIST digits were size-normalized into a 20x20 box, aspect ratio kept

OUTLIER_SHARE = 0.15  # drawings that are no digit added to training, as a share of its images: the
# committed bundle's --outliers and the Train page's switch (measured in the README)
WRITTEN_SHARE = 0.5  # digits written as pen strokes added to training, as a share of MNIST's training
# images: the committed bundle's --written and the Train page's switch
REAL_SHARE = 0.5  # real pen-written digits (30 writers) drawn on the pad, as a share of MNIST's training
# images: the committed bundle's --real and the same switch (measured in the README)

DEFAULT_EPOCHS = 5  # the tutorial's fit
DEFAULT_BATCH_SIZE = 32  # the tutorial's batch size (Keras' default)

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_BUNDLE_DIR = PACKAGE_DIR / "artifacts"  # the committed, trained bundle
MODEL_FILE = "model.keras"
HISTORY_FILE = "history.json"
SUMMARY_FILE = "summary.txt"
EVALUATION_FILE = "evaluation.json"
MISSED_FILE = "misclassified.npz"  # thumbnails of the misclassified test digits

MNIST_ENV_VAR = "MNIST_NPZ"  # where to find mnist.npz without internet
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")

TRAIN_COMMAND = "python -m model.train --data path/to/mnist.npz"  # quoted in error messages
BUNDLE_ENV_VAR = "DIGITS_BUNDLE"  # lets the app (and its tests) point at another bundle folder
