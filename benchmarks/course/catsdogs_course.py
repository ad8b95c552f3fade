"""The course's cats-vs-dogs program (seed §3.3), verbatim except where marked CHANGED.

CHANGED 1: the folders are the shared copy's ($CONVSCOPE_DATA/catsdogs/train|test) and
           nb_train_images is its count (2,000; the course had 20,000).
CHANGED 2: a seed from the command line (the course's shuffle seed 13 is kept), the number of
           epochs too (the course's text says about 40 give its 85 %).
CHANGED 3: `fit_generator` is gone from Keras 3: `fit` takes the same arguments.
           `ImageDataGenerator` now lives in Keras's legacy package.
CHANGED 4: timing, the test photos scored the same way (the course shows no test code), and a
           final JSON line, for benchmarks/photos_vs_course.py.
"""
import json  # CHANGED 4
import os  # CHANGED 1
import sys  # CHANGED 2
import time  # CHANGED 4

_start = time.perf_counter()  # CHANGED 4
import numpy as np
from tensorflow import keras
from tensorflow.keras import optimizers
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense,Conv2D,Flatten,MaxPooling2D,Dropout
from keras.src.legacy.preprocessing.image import ImageDataGenerator  # CHANGED 3

keras.utils.set_random_seed(int(sys.argv[1]) if len(sys.argv) > 1 else 0)  # CHANGED 2
EPOCHS = int(sys.argv[2]) if len(sys.argv) > 2 else 40  # CHANGED 2

# A télécharger sur https://www.kaggle.com/c/dogs-vs-cats/data
train_directory = os.path.join(os.environ["CONVSCOPE_DATA"], "catsdogs", "train")  # CHANGED 1
test_directory = os.path.join(os.environ["CONVSCOPE_DATA"], "catsdogs", "test")  # CHANGED 1
image_width = 64
image_height = 64
nb_train_images = 2000  # CHANGED 1
# Transforme les images en données d'apprentissage :
# (a) reformate les images en taille unique,
# (b) créé une classification (à partir de chaque sous-répertoire)
# 0 pour les chats et 1 pour les chiens
train_datagen = ImageDataGenerator(rescale =1./255)
training_set = train_datagen.flow_from_directory(train_directory,
                                       target_size=(image_width,image_height),
                                       batch_size= 32,
                                       shuffle=True, seed=13,
                                       class_mode='binary')
# Partie B. Réseau
modele = Sequential()
modele.add(Conv2D(64, kernel_size=3, padding='same', activation='relu',
                      input_shape=(image_width,image_height,3)))
modele.add(MaxPooling2D(pool_size=(2, 2)))
modele.add(Dropout(0.5))
modele.add(Conv2D(64, kernel_size=3, padding='same', activation='relu'))
modele.add(MaxPooling2D(pool_size=(2, 2)))
modele.add(Dropout(0.5))
modele.add(Conv2D(64, kernel_size=3, padding='same', activation='relu'))
modele.add(MaxPooling2D(pool_size=(2, 2)))
modele.add(Dropout(0.5))
modele.add(Flatten())
modele.add(Dense(32, activation='relu'))
modele.add(Dense(1, activation='sigmoid'))
modele.compile(loss='binary_crossentropy',
               optimizer='adam',
               metrics=['accuracy'])
# Partie C. Apprentissage
_fit_start = time.perf_counter()  # CHANGED 4
history = modele.fit(training_set,  # CHANGED 3
                        steps_per_epoch = nb_train_images // 32,
                        epochs = EPOCHS)
_fit_seconds = time.perf_counter() - _fit_start  # CHANGED 4
test_set = ImageDataGenerator(rescale=1./255).flow_from_directory(  # CHANGED 4
    test_directory, target_size=(image_width, image_height), batch_size=32, shuffle=False,
    class_mode='binary')
score = modele.evaluate(test_set, verbose=0)  # CHANGED 4
print("RESULT " + json.dumps({"test_accuracy": score[1], "fit_seconds": _fit_seconds,  # CHANGED 4
      "images_per_second": nb_train_images * EPOCHS / _fit_seconds,
      "wall_seconds": time.perf_counter() - _start}))
