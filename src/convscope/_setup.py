"""Environment settings read once, when convscope is imported: those that must be in place
before Keras (and its backend) is imported, which read them once, and where the data is.
"""

import importlib.util
import os

# Keras's backends, in the order convscope prefers them when the user has not chosen one with
# KERAS_BACKEND: TensorFlow measured fastest on CPUs for these networks.
BACKENDS = ("tensorflow", "jax", "torch")
INSTALL_HINT = ("install one with convscope's extras: pip install 'convscope[cpu]' (TensorFlow "
                "on the CPU), 'convscope[gpu]' (TensorFlow with CUDA) or 'convscope[jax]'; or "
                "keep the TensorFlow, JAX or PyTorch you have")


def _installed_backend() -> str | None:
    return next((name for name in BACKENDS if importlib.util.find_spec(name) is not None), None)


# A relative CONVSCOPE_DATA means the folder it was given in, which is where convscope starts:
# resolved once, here, so that a later change of folder (the app's, a test's) or a process
# started from elsewhere still finds the data.
if os.environ.get("CONVSCOPE_DATA") and not os.path.isabs(os.environ["CONVSCOPE_DATA"]):
    os.environ["CONVSCOPE_DATA"] = os.path.abspath(os.environ["CONVSCOPE_DATA"])

if "KERAS_BACKEND" not in os.environ:
    os.environ["KERAS_BACKEND"] = _installed_backend() or "tensorflow"
# Hide TensorFlow's C++ start-up chatter (oneDNN, CPU feature notices); errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_keras_quietly():
    """Import Keras (and its backend) with the C++ start-up notices kept off the terminal.

    TensorFlow 2.21 prints oneDNN notices through absl before ``TF_CPP_MIN_LOG_LEVEL`` is
    honoured, so stderr is pointed at /dev/null for the duration of the import only. Without
    any backend installed this raises a ConvscopeError naming what to install.
    """
    import sys

    if "keras" in sys.modules:
        return sys.modules["keras"]
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if importlib.util.find_spec(backend) is None:
        from .errors import ConvscopeError

        raise ConvscopeError(f"Keras's {backend} backend is not installed; {INSTALL_HINT}")
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras
