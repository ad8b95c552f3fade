"""Environment settings that must be in place before TensorFlow is imported.

TensorFlow reads these once, at import time; setting them later has no effect.
"""

import os

# The stack is Keras 3 on TensorFlow (measured fastest on CPU for these networks).
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Hide TensorFlow's C++ start-up chatter (oneDNN, CPU feature notices); errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_keras_quietly():
    """Import Keras (and TensorFlow) with the C++ start-up notices kept off the terminal.

    TensorFlow 2.21 prints oneDNN notices through absl before ``TF_CPP_MIN_LOG_LEVEL`` is
    honoured, so stderr is pointed at /dev/null for the duration of the import only. A failed
    import still raises its Python exception as usual.
    """
    import sys

    if "keras" in sys.modules:
        return sys.modules["keras"]
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
