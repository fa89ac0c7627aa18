"""The layer table and picture come from the built model, not from a drawing."""
from convert import architecture, mesonet


def test_meso4_table_matches_the_model(tmp_path):
    rows, md, png = architecture.write("meso4", tmp_path)
    model = mesonet.build("meso4")
    assert len(rows) == len(model.layers) == 19
    assert sum(r["params"] for r in rows) == model.count_params() == 28_073
    assert architecture.is_chain(rows)
    assert rows[1] == {"name": "conv2d_1", "type": "Conv2D", "detail": "8 filters 3×3, relu",
                       "output_shape": "256×256×8", "params": 3 * 3 * 3 * 8 + 8,
                       "inputs": ["input_1"]}
    assert rows[-1]["output_shape"] == "1"
    text = md.read_text()
    assert text.count("\n") == 19 + 3 and "**28,073**" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_inception_table_lists_inputs(tmp_path):
    rows, md, _ = architecture.write("mesoinception4", tmp_path)
    assert not architecture.is_chain(rows)
    concat = next(r for r in rows if r["type"] == "Concatenate")
    assert len(concat["inputs"]) == 4
    assert "| inputs |" in md.read_text().splitlines()[0]
