"""The architecture as a layer table and a picture, read from the model itself.

    python convert/architecture.py meso4 --out results/architecture
    python convert/architecture.py my_retrained.h5 --out results/architecture

Writes <name>.md (the layer table, markdown) and <name>.png (the layer stack).
"""
import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `convert` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from convert import cli, plots  # noqa: E402
from convert.constants import ARCHITECTURES, PUBLISHED_MODELS, REPO_ROOT  # noqa: E402

COLOURS = {"InputLayer": "#e0e0e0", "Conv2D": "#9ecae1", "BatchNormalization": "#c7e9c0",
           "MaxPooling2D": "#fdd0a2", "Flatten": "#dadaeb", "Dropout": "#f0f0f0",
           "Dense": "#fcbba1", "LeakyReLU": "#fee391", "Concatenate": "#bcbddc"}


def _shape(shape):
    if isinstance(shape, list):  # a layer with several outputs: not in MesoNet
        shape = shape[0]
    return "×".join(str(d) for d in shape[1:])


def _detail(layer):
    c = layer.get_config()
    kind = layer.__class__.__name__
    if kind == "Conv2D":
        k = "×".join(map(str, c["kernel_size"]))
        dil = f", dilation {c['dilation_rate'][0]}" if c["dilation_rate"][0] != 1 else ""
        return f"{c['filters']} filters {k}, {c['activation']}{dil}"
    if kind == "MaxPooling2D":
        return f"pool {'×'.join(map(str, c['pool_size']))}"
    if kind == "Dense":
        return f"{c['units']} units, {c['activation']}"
    if kind == "Dropout":
        return f"rate {c['rate']}"
    if kind == "LeakyReLU":
        return f"alpha {c['alpha']:.2g}"
    return ""


def layer_rows(model):
    """One dict per layer, in the model's (topological) order."""
    rows = []
    for layer in model.layers:
        inbound = [n.inbound_layers for n in layer._inbound_nodes]
        inputs = []
        for group in inbound:
            group = group if isinstance(group, (list, tuple)) else [group]
            inputs += [g.name for g in group]
        rows.append({"name": layer.name, "type": layer.__class__.__name__,
                     "detail": _detail(layer), "output_shape": _shape(layer.output_shape),
                     "params": int(layer.count_params()), "inputs": inputs})
    return rows


def is_chain(rows):
    """True when every layer feeds only on the one before it (a plain stack)."""
    return all(r["inputs"] == ([rows[i - 1]["name"]] if i else []) for i, r in enumerate(rows))


def to_markdown(rows):
    chain = is_chain(rows)
    head = "| # | layer | type | settings | output shape | parameters |" + ("" if chain else " inputs |")
    sep = "|---:|---|---|---|---|---:|" + ("" if chain else "---|")
    lines = [head, sep]
    for i, r in enumerate(rows):
        line = (f"| {i} | `{r['name']}` | {r['type']} | {r['detail']} | {r['output_shape']} | "
                f"{r['params']:,} |")
        lines.append(line + ("" if chain else f" {', '.join(r['inputs'])} |"))
    total = sum(r["params"] for r in rows)
    lines.append(f"|  | **total** |  |  |  | **{total:,}** |" + ("" if chain else "  |"))
    return "\n".join(lines) + "\n"


def draw(rows, path, title):
    """The layers as a column of boxes, top to bottom, with output shapes and parameters."""
    plt = plots.plt
    height = 0.42
    fig, ax = plt.subplots(figsize=(6.4, 0.9 + height * len(rows)))
    for i, r in enumerate(rows):
        y = -i
        ax.add_patch(plt.Rectangle((0, y - 0.4), 3.6, 0.8, fc=COLOURS.get(r["type"], "#ffffff"),
                                   ec="0.3", lw=0.8))
        label = r["type"] + (f": {r['detail']}" if r["detail"] else "")
        ax.text(0.1, y, label, va="center", fontsize=8)
        ax.text(3.8, y, r["output_shape"], va="center", fontsize=8, family="monospace")
        ax.text(6.4, y, f"{r['params']:,}" if r["params"] else "", va="center", ha="right",
                fontsize=8, family="monospace")
        if i:
            ax.annotate("", xy=(1.8, y + 0.4), xytext=(1.8, y + 0.6),
                        arrowprops={"arrowstyle": "->", "lw": 0.8})
    ax.text(3.8, 0.8, "output shape", fontsize=8, weight="bold")
    ax.text(6.4, 0.8, "parameters", fontsize=8, weight="bold", ha="right")
    total = sum(r["params"] for r in rows)
    ax.set_title(f"{title}: {len(rows)} layers, {total:,} parameters"
                 + ("" if is_chain(rows) else " (topological order; see the table for inputs)"),
                 fontsize=9)
    ax.set_xlim(-0.1, 6.5)
    ax.set_ylim(-len(rows) + 0.4, 1.2)
    ax.axis("off")
    plots._save(fig, path)


def load_model(source):
    """A built architecture name, a published model name, or a .h5 path."""
    from convert import mesonet  # late: loads TensorFlow, after --verbose is read (convert/cli.py)

    if source in ARCHITECTURES:
        return mesonet.build(source)
    if source in PUBLISHED_MODELS:
        return mesonet.build(PUBLISHED_MODELS[source]["architecture"])
    return mesonet.load(source, allow_other=True)[0]


def write(source, out_dir, name=None):
    """Write <name>.md and <name>.png for source; returns (rows, md path, png path)."""
    model = load_model(source)
    rows = layer_rows(model)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = name or Path(str(source)).stem
    md, png = out_dir / f"{name}.md", out_dir / f"{name}.png"
    md.write_text(to_markdown(rows))
    draw(rows, png, ARCHITECTURES.get(model.name, model.name))
    return rows, md, png


def build_parser():
    parser = argparse.ArgumentParser(prog="architecture.py", description=__doc__.splitlines()[0])
    parser.add_argument("source", help=f"an architecture ({', '.join(ARCHITECTURES)}), a "
                                       "published model name, or a Keras .h5")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "results" / "architecture",
                        help="output folder (default: results/architecture)")
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv)


def work(args):
    rows, md, png = write(args.source, args.out)
    print(f"{len(rows)} layers, {sum(r['params'] for r in rows):,} parameters -> {md}, {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
