"""The course's MNIST program (seed §1.3), verbatim except where marked CHANGED.

CHANGED 1: `mnist.load_data()` downloads from the internet; here the same arrays are read from
           the canonical IDX files in $CONVSCOPE_DATA/mnist (no network on these machines).
CHANGED 2: a seed from the command line, so several runs can be averaged.
CHANGED 3: timing and a final JSON line, for benchmarks/mnist_vs_course.py.
`input_shape=` on the first layer is kept as printed (Keras 3 warns and accepts it).
"""
import gzip  # CHANGED 1
import json  # CHANGED 3
import os  # CHANGED 1
import sys  # CHANGED 2
import time  # CHANGED 3

_start = time.perf_counter()  # CHANGED 3
import numpy as np
import matplotlib.pyplot as plt
from tensorflow import keras
from tensorflow.keras import optimizers
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Conv2D, Flatten

keras.utils.set_random_seed(int(sys.argv[1]) if len(sys.argv) > 1 else 0)  # CHANGED 2
EPOCHS = int(sys.argv[2]) if len(sys.argv) > 2 else 5  # CHANGED 3 (5 in the course)


### Partie A - Création des données
def _idx(name, offset):  # CHANGED 1
    path = os.path.join(os.environ["CONVSCOPE_DATA"], "mnist", name)
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


from tensorflow.keras.utils import to_categorical

X_train_data = _idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)  # CHANGED 1
Y_train_data = _idx("train-labels-idx1-ubyte.gz", 8)  # CHANGED 1
X_test_data = _idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28)  # CHANGED 1
Y_test_data = _idx("t10k-labels-idx1-ubyte.gz", 8)  # CHANGED 1

N = X_train_data.shape[0] # 60 000 données

X_train = np.reshape(X_train_data, (N,28,28,1))
X_test = np.reshape(X_test_data, (X_test_data.shape[0],28,28,1))
X_train = X_train/255 # normalisation
X_test = X_test/255
Y_train = to_categorical(Y_train_data, num_classes=10)
Y_test = to_categorical(Y_test_data, num_classes=10)
### Partie B - Réseau de neurones
modele = Sequential()
# Première couche de convolution : 32 neurones, motif 3x3, activ. relu
modele.add(Conv2D(32, kernel_size=3, padding='same', activation='relu',
                      input_shape=(28,28,1)))
# Deuxième couche de convolution : 16 neurones
modele.add(Conv2D(16, kernel_size=3, padding='same', activation='relu'))
# Aplatissage
modele.add(Flatten())
# Couche de sortie : 10 neurones
modele.add(Dense(10, activation='softmax'))
# Descente de gradient
modele.compile(loss='categorical_crossentropy',
               optimizer='adam',
               metrics=['accuracy'])
print(modele.summary())
# Calcul des poids
_fit_start = time.perf_counter()  # CHANGED 3
modele.fit(X_train, Y_train, batch_size=32, epochs=EPOCHS)
_fit_seconds = time.perf_counter() - _fit_start  # CHANGED 3
### Partie C - Résultats
score = modele.evaluate(X_test, Y_test, verbose=0)
print('Test loss:', score[0])
print('Test accuracy:', score[1])
print("RESULT " + json.dumps({"test_accuracy": score[1], "fit_seconds": _fit_seconds,  # CHANGED 3
      "images_per_second": N * EPOCHS / _fit_seconds, "wall_seconds": time.perf_counter() - _start}))
