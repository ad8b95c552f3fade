"""What a network sees: feature maps, filter responses, kernels and Grad-CAM, as arrays.

Works on any Keras 3 image classifier: Sequential models (with or without an explicit
``Input``), functional models, and models nested inside models (a backbone inside a
classifier). Instead of building sub-models from ``layer.output`` — which fails with "Graph
disconnected" or "has never been called" for nested or input-less models — the model is run
layer by layer here, recording what each layer of interest produces.

Nothing here draws; ``plots`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .errors import ConvscopeError
from .models import all_layers

# Image layers whose outputs are maps of (height, width, filters) and whose kernels are laid out
# (kh, kw, in, out): plain 2-D convolutions and 2-D poolings.
_CONV = (keras.layers.Conv2D,)
_POOL = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)


def is_pooling(layer) -> bool:
    return isinstance(layer, _POOL)


# -- finding layers ---------------------------------------------------------------------------


def visual_layers(model) -> list:
    """Convolution and pooling layers: the ones whose outputs are images (feature maps)."""
    return [layer for layer in all_layers(model) if isinstance(layer, _CONV + _POOL)]


def conv_layers(model) -> list:
    return [layer for layer in all_layers(model) if isinstance(layer, _CONV)]


def find_layer(model, which=None, kinds=_CONV + _POOL):
    """A layer by 1-based position among the visual layers, by name, or the last convolution
    (the last wider than 1×1, where there is one).

    ``which`` may also be the layer itself.

    Positions count convolution and pooling layers only, as the course numbers them
    ("couche 1, 2, 3").
    """
    if isinstance(which, keras.layers.Layer):
        return which
    candidates = [layer for layer in all_layers(model) if isinstance(layer, kinds)]
    if not candidates:
        raise ConvscopeError(f"model {model.name!r} has no convolution layer to inspect")
    if which is None:
        # The last convolution that looks at neighbourhoods: a residual block's 1×1
        # projection only mixes channels, and may come last in the block's order.
        convs = [layer for layer in candidates if isinstance(layer, _CONV)]
        spatial = [layer for layer in convs if max(layer.kernel_size) > 1]
        return (spatial or convs or candidates)[-1]
    if isinstance(which, int) or (isinstance(which, str) and which.isdigit()):
        index = int(which)
        if not 1 <= index <= len(candidates):
            raise ConvscopeError(
                f"layer {index} does not exist: the model has {len(candidates)} convolution/"
                f"pooling layers ({', '.join(layer.name for layer in candidates)})"
            )
        return candidates[index - 1]
    for layer in candidates:
        if layer.name == which:
            return layer
    raise ConvscopeError(
        f"no convolution/pooling layer named {which!r}; choose one of "
        f"{', '.join(layer.name for layer in candidates)} (or its number, from 1)"
    )


def layer_number(model, layer) -> int:
    return [id(v) for v in visual_layers(model)].index(id(layer)) + 1


# -- running the model layer by layer ---------------------------------------------------------


def _takes_training(layer) -> bool:
    import inspect

    return "training" in inspect.signature(layer.call).parameters


def _is_squashing(layer) -> bool:
    """Whether ``layer`` ends in softmax/sigmoid (as an activation, or being one)."""
    if isinstance(layer, keras.layers.Softmax):
        return True
    return getattr(getattr(layer, "activation", None), "__name__", "") in ("softmax", "sigmoid")


def _without_activation(layer, *args, **kwargs):
    saved = layer.activation
    layer.activation = keras.activations.linear
    try:
        return layer(*args, **kwargs)
    finally:
        layer.activation = saved


def _run(model, x, record: dict, wanted: set, logits: bool = False, nudge: dict | None = None,
         hook=None):
    """Apply ``model`` to ``x`` in inference mode, keeping the outputs of layers in ``wanted``.

    ``wanted`` holds layer ids; ``record`` receives id → output. With ``logits`` the final
    softmax/sigmoid is left out (Grad-CAM needs scores that a saturated softmax cannot give).
    ``nudge`` maps layer ids to a tensor added to that layer's output: the gradient with
    respect to a zero nudge is the gradient with respect to the output, on any backend.
    ``hook(layer, inputs, output)`` hears every layer (nested models' own layers, not the
    models) with what it received and gave: how ``trace`` and the receptive fields follow
    tensors from layer to layer.
    """
    final = model.layers[-1] if logits else None
    nudge = nudge or {}

    def call(layer, *args, **kwargs):
        if isinstance(layer, keras.Model):
            out = _run(layer, args[0], record, wanted, logits=logits and layer is final,
                       nudge=nudge, hook=hook)
        elif layer is final and isinstance(layer, (keras.layers.Activation,
                                                   keras.layers.Softmax)) \
                and _is_squashing(layer):
            out = args[0]
        else:
            if _takes_training(layer):
                kwargs["training"] = False  # augmentation off, dropout off, BN moving stats
            if layer is final and _is_squashing(layer):
                out = _without_activation(layer, *args, **kwargs)
            else:
                out = layer(*args, **kwargs)
        if id(layer) in nudge:
            out = out + nudge[id(layer)]
        if id(layer) in wanted:
            record[id(layer)] = out
        if hook is not None and not isinstance(layer, keras.Model):
            hook(layer, args[0], out)
        return out

    if isinstance(model, keras.Sequential):
        h = x
        for layer in model.layers:
            h = call(layer, h)
        return h
    if not hasattr(model, "_run_through_graph"):  # Keras changed its internals
        raise ConvscopeError(f"cannot run model {model.name!r} layer by layer with Keras "
                             f"{keras.__version__}; convscope supports Keras 3.13–3.x")
    return model._run_through_graph(x, operation_fn=lambda op: lambda *a, **k: call(op, *a, **k))


def layer_outputs(model, images: np.ndarray, layers: list, batch_size: int = 256) -> list:
    """Outputs of ``layers`` for a batch of prepared images, as NumPy arrays."""
    wanted = {id(layer) for layer in layers}
    chunks: list[list[np.ndarray]] = [[] for _ in layers]
    for start in range(0, len(images), batch_size):
        record: dict = {}
        _run(model, keras.ops.convert_to_tensor(images[start : start + batch_size]), record,
             wanted)
        for i, layer in enumerate(layers):
            # float32 also for a model trained in bfloat16 (--fast): NumPy has no bfloat16.
            out = keras.ops.convert_to_numpy(record[id(layer)])
            chunks[i].append(out.astype(np.float32, copy=False))
    return [np.concatenate(c) for c in chunks]


# -- what the course shows ------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureMaps:
    """All the maps one layer produces for one image: ``maps`` is (height, width, filters)."""

    layer: str
    number: int  # position among convolution/pooling layers, from 1 (the course's "couche 1")
    kind: str  # "convolution" or "pooling"
    maps: np.ndarray


def feature_maps(model, image: np.ndarray, layers=None) -> list[FeatureMaps]:
    """For one prepared image, the feature maps of each convolution and pooling layer.

    ``layers``: numbers (from 1) or names of the layers to keep; default all.
    """
    chosen = visual_layers(model) if layers is None else [find_layer(model, w) for w in layers]
    outputs = layer_outputs(model, image[None], chosen)
    return [
        FeatureMaps(layer.name, layer_number(model, layer),
                    "pooling" if isinstance(layer, _POOL) else "convolution", out[0])
        for layer, out in zip(chosen, outputs, strict=True)
    ]


def filter_responses(model, images: np.ndarray, layer, filter_number: int) -> np.ndarray:
    """One filter's output (numbered from 1) across many images: (N, height, width)."""
    layer = find_layer(model, layer)
    (out,) = layer_outputs(model, images, [layer])
    if not 1 <= filter_number <= out.shape[-1]:
        raise ConvscopeError(
            f"filter {filter_number} does not exist: layer {layer.name!r} has "
            f"{out.shape[-1]} filters (numbered 1–{out.shape[-1]})"
        )
    return out[..., filter_number - 1]


def kernels(model, layer=None) -> tuple[np.ndarray, np.ndarray | None]:
    """A convolution layer's learned kernels (kh, kw, in_channels, filters) and biases.

    ``layer`` is numbered like everywhere else (convolution and pooling layers, from 1);
    default: the last convolution.
    """
    layer = find_layer(model, layer)
    if is_pooling(layer):
        raise ConvscopeError(f"layer {layer_number(model, layer)} ({layer.name}) is a pooling "
                             "layer: it has no kernels")
    weights = [keras.ops.convert_to_numpy(w) for w in layer.weights]
    bias = weights[1] if len(weights) > 1 and weights[1].ndim == 1 else None
    return weights[0], bias


def pooled_from(model, layer):
    """For a pooling layer, the convolution layer whose maps it pools (the course's layer 3)."""
    visual = visual_layers(model)
    index = [id(v) for v in visual].index(id(layer))
    return next((v for v in reversed(visual[:index]) if isinstance(v, _CONV)), None)


# -- which part of the image decided -------------------------------------------------------


@dataclass(frozen=True)
class GradCam:
    heatmap: np.ndarray  # (height, width) of the input image, 0–1
    class_index: int
    probabilities: np.ndarray
    layer: str
    method: str


CAM_METHODS = ("hirescam", "gradcam")


def grad_cam(model, image: np.ndarray, class_index: int | None = None, layer=None,
             method: str = "hirescam") -> GradCam:
    """Where in ``image`` the evidence for ``class_index`` lies (default: the predicted class).

    Gradients are taken of the class score before the final softmax/sigmoid, with respect to
    the maps of the last convolution layer (or ``layer``). ``"gradcam"`` weights each map by
    its mean gradient (Selvaraju et al.); ``"hirescam"`` multiplies maps and gradients position
    by position before summing (Draelos & Carin). The two agree for networks that average
    their maps (global pooling); for a Flatten → Dense head, like the course's, the mean
    gradient mixes positive and negative evidence from different places and Grad-CAM's map is
    often empty (all ≤ 0 on most test digits of a trained mnist-viz), so HiResCAM is the
    default. The positive part is kept and scaled to 0–1.
    """
    return _grad_cam(model, image, class_index, layer, method, [])[0]


def maps_and_grad_cam(model, image: np.ndarray, class_index: int | None = None,
                      method: str = "hirescam") -> tuple[list[FeatureMaps], GradCam]:
    """``feature_maps`` and ``grad_cam`` of one image in one forward pass fewer: the maps are
    recorded by the pass Grad-CAM makes anyway (an interactive view needs both per stroke)."""
    visual = visual_layers(model)
    cam, outputs = _grad_cam(model, image, class_index, None, method, visual)
    return [FeatureMaps(layer.name, number, "pooling" if isinstance(layer, _POOL)
                        else "convolution", out)
            for number, (layer, out) in enumerate(zip(visual, outputs, strict=True), 1)], cam


def _grad_cam(model, image: np.ndarray, class_index: int | None, layer, method: str,
              keep: list) -> tuple[GradCam, list[np.ndarray]]:
    """Grad-CAM (see ``grad_cam``), and the outputs of the layers ``keep`` for this image."""
    if method not in CAM_METHODS:
        raise ConvscopeError(f"unknown method {method!r}; choose one of {', '.join(CAM_METHODS)}")
    layer = find_layer(model, layer)
    if is_pooling(layer):
        layer = pooled_from(model, layer) or layer
    x = keras.ops.convert_to_tensor(image[None].astype(np.float32))
    record: dict = {}
    probabilities = keras.ops.convert_to_numpy(
        _run(model, x, record, {id(layer)} | {id(k) for k in keep}))[0]
    maps = record[id(layer)]
    binary = probabilities.shape[-1] == 1
    if class_index is None:
        class_index = int(probabilities[0] > 0.5) if binary else int(np.argmax(probabilities))

    def score(nudge):
        scores = _run(model, x, {}, set(), logits=True, nudge={id(layer): nudge})
        return (scores[0, 0] if class_index == 1 else -scores[0, 0]) if binary \
            else scores[0, class_index]

    grads = _gradient_at_zero(score, keras.ops.zeros_like(maps))
    if grads is None:
        raise ConvscopeError(f"the score does not depend on layer {layer.name!r}")
    grads = grads.mean(axis=(0, 1, 2)) if method == "gradcam" else grads[0]
    cam = np.maximum((keras.ops.convert_to_numpy(maps)[0].astype(np.float32) * grads).sum(-1), 0)
    cam = keras.ops.convert_to_numpy(
        keras.ops.image.resize(cam[..., None], image.shape[:2], interpolation="bilinear")
    )[..., 0]
    top = cam.max()
    cam = cam / top if top > 0 else cam
    if binary:
        probabilities = np.array([1 - probabilities[0], probabilities[0]])
    # float32 also for a model trained in bfloat16 (--fast): NumPy has no bfloat16.
    kept = [keras.ops.convert_to_numpy(record[id(k)])[0].astype(np.float32, copy=False)
            for k in keep]
    return GradCam(cam.astype(np.float32), class_index, probabilities, layer.name, method), kept


def _gradient_at_zero(function, zero):
    """d function / d input at ``zero``, as a float32 NumPy array (``None`` when the function
    does not depend on its input), with whichever backend Keras runs on."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(zero)
            value = function(zero)
        grads = tape.gradient(value, zero)
    elif backend == "jax":
        import jax

        grads = jax.grad(lambda z: function(z).astype("float32"))(zero)
    elif backend == "torch":
        zero = zero.detach().requires_grad_(True)
        function(zero).backward()
        grads = zero.grad
    else:
        raise ConvscopeError(f"Grad-CAM needs gradients: not available on Keras's {backend} "
                             "backend here; use tensorflow, jax or torch")
    if grads is None:
        return None
    return keras.ops.convert_to_numpy(keras.ops.cast(grads, "float32"))
