"""Run every benchmark: `./dev bench` or `.venv/bin/python -m bench`."""
import sys

from bench import explain, image_pipeline, model_format, model_inference, quantization, video_pipeline, webcam

if __name__ == "__main__":
    sys.exit(model_inference.main([]) or quantization.main([]) or explain.main([])
             or model_format.main([]) or image_pipeline.main([]) or video_pipeline.main([]) or webcam.main([]))
