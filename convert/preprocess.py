"""The one definition of preprocessing; site/js/engine/preprocess.js mirrors it.

decode (EXIF orientation applied, RGB, 8 bit) -> crop a pixel box ->
resize to INPUT_SIZE with RESIZE_METHOD (half-pixel centres) -> / PIXEL_SCALE.
"""
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from convert.constants import INPUT_SIZE, PIXEL_SCALE, RESIZE_METHOD
from convert.errors import ConvertError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp")


def decode(path):
    """RGB uint8 array (H, W, 3) as a browser shows it: EXIF orientation applied,
    first frame of an animation, alpha dropped."""
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as exc:
        raise ConvertError(path, f"cannot decode image ({exc})") from exc


def to_input(rgb, box=None):
    """Model input (INPUT_SIZE, INPUT_SIZE, 3) float32 in [0, 1] from RGB uint8.

    box is (x, y, w, h) in integer source pixels; None means the whole image.
    """
    # late: loads TensorFlow; dataset.py and the tools import this module
    # before their arguments are parsed (convert/cli.py)
    from convert.tfenv import tf

    if box is not None:
        x, y, w, h = (int(v) for v in box)
        rgb = rgb[y:y + h, x:x + w]
    resized = tf.image.resize(rgb, (INPUT_SIZE, INPUT_SIZE), method=RESIZE_METHOD)
    return (tf.cast(resized, tf.float32) / PIXEL_SCALE).numpy()


def load_inputs(paths):
    """Stack of model inputs, one per image file (whole image, no face search)."""
    return np.stack([to_input(decode(p)) for p in paths]).astype(np.float32)
