"""Read a saved `model.keras` without Keras or TensorFlow: the documented MLP's weights, checked.

A `.keras` file is a zip archive of `config.json` (the architecture), `metadata.json` and
`model.weights.h5` (HDF5: `layers/dense/vars/0` is the first kernel, `.../1` its bias, then
`dense_1`, `dense_2`). Answering a drawing needs only those six arrays, so the app reads them
here: no code in the file is ever run, nothing is unpickled, and anything that is not exactly
the documented MLP (784-512 relu-512 relu-10 softmax, with biases) is refused with the reason.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from model.constants import HIDDEN_UNITS, INPUT_SIZE, NUM_CLASSES, TRAIN_COMMAND
from model.errors import Explained

Weights = list[tuple[np.ndarray, np.ndarray]]  # (kernel (n_in, n_out), bias (n_out,)) per Dense layer

EXPECTED_LAYERS = (
    (INPUT_SIZE, HIDDEN_UNITS, "relu"),
    (HIDDEN_UNITS, HIDDEN_UNITS, "relu"),
    (HIDDEN_UNITS, NUM_CLASSES, "softmax"),
)  # the documented MLP: inputs, units and activation of each Dense layer
CONFIG, WEIGHTS = "config.json", "model.weights.h5"
MAX_CONFIG_BYTES = 1 << 20  # the MLP's config is ~4 kB; a huge one is not a model of ours
MAX_WEIGHTS_BYTES = 64 << 20  # its weights (with RMSprop's state) take ~5.4 MB
H5_LAYERS = ("dense", "dense_1", "dense_2")  # Keras names a Sequential's layers by class, in order


class ModelFileMissing(Explained, FileNotFoundError):
    """No model file where one was expected."""


class ModelFileError(Explained, ValueError):
    """A model file that is damaged or not the documented MLP."""


def read_mlp_weights(path: str | os.PathLike) -> Weights:
    """`model.keras` -> the documented MLP's [(kernel, bias)] * 3 as float32; raises ModelFile*."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileMissing("The model file is missing.", detail=_where(path, "no file at"))
    try:
        with zipfile.ZipFile(path) as archive:
            config = _member(archive, CONFIG, MAX_CONFIG_BYTES, path)
            weights = _member(archive, WEIGHTS, MAX_WEIGHTS_BYTES, path)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise ModelFileError(
            "The model file is damaged (it is not a readable .keras archive).", detail=_where(path)
        ) from error
    _check_config(config, path)
    return _read_weights(weights, path)


def _where(path: Path, what: str = "file") -> str:
    """The server-side part of a model file error: which file, and how to make a new one."""
    return f"{what} {path}; train a new one with: {TRAIN_COMMAND}"


def _member(archive: zipfile.ZipFile, name: str, limit: int, path: Path) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ModelFileError(
            "The model file is damaged (it has no {name}).", name=name, detail=_where(path)
        ) from None
    if info.file_size > limit:
        raise ModelFileError(
            "The model file is not the documented MLP (its {name} is far too large).",
            name=name,
            detail=_where(path),
        )
    return archive.read(info)


def _check_config(raw: bytes, path: Path) -> None:
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(
            "The model file is damaged (its configuration is not readable).", detail=_where(path)
        ) from error
    found = _describe(config)
    if found != [f"{n_in}-{units} {activation}" for n_in, units, activation in EXPECTED_LAYERS]:
        raise ModelFileError(
            "The model file is not the documented MLP (784-512 relu-512 relu-10 softmax); it holds {found}.",
            found=", ".join(found) or "-",
            detail=_where(path),
        )


def _describe(config) -> list[str]:
    """A Sequential config -> its layers as 'inputs-units activation' (other layers by class)."""
    if not isinstance(config, dict) or config.get("class_name") != "Sequential":
        name = config.get("class_name") if isinstance(config, dict) else None
        return [f"a {name if isinstance(name, str) else '?'} model"]
    layers = (config.get("config") or {}).get("layers") if isinstance(config.get("config"), dict) else None
    if not isinstance(layers, list) or not layers:
        return []
    first, *rest = layers
    inputs = None
    if isinstance(first, dict) and first.get("class_name") == "InputLayer":
        shape = (first.get("config") or {}).get("batch_shape")
        inputs = shape[-1] if isinstance(shape, list) and len(shape) == 2 else None
    else:
        rest = layers
    described = []
    for layer in rest:
        kind = layer.get("class_name") if isinstance(layer, dict) else None
        settings = layer.get("config") if isinstance(layer, dict) else None
        if kind != "Dense" or not isinstance(settings, dict) or settings.get("use_bias") is False:
            described.append(f"a {kind if isinstance(kind, str) else '?'} layer")
            continue
        units = settings.get("units")
        described.append(f"{inputs}-{units} {settings.get('activation')}")
        inputs = units
    return described


def _read_weights(raw: bytes, path: Path) -> Weights:
    import h5py  # HDF5 reader (comes with Keras); imported here so importing this module is cheap

    try:
        with h5py.File(io.BytesIO(raw), "r") as store:
            weights = []
            for name, (n_in, units, _) in zip(H5_LAYERS, EXPECTED_LAYERS):
                variables = store["layers"][name]["vars"]
                kernel, bias = (np.asarray(variables[key][()], dtype=np.float32) for key in ("0", "1"))
                if kernel.shape != (n_in, units) or bias.shape != (units,):
                    raise ModelFileError(
                        "The model file is not the documented MLP (its layer {layer} holds weights of "
                        "shapes {shape}).",
                        layer=name,
                        shape=f"{kernel.shape} and {bias.shape}",
                        detail=_where(path),
                    )
                weights.append((kernel, bias))
    except ModelFileError:
        raise
    except (OSError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelFileError(
            "The model file is damaged (its weights cannot be read).", detail=_where(path)
        ) from error
    if not all(np.isfinite(array).all() for pair in weights for array in pair):
        raise ModelFileError(
            "The model file is damaged (some of its weights are not numbers).", detail=_where(path)
        )
    return weights
