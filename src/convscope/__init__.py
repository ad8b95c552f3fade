"""convscope: train, evaluate and look inside convolutional image classifiers.

    import convscope
    run = convscope.train("mnist", epochs=5)        # → runs/mnist-<timestamp>/
    run.predict(["my_digit.png"])
    run = convscope.load_run("runs/mnist-…")        # later, from its directory
    convscope.see(run, test_index=4)                # feature maps, as figures

The heavy pieces (Keras and its backend) are imported on first use, so ``import convscope``
and the command line's ``--help`` stay fast.
"""

from . import _setup  # noqa: F401  (must run before anything imports Keras)

__version__ = "0.1.0"

_LAZY = {
    # training
    "train": "training",
    "resume": "training",
    "fit": "training",
    "TrainingInterrupted": "training",
    "build_model": "models",
    "load_dataset": "datasets",
    "get_recipe": "recipes",
    "RECIPES": "recipes",
    # runs
    "load_run": "runs",
    "Run": "runs",
    "RunConfig": "config",
    "TrainOptions": "config",
    # looking inside, comparing
    "see": "views",
    "filter_figure": "views",
    "kernel_figures": "views",
    "explain": "views",
    "summary": "views",
    "compare": "views",
    "trace": "tracing",
    "Trace": "tracing",
    "check_explanation": "views",
    "report": "reports",
    "save_figures": "figures",
    # progress and stopping
    "CancelToken": "events",
    "Collector": "events",
    "ConsoleDisplay": "console",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        _setup.import_keras_quietly()
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'convscope' has no attribute {name!r}")


__all__ = sorted(_LAZY) + ["__version__"]
