"""Run every benchmark, then the summary table: `./dev bench` or `.venv/bin/python -m bench`."""
import argparse
import sys

from bench import (
    explain,
    face_detector,
    image_pipeline,
    lighthouse,
    model_format,
    model_inference,
    photo_pipeline,
    quantization,
    summary,
    video_pipeline,
    webcam,
)
from convert import cli

# bench.crop_calibration is left out: a one-off measurement behind faces.js's constants (run it by hand).
BENCHMARKS = (model_inference, image_pipeline, photo_pipeline, face_detector, video_pipeline, webcam, model_format,
              explain, quantization, lighthouse)


def build_parser():
    return argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])


def work(args):
    for benchmark in BENCHMARKS:
        status = benchmark.main([])
        if status:
            return status
    return summary.main([])


if __name__ == "__main__":
    sys.exit(cli.run(build_parser(), work, tensorflow_logs=False))
