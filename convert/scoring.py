"""P(real) from a Keras model, a batch at a time: the one way the toolchain
scores with Keras (parity's reference, evaluation, fine-tuning's figures, the
model card's degraded crops).

Each batch is `model(x, training=False)`, eagerly: `model.predict` runs a
traced graph whose float32 results can differ in the last bit, and the parity
figures were measured against this call.
"""
import numpy as np

from convert.constants import EVAL_BATCH


def keras_scores(model, items, to_inputs=None, batch_size=EVAL_BATCH, log=None):
    """P(real) per item, float32.

    items: model inputs [N, S, S, 3], or anything `to_inputs` turns a slice of
    into them (image paths, decoded pictures), so that only one batch of
    inputs is in memory at a time. log: told "scored k/N" after each batch."""
    scores = []
    for start in range(0, len(items), batch_size):
        batch = items[start:start + batch_size]
        inputs = batch if to_inputs is None else to_inputs(batch)
        scores.append(model(inputs, training=False).numpy().reshape(-1))
        if log:
            log(f"scored {min(start + batch_size, len(items))}/{len(items)}")
    return np.concatenate(scores).astype(np.float32)
