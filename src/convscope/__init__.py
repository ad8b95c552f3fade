"""convscope: train, evaluate and look inside convolutional image classifiers.

    import convscope
    run = convscope.train("mnist", epochs=5)        # → runs/mnist-<timestamp>/
    run.predict(["my_digit.png"])
    run = convscope.load_run("runs/mnist-…")        # later, from its directory

The heavy pieces (Keras, TensorFlow) are imported on first use, so ``import convscope`` and the
command line's ``--help`` stay fast.
"""

from . import _setup  # noqa: F401  (must run before anything imports TensorFlow)

__version__ = "0.1.0"

_LAZY = {
    "train": "training",
    "resume": "training",
    "fit": "training",
    "TrainingInterrupted": "training",
    "load_run": "runs",
    "Run": "runs",
    "load_dataset": "datasets",
    "build_model": "recipes",
    "get_recipe": "recipes",
    "RECIPES": "recipes",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        _setup.import_keras_quietly()
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'convscope' has no attribute {name!r}")


__all__ = sorted(_LAZY) + ["__version__"]
