"""Run one of the course's programs where only standalone Keras 3 is installed (no TensorFlow).

The chapter's programs import Keras through TensorFlow (``from tensorflow import keras``,
``from tensorflow.keras.layers import …``). A GPU machine set up with Keras on JAX or PyTorch
has no ``tensorflow`` to import, so this reads the program, points those import lines at
``keras`` itself, and runs it unchanged otherwise (same network, optimizer, batch, epochs).
``KERAS_BACKEND`` chooses the backend, as for any Keras program.

    KERAS_BACKEND=jax python benchmarks/course_on_keras.py course/cifar10_course.py 0 10
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def without_tensorflow(source: str) -> str:
    """The program with ``tensorflow.keras`` imports made ``keras`` imports."""
    source = re.sub(r"^from tensorflow import keras\b", "import keras", source, flags=re.M)
    source = re.sub(r"^from tensorflow\.keras(\.\w+)* import",
                    lambda m: m.group(0).replace("tensorflow.keras", "keras"), source, flags=re.M)
    if re.search(r"^\s*(import|from)\s+tensorflow\b", source, flags=re.M):
        raise SystemExit("the program uses TensorFlow beyond tensorflow.keras: run it with "
                         "TensorFlow installed")
    return source


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__.strip().splitlines()[-1].strip())
    program = (HERE / sys.argv[1]).resolve()
    sys.argv = [str(program), *sys.argv[2:]]
    code = compile(without_tensorflow(program.read_text()), str(program), "exec")
    exec(code, {"__name__": "__main__", "__file__": str(program)})


if __name__ == "__main__":
    main()
