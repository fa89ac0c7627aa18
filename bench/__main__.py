"""Run every benchmark, then the summary table: `./dev bench` or `.venv/bin/python -m bench`."""
import sys

from bench import (explain, face_detector, image_pipeline, lighthouse, model_format, model_inference,
                   photo_pipeline, quantization, summary, video_pipeline, webcam)

# bench.crop_calibration is left out: a one-off measurement behind faces.js's constants (run it by hand).
BENCHMARKS = (model_inference, image_pipeline, photo_pipeline, face_detector, video_pipeline, webcam, model_format, explain,
              quantization, lighthouse)

if __name__ == "__main__":
    for benchmark in BENCHMARKS:
        status = benchmark.main([])
        if status:
            sys.exit(status)
    sys.exit(summary.main([]))
