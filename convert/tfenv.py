"""Import TensorFlow and tf_keras once, without their start-up noise on stderr
(CUDA plugin registration on a machine without a GPU), so a CLI error stays
one line. Import errors still surface as Python exceptions."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# tensorflowjs imports TF Decision Forests, whose welcome banner needs IPython
# when stdout is not a terminal.
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")


def _quiet_import():
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import tensorflow
        import tf_keras
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    tensorflow.get_logger().setLevel("ERROR")
    return tensorflow, tf_keras


tf, keras = _quiet_import()
