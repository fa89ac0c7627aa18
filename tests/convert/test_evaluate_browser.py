"""evaluate.py --browser: the site scores a labelled folder in headless Chromium
(whole crops, ?faces=off) and agrees with the Keras path."""
import json

import numpy as np

from convert import evaluate
from convert.export import export
from test_evaluate import small_set

# The page and Python differ only by the JPEG decoder and the backend's arithmetic.
PIPELINE_TOLERANCE = 1e-4


def test_browser_scores_match_keras(tmp_path):
    """With a model that is not the site's default, so only the served one can match."""
    data = small_set(tmp_path, per_video=2, videos=1)
    model_dir = tmp_path / "models" / "meso4-f2f"
    export("meso4-f2f", model_dir, check_parity=False, log=lambda _: None)
    report, out = evaluate.run(data, str(model_dir), tmp_path / "browser", browser=True,
                               backend="cpu")
    assert report["runtime"] == "tfjs-browser" and report["backend"] == "cpu"
    keras_report, keras_out = evaluate.run(data, "meso4-f2f", tmp_path / "keras")

    def scores(folder):
        rows = (folder / "scores.csv").read_text().splitlines()[1:]
        return np.array([float(r.rsplit(",", 1)[1]) for r in rows])

    np.testing.assert_allclose(scores(out), scores(keras_out), atol=PIPELINE_TOLERANCE)
    assert report["images"]["confusion"] == keras_report["images"]["confusion"]
    assert json.loads((out / "metrics.json").read_text())["thresholds"] == report["thresholds"]
