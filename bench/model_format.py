"""Layers model vs graph model (fused ops) for Meso-4 on each backend, both
converted from the graph the exporter saves (convert/inference_graph.py),
timed interleaved in one page so the machine's noise hits both alike.

    .venv/bin/python -m bench.model_format [--runs 40]
"""
import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import markdown_table, write_results
from convert import browser, cli, inference_graph, mesonet, webserver
from convert.constants import INPUT_CHANNELS, INPUT_SIZE, PARITY_BACKENDS, SITE_DIR
from convert.tfenv import tensorflowjs, tf

TIMING = '''async ([base, backend, runs, shape]) => {
  const tf = await import('/vendor/tf.js');
  tf.setWasmPaths(base + '/vendor/');
  if (!(await tf.setBackend(backend))) return null;
  await tf.ready();
  const models = {
    layers: await tf.loadLayersModel(base + '/__model__/layers/model.json'),
    graph: await tf.loadGraphModel(base + '/__model__/graph/model.json'),
  };
  const x = tf.randomUniform(shape);
  // apply, as the site calls it: LayersModel.predict would add a Slice
  const call = (m) => (m === models.layers ? m.apply(x, { training: false }) : m.predict(x));
  const run = async (m) => { const y = call(m); const v = await y.data(); y.dispose(); return v[0]; };
  const times = { layers: [], graph: [] };
  for (let i = 0; i < 3; i += 1) for (const m of Object.values(models)) await run(m);
  for (let i = 0; i < runs; i += 1) {
    for (const [name, m] of Object.entries(models)) {
      const started = performance.now();
      await run(m);
      times[name].push(performance.now() - started);
    }
  }
  const median = (a) => a.sort((p, q) => p - q)[a.length >> 1];
  const diff = Math.abs(await run(models.layers) - await run(models.graph));
  return { layers: median(times.layers), graph: median(times.graph), diff };
}'''


def export_both(model_id, folder):
    tfjs = tensorflowjs()
    trained = mesonet.load_source(model_id).model
    model, _ = inference_graph.serving_graph(trained)  # the graph the exporter saves
    tfjs.converters.save_keras_model(model, str(folder / "layers"))

    @tf.function(input_signature=[tf.TensorSpec([None, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS], tf.float32)])
    def serve(x):
        return model(x, training=False)

    tf.saved_model.save(model, str(folder / "saved"), signatures=serve)
    tfjs.converters.convert_tf_saved_model(str(folder / "saved"), str(folder / "graph"))


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="meso4-df")
    parser.add_argument("--runs", type=int, default=40)
    return parser


def main(argv=None):
    return cli.run(build_parser(), work, argv, tensorflow_logs=False)


def work(args):
    rows, data = [], []
    with tempfile.TemporaryDirectory() as tmp:
        export_both(args.model, Path(tmp))
        with webserver.serve({"/": SITE_DIR, "/__model__": tmp}) as base, \
                browser.launch() as chromium:
            for backend in PARITY_BACKENDS:
                page = chromium.new_page()
                page.goto(f"{base}/model/README.md")  # any same-origin document
                runs = args.runs if backend != "webgl" else max(args.runs // 4, 5)
                result = page.evaluate(TIMING, [base, backend, runs, [1, INPUT_SIZE, INPUT_SIZE, INPUT_CHANNELS]])
                page.close()
                if result is None:
                    continue
                rows.append([backend, f"{result['layers']:.2f}", f"{result['graph']:.2f}",
                             f"{result['graph'] / result['layers']:.2f}", f"{result['diff']:.1e}"])
                data.append({"backend": backend, **result})
    table = markdown_table(["backend", "layers model ms", "graph model ms", "graph / layers",
                            "|dP(real)| between them"], rows)
    print(table)
    print(f"\nwritten to {write_results('model_format', data, table)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
