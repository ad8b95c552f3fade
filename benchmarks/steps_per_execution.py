"""Why convscope compiles with steps_per_execution=8: training images/s for 1 vs 8 steps/call.

The same network (the `mnist` recipe), the same 20,000 images, batch 32; the two settings are
alternated epoch by epoch in one process, so drifts in machine speed hit both alike.

    CONVSCOPE_DATA=../shared/datasets python benchmarks/steps_per_execution.py
"""

import statistics
import time

from mnist_vs_course import cpu_name

import convscope
from convscope._setup import import_keras_quietly

keras = import_keras_quietly()
IMAGES, REPEATS, SETTINGS = 20_000, 4, (1, 8)


def main() -> None:
    data = convscope.load_dataset("mnist")
    x = data.x_train[:IMAGES].astype("float32") / 255
    y = data.y_train[:IMAGES]
    models = {}
    for spe in SETTINGS:
        keras.utils.set_random_seed(0)
        model = convscope.get_recipe("mnist").build()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], steps_per_execution=spe)
        model.fit(x[:3200], y[:3200], batch_size=32, epochs=1, verbose=0)  # trace first
        models[spe] = model
    speeds = {spe: [] for spe in SETTINGS}
    for _ in range(REPEATS):
        for spe, model in models.items():
            began = time.perf_counter()
            model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False)
            speeds[spe].append(IMAGES / (time.perf_counter() - began))
    print(f"CPU: {cpu_name()}")
    for spe, values in speeds.items():
        print(f"steps_per_execution={spe}: median {statistics.median(values):.0f} images/s "
              f"({', '.join(f'{v:.0f}' for v in values)})")


if __name__ == "__main__":
    main()
