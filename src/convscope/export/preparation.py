"""What the exported network expects, said in ``export.json``: the input's size, channels,
value range and colour order, how a picture is prepared into it, and the classes in order.

The description is what another program needs to prepare a picture exactly as ``convscope
predict`` does (``Run.as_input``); the page and ``predict.py`` in the export folder follow it.
"""

from __future__ import annotations

from ..datasets import digits
from .graph import INPUT_NAME, OUTPUT_NAME


def describe(run) -> dict:
    """The input, output and classes of ``run``'s exported network."""
    config = run.config
    height, width, channels = (int(d) for d in config.input_shape)
    names = list(run.class_names)
    return {
        "input": {
            "name": INPUT_NAME,
            "shape": [None, height, width, channels],
            "dtype": "float32",
            "layout": "batch, height, width, channels",
            "height": height,
            "width": width,
            "channels": channels,
            "colours": "RGB" if channels == 3 else "grey",
            "value_range": [0.0, 1.0],
            "scale": float(config.input_scale),
            "kind": config.input_kind,
            "preparation": (digit_steps() if config.input_kind == "digit"
                            else photo_steps(height, width, channels)),
        },
        "output": {
            "name": OUTPUT_NAME,
            "shape": [None, len(names)],
            "meaning": "one probability per class, in the order of class_names; they sum to 1",
            "mirror_averaged": bool(config.test_time_flip),
        },
        "class_names": names,
    }


def photo_steps(height: int, width: int, channels: int) -> list[str]:
    """A photo's preparation, as ``datasets.decoding.decode_image`` does it."""
    colour = ("RGB (8 bits; transparent pixels over white)" if channels == 3 else
              "RGB (8 bits; transparent pixels over white), then grey (Pillow's 'L')")
    return [
        "upright: the EXIF orientation applied",
        f"colours: {colour}",
        f"crop: the centre, to the aspect ratio {width}:{height}",
        f"resize: to {width}×{height} pixels, bicubic (Pillow's ImageOps.fit with "
        "Image.BICUBIC); a JPEG may first be decoded at 1/2, 1/4 or 1/8 of its size as long "
        "as that still covers the target (Pillow's draft mode)",
        "values: each 8-bit value divided by 255",
    ]


def digit_steps() -> list[str]:
    """A handwritten digit's preparation, as ``datasets.digits.digit_as_mnist`` does it."""
    return [
        "grey: RGB (transparent pixels over white), then Pillow's 'L' "
        "(L = R·299/1000 + G·587/1000 + B·114/1000)",
        f"reduce: longer side at most {digits.WORKING_SIDE} pixels (Pillow's BOX filter)",
        "ink: the side of the grey levels away from the median pixel (the paper) is ink; "
        "dark ink on light paper is measured relative to the paper's level (a closing "
        "0.2 × the shorter side wide, smoothed), light ink as its excess over the ground; "
        "below a quarter of the strongest ink is paper; ink scaled to 0–1",
        f"clean: pieces with less than {digits.SPECK:.0%} of the largest piece's ink, and "
        "lines along the picture's edge, dropped; two digits side by side refused",
        f"stroke: brought towards {digits.TARGET_WIDTH} pixels wide in the "
        f"{digits.MNIST_BOX}-pixel box when outside {digits.THINNEST}–{digits.THICKEST}",
        f"fit: cropped to the ink, resized (Lanczos) so its longer side is "
        f"{digits.MNIST_BOX} pixels",
        f"centre: placed in {digits.MNIST_SIZE}×{digits.MNIST_SIZE} with its centre of mass "
        "at the centre; ink = 1, paper = 0",
    ]
