"""Run every benchmark, then the summary table: `./dev bench` or `.venv/bin/python -m bench`."""
import sys

from bench import (explain, image_pipeline, lighthouse, model_format, model_inference, quantization,
                   summary, video_pipeline, webcam)

BENCHMARKS = (model_inference, image_pipeline, video_pipeline, webcam, model_format, explain, quantization,
              lighthouse)

if __name__ == "__main__":
    for benchmark in BENCHMARKS:
        status = benchmark.main([])
        if status:
            sys.exit(status)
    sys.exit(summary.main([]))
