"""Run every benchmark: `./dev bench` or `.venv/bin/python -m bench`."""
import sys

from bench import model_inference, quantization

if __name__ == "__main__":
    sys.exit(model_inference.main(sys.argv[1:]) or quantization.main([]))
