"""Convert a Keras MesoNet (anything Keras 3 or tf_keras saved, or a published model name) to TF.js, with parity.

    python convert/export_tfjs.py meso4-df --out site/model/meso4-df
    python convert/export_tfjs.py my_meso4.keras --out site/model/my-model --name "My model"
    python convert/export_tfjs.py my_retrained.h5 --out site/model/my-model --quantize float16
    python convert/export_tfjs.py meso4-df --thresholds results/eval/meso4-df-mesonet_df_validation/thresholds.json
"""
import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `convert` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from convert import cli  # noqa: E402
from convert.constants import (  # noqa: E402
    ARCHITECTURES,
    PARITY_BACKENDS,
    PUBLISHED_MODELS,
    QUANTIZATIONS,
    SITE_MODEL_DIR,
)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="export_tfjs.py", description=__doc__.splitlines()[0],
        formatter_class=cli.DefaultsHelpFormatter,
        epilog=f"Published models: {', '.join(PUBLISHED_MODELS)}.")
    parser.add_argument("source", help="what Keras saved (.keras, .h5, .weights.h5, a SavedModel "
                                       "folder), or a published model name")
    parser.add_argument("--out", type=Path,
                        help=f"output folder (default: {SITE_MODEL_DIR.name}/<model id> in the site): "
                             "new, empty or a previous export, which is replaced")
    parser.add_argument("--force", action="store_true",
                        help="--out may hold other files: write the model's files alongside them "
                             "(replacing only files of the same names and the previous export's; "
                             "never the source)")
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES),
                        help="the architecture you expect (default: read from the file; an "
                             "export whose file holds another one fails)")
    parser.add_argument("--not-mesonet", action="store_true",
                        help="the source is another network mapping a 256x256 RGB face to "
                             "P(real) (a tf_keras file): export it as architecture \"custom\"; "
                             "the page says it is not MesoNet")
    parser.add_argument("--quantize", choices=QUANTIZATIONS, default="none",
                        help="weight quantisation")
    parser.add_argument("--id", dest="model_id", help="model id (default: the output folder name)")
    parser.add_argument("--name", help="display name shown in the site")
    parser.add_argument("--thresholds", type=Path, metavar="FILE",
                        help="calibrated uncertain band (thresholds.json from evaluate.py "
                             "--calibrate; default: the provisional band in constants.py)")
    parser.add_argument("--no-parity", dest="check_parity", action="store_false",
                        help="skip the Keras vs TF.js parity check")
    parser.add_argument("--parity-images", nargs="+", type=Path, metavar="PATH",
                        help="more images or folders to check parity on, beside the repository's "
                             "four MesoNet test images (default: a sample of ../shared/datasets "
                             "when it is there)")
    parser.add_argument("--backends", nargs="+", choices=PARITY_BACKENDS,
                        default=list(PARITY_BACKENDS), help="TF.js backends to check")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv)


def work(args):
    out = args.out
    if out is None:
        model_id = args.model_id or (args.source if args.source in PUBLISHED_MODELS
                                     else Path(args.source).stem)
        out = SITE_MODEL_DIR / model_id
    started = time.perf_counter()
    from convert.export import export  # late: loads TensorFlow, after --verbose is read (convert/cli.py)

    meta = export(args.source, out, architecture=args.arch, quantize=args.quantize,
                  model_id=args.model_id, name=args.name, check_parity=args.check_parity,
                  parity_images=args.parity_images, backends=args.backends,
                  thresholds_file=args.thresholds, force=args.force, not_mesonet=args.not_mesonet, log=cli.log)
    print(f"exported {meta['id']} ({meta['architecture_name']}, quantization {meta['quantization']}) "
          f"to {out} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
