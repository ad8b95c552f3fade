"""The course's CIFAR-10 program (seed §2.3), completed from §1.3 where the chapter elides it.

The chapter prints only the end of the listing; the rest is §1.3's program with the CIFAR-10
network of §2.2 (4 × Conv2D 64, two 2×2 max-poolings) and "une dizaine d'époques".
CHANGED 1: `cifar10.load_data()` downloads; here the same arrays are read from
           $CONVSCOPE_DATA/cifar10/cifar-10-python.tar.gz (no network on these machines).
CHANGED 2: arguments: seed, epochs, and how many training steps (0 = all), for benchmarks.
CHANGED 3: timing and a final JSON line, for benchmarks/cifar10_vs_course.py.
"""
import json  # CHANGED 3
import os  # CHANGED 1
import pickle  # CHANGED 1
import sys  # CHANGED 2
import tarfile  # CHANGED 1
import time  # CHANGED 3

import numpy as np
from tensorflow import keras
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Conv2D, Flatten, MaxPooling2D
from tensorflow.keras.utils import to_categorical

SEED, EPOCHS, STEPS = (int(a) for a in (sys.argv[1:] + ["0", "10", "0"])[:3])  # CHANGED 2
keras.utils.set_random_seed(SEED)  # CHANGED 2


def _load():  # CHANGED 1: what cifar10.load_data() returns
    path = os.path.join(os.environ["CONVSCOPE_DATA"], "cifar10", "cifar-10-python.tar.gz")
    with tarfile.open(path) as tar:
        def batch(name):
            d = pickle.load(tar.extractfile("cifar-10-batches-py/" + name), encoding="bytes")
            x = d[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
            return x, np.array(d[b"labels"])
        train = [batch(f"data_batch_{i}") for i in range(1, 6)]
        x_test, y_test = batch("test_batch")
    return (np.concatenate([t[0] for t in train]), np.concatenate([t[1] for t in train])), \
        (x_test, y_test)


### Partie A - Données
(X_train_data, Y_train_data), (X_test_data, Y_test_data) = _load()  # CHANGED 1
if STEPS:  # CHANGED 2
    X_train_data, Y_train_data = X_train_data[:STEPS * 32], Y_train_data[:STEPS * 32]
X_train = X_train_data/255
X_test = X_test_data/255
Y_train = to_categorical(Y_train_data, num_classes=10)
Y_test = to_categorical(Y_test_data, num_classes=10)

### Partie B - Réseau de neurones
modele = Sequential()
modele.add(Conv2D(64, kernel_size=3, padding='same', activation='relu',
                  input_shape=(32,32,3)))
modele.add(Conv2D(64, kernel_size=3, padding='same', activation='relu'))
modele.add(MaxPooling2D(pool_size=(2, 2)))
modele.add(Conv2D(64, kernel_size=3, padding='same', activation='relu'))
modele.add(MaxPooling2D(pool_size=(2, 2)))
# Quatrième couche de convolution : 64 neurones
modele.add(Conv2D(64, kernel_size=3, padding='same', activation='relu'))
# Aplatissage
modele.add(Flatten())
# Couche de sortie : 10 neurones
modele.add(Dense(10, activation='softmax'))
modele.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])
print(modele.summary())

_fit_start = time.perf_counter()  # CHANGED 3
history = modele.fit(X_train, Y_train, batch_size=32, epochs=EPOCHS)
_fit_seconds = time.perf_counter() - _fit_start  # CHANGED 3

### Partie C - Résultats
score = modele.evaluate(X_test, Y_test, verbose=0)
print('Test loss:', score[0])
print('Test accuracy:', score[1])
print("RESULT " + json.dumps({  # CHANGED 3
    "test_accuracy": score[1], "train_accuracy": history.history["accuracy"][-1],
    "fit_seconds": _fit_seconds, "images_per_second": len(X_train) * EPOCHS / _fit_seconds}))
