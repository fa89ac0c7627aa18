"""Import TensorFlow and tf_keras once, without their start-up noise on stderr
(CUDA plugin registration on a machine without a GPU, absl), so a CLI's
output is its own lines and an error stays one line. With $MESONET_VERBOSE=1
(the tools' --verbose, convert/cli.py) everything TensorFlow says is shown.
Import errors still surface as Python exceptions."""
import contextlib
import os

from convert.constants import VERBOSE_ENV

__all__ = ["tf", "keras", "tensorflowjs", "quiet_stderr"]

VERBOSE = os.environ.get(VERBOSE_ENV) == "1"

if not VERBOSE:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# tensorflowjs imports TF Decision Forests, whose welcome banner needs IPython
# when stdout is not a terminal.
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")


@contextlib.contextmanager
def quiet_stderr():
    """File descriptor 2 goes to /dev/null inside (C++ logging writes there
    directly, past sys.stderr); nothing changes when verbose."""
    if VERBOSE:
        yield
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def tensorflowjs():
    """The tensorflowjs package (it imports JAX and TF Decision Forests), quietly.
    Imported on first call: only the export needs it, and it adds 0.4 s and
    its own start-up lines to every TensorFlow user that does not."""
    with quiet_stderr():
        import tensorflowjs as tfjs
    return tfjs


with quiet_stderr():
    import tensorflow as tf
    import tf_keras as keras

tf.get_logger().setLevel("INFO" if VERBOSE else "ERROR")
