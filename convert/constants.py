"""Every constant the toolchain shares, and that metadata.json hands to the site.

The site never repeats these values: it reads them from each model's
metadata.json, which `metadata.py` writes from this module.
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = REPO_ROOT / "site"
SITE_MODEL_DIR = SITE_DIR / "model"
SHARED_DIR = REPO_ROOT.parent / "shared"
# The four MesoNet test images (DariusAf/MesoNet, Apache-2.0, with their
# LICENSE and NOTICE): the only third-party media the repository carries, so a
# clone without ../shared can check parity and run its tests.
TEST_IMAGES_DIR = REPO_ROOT / "data" / "mesonet-test-images"
# The labelled research data beside the repository, when there (never committed).
SHARED_DATASETS_DIR = SHARED_DIR / "datasets"

METADATA_SCHEMA = 1
METADATA_FILE = "metadata.json"
MODEL_JSON = "model.json"
MODEL_INDEX_FILE = "index.json"
DEFAULT_MODEL_ID = "meso4-df"

# Input contract shared by Keras, the parity check and the site.
INPUT_SIZE = 256
INPUT_CHANNELS = 3
# Nearest neighbour with half-pixel centres: what MesoNet was trained with
# (Keras flow_from_directory's default), and the best of nearest, bilinear,
# area and bicubic on the MesoNet validation crops (ROC AUC 0.962 vs 0.948 to
# 0.956). tf.image.resize(method="nearest") in Python and
# tf.image.resizeNearestNeighbor(x, size, false, true) in TF.js pick the same
# source pixels, exactly, when resizing to 256 (scale = in/256 is exact).
RESIZE_METHOD = "nearest"
RESIZE_HALF_PIXEL_CENTERS = True
PIXEL_SCALE = 255.0  # input = resized RGB / 255, in [0, 1]

# The sigmoid output is P(real): Keras flow_from_directory sorted the class
# folders alphabetically, df = 0, real = 1. Near 0 means manipulated.
OUTPUT_MEANING = "p_real"
# Provisional bands, replaced by calibrated ones once evaluation writes them:
# P(real) below FAKE_BELOW is "likely manipulated", above REAL_ABOVE "likely real".
THRESHOLDS = {"fake_below": 0.35, "real_above": 0.65}

ARCHITECTURES = {"meso4": "Meso-4", "mesoinception4": "MesoInception-4"}
# A network that is not MesoNet, exported only with export_tfjs.py --not-mesonet.
CUSTOM_ARCHITECTURE = "custom"
CUSTOM_ARCHITECTURE_NAME = "not MesoNet"
# A SavedModel is run once on a few inputs beside the MesoNet rebuilt from its
# variables: they must agree this closely (float32 on the CPU, as parity).
FORMAT_CHECK_TOLERANCE = 1e-5
QUANTIZATIONS = ("none", "float16", "uint8")

# Parity: max |delta P(real)| allowed between Keras and TF.js, per weight
# quantisation and TF.js backend. Why each value is what it is: docs/converter.md.
PARITY_BACKENDS = ("cpu", "wasm", "webgl")
PARITY_TOLERANCE = {
    "none": {"cpu": 1e-5, "wasm": 1e-5, "webgl": 1e-4},
    "float16": {"cpu": 2e-2, "wasm": 2e-2, "webgl": 2e-2},
    "uint8": {"cpu": 5e-2, "wasm": 5e-2, "webgl": 5e-2},
}
PARITY_RANDOM_INPUTS = 4
# Synthetic inputs beside the random ones: the ends of the input range and
# structure that photos rarely have (see parity.synthetic_inputs).
PARITY_SYNTHETIC_INPUTS = ("black", "white", "gradient", "checkerboard")
PARITY_MAX_IMAGES = 32
PARITY_SEED = 20180901

# Published MesoNet weights (Afchar et al., WIFS 2018), pinned to one commit.
WEIGHTS_COMMIT = "2144d56a30e48cdcac1976ff13a1c5cdc86376c6"
WEIGHTS_URL = "https://github.com/DariusAf/MesoNet/raw/{commit}/weights/{file}"
VERBOSE_ENV = "MESONET_VERBOSE"  # "1": the tools show TensorFlow's own logging (--verbose)
WEIGHTS_DIR_ENV = "MESONET_WEIGHTS_DIR"  # a local mirror of the weight files
CACHE_DIR_ENV = "MESONET_CACHE_DIR"  # where downloads are kept
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "mesonet-web"

PUBLISHED_MODELS = {
    "meso4-df": {
        "file": "Meso4_DF.h5",
        "sha256": "036ed30d04ffd9c7506f825b97c86aa64915f5818931da96817b169aad790af5",
        "architecture": "meso4",
        "name": "Meso-4, trained on Deepfake face swaps",
        "trained_on": "MesoNet Deepfake set",
    },
    "meso4-f2f": {
        "file": "Meso4_F2F.h5",
        "sha256": "bcfda015d217b9f8d6557693edbdf9f4e79cfd22672541968dd0e2954462b5d7",
        "architecture": "meso4",
        "name": "Meso-4, trained on Face2Face reenactment",
        "trained_on": "FaceForensics Face2Face",
    },
    "mesoinception4-df": {
        "file": "MesoInception_DF.h5",
        "sha256": "234586d40058e76ef8b6f27ca4b63c06e31c2a5a69c0d8ba6f30b1468ab7bafa",
        "architecture": "mesoinception4",
        "name": "MesoInception-4, trained on Deepfake face swaps",
        "trained_on": "MesoNet Deepfake set",
    },
    "mesoinception4-f2f": {
        "file": "MesoInception_F2F.h5",
        "sha256": "d4533ac8a3197dc35c47405d23d99e888c1d0135e267e03540c7451feaccff3f",
        "architecture": "mesoinception4",
        "name": "MesoInception-4, trained on Face2Face reenactment",
        "trained_on": "FaceForensics Face2Face",
    },
}

# Evaluation. Detection metrics treat "fake" (manipulated) as the positive
# class: the detection score is 1 - P(real); precision and recall are the
# precision and recall of calling a face fake.
POSITIVE_CLASS = "fake"
LABELS = ("real", "fake")  # class folders of a labelled set; labels.csv optional
DECISION_THRESHOLD = 0.5  # P(real) below this is called fake (the reference figures' rule)
EVAL_BATCH = 32
# Threshold calibration: the uncertain band is the widest P(real) range left
# over once each verdict band ("likely manipulated" below fake_below, "likely
# real" above real_above) holds at least this fraction of its own class on
# the calibration split. Chosen on one half of the videos, reported on the other.
CALIBRATION_PRECISION = 0.95
CALIBRATION_SPLIT_SEED = 20180901
THRESHOLDS_FILE = "thresholds.json"
METRICS_FILE = "metrics.json"
SCORES_FILE = "scores.csv"

# Fine-tuning (finetune.py): split by group (a fake with its original video),
# so no identity is in two splits; early stopping on the validation loss.
# Learning rate and batch-norm training were chosen by validation loss on the
# dfdc_faces224 validation split (1e-4 frozen: 0.680, 1e-3 frozen: 0.659,
# 1e-3 trained: 0.643), never by the test split.
FINETUNE_SPLIT = {"train": 0.6, "validation": 0.2, "test": 0.2}
FINETUNE_SEED = 20180901
FINETUNE_EPOCHS = 25
FINETUNE_PATIENCE = 4
FINETUNE_BATCH = 16
FINETUNE_LEARNING_RATE = 1e-3
FINETUNE_FREEZE_BATCH_NORM = False
# A validation or test split with fewer images is warned about: with 50 face
# crops the ROC AUC's standard error is about 0.07, wider than most changes a
# fine-tuning makes.
FINETUNE_FEW_IMAGES = 50
# Augmentation of training crops (finetune.augment): probabilities and ranges.
AUGMENT = {
    "flip": 0.5,
    "colour": (0.8, 1.2),  # brightness, contrast and saturation factors
    "blur": 0.3, "blur_sigma": (0.3, 1.5),
    "jpeg": 0.5, "jpeg_quality": (30, 95),
}

# Published cross-dataset figures, quoted (not measured here) for the model
# card: frame-level ROC AUC in percent of Meso-4 trained on FaceForensics++,
# from Li et al., "Celeb-DF: A Large-scale Challenging Dataset for DeepFake
# Forensics", CVPR 2020 (comparison table of detection methods).
PUBLISHED_FIGURES = {
    "source": "Li et al., Celeb-DF (CVPR 2020), frame-level AUC (%) of Meso4",
    "url": "https://arxiv.org/abs/1909.12962",
    "auc_percent": {"UADFV": 84.3, "FaceForensics++ DF": 84.7, "DFDC preview": 75.3,
                    "Celeb-DF": 54.8},
}
