"""The one runner of every command-line tool (convert/*.py, bench/): argument
parsing, and a ConvertError printed as one line `error: <path>: <cause>`
with exit code 1.

    def main(argv=None):
        return cli.run(build_parser(), work, argv)

`work(args)` does the job and returns the exit code.

A tool in convert/ also gets --verbose: TensorFlow's own start-up logging
(CUDA plugin registration, absl) stays hidden unless it is given. tfenv.py
reads the switch when TensorFlow is first imported, so these tools import
TensorFlow (convert.tfenv, and mesonet, inference_graph, export, keras_files,
which import it) inside the functions that use it, after the arguments are
parsed; that also answers --help or a usage error in 0.1 to 1.5 s rather
than after the 10 s TensorFlow took to load on the shared 2-core machine.
Every other import is at the top of its module. The benchmarks (which load
TensorFlow with their modules) and the static server have no --verbose
(tensorflow_logs=False).

A tool in convert/ runs as a script (`python convert/export_tfjs.py`), so its
first lines put the repository on sys.path; benchmarks run as modules
(`python -m bench.model_inference`) from the repository and need nothing.
"""
import argparse
import os
import sys

from convert.constants import VERBOSE_ENV
from convert.errors import ConvertError


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """--help shows each option's default, except where there is none to show."""

    def _get_help_string(self, action):
        if action.default in (None, []) or isinstance(action.default, bool) \
                or isinstance(action, argparse._HelpAction):
            return action.help
        return super()._get_help_string(action)


def add_verbose(parser):
    parser.add_argument("--verbose", action="store_true",
                        help="also show TensorFlow's own start-up and log lines")
    return parser


def run(parser, work, argv=None, *, tensorflow_logs=True):
    """Parse argv (sys.argv when None), return work(args)'s exit code; a
    ConvertError is one line on stderr and exit code 1. tensorflow_logs:
    offer --verbose (only for a tool that imports TensorFlow after parsing)."""
    args = (add_verbose(parser) if tensorflow_logs else parser).parse_args(argv)
    if getattr(args, "verbose", False):
        os.environ[VERBOSE_ENV] = "1"
    try:
        return work(args)
    except ConvertError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def log(message):
    """Progress lines go to stderr, results to stdout."""
    print(message, file=sys.stderr)
