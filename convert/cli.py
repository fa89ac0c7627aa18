"""What every command-line tool here shares: a `--verbose` switch, and a
ConvertError printed as one line `error: <path>: <cause>` with exit code 1.

    def main(argv=None):
        return cli.run(build_parser(), work, argv)

`work(args)` does the job and returns the exit code. TensorFlow's own
start-up logging (CUDA plugin registration, absl) stays hidden unless
--verbose is given: convert/tfenv.py reads the switch when TensorFlow is
first imported, which every tool does only after its arguments are parsed.
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


def run(parser, work, argv=None):
    args = add_verbose(parser).parse_args(argv)
    if args.verbose:
        os.environ[VERBOSE_ENV] = "1"
    try:
        return work(args)
    except ConvertError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def log(message):
    """Progress lines go to stderr, results to stdout."""
    print(message, file=sys.stderr)
