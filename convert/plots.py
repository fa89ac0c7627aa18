"""Evaluation and training plots as PNG (matplotlib, no display needed).

Each function takes computed figures, never images, and writes one file.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 110
PNG_METADATA = {"Software": None}  # no version string: same data, same bytes


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, metadata=PNG_METADATA)
    plt.close(fig)


def roc(curves, path, title):
    """curves: [(label, fpr, tpr, auc)], drawn on one set of axes."""
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    for label, fpr, tpr, auc in curves:
        ax.plot(fpr, tpr, lw=1.8, drawstyle="default", label=f"{label} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], ls="--", c="0.6", lw=1, label="chance")
    ax.set(xlim=(0, 1), ylim=(0, 1.01), xlabel="false positive rate (real called fake)",
           ylabel="true positive rate (fake caught)", title=title)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    _save(fig, path)


def confusion(matrix, path, title):
    """matrix: [[tn, fp], [fn, tp]], rows = true (real, fake), columns = called."""
    m = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(3.8, 3.4))
    ax.imshow(m, cmap="Blues", vmin=0, vmax=max(int(m.max()), 1))
    for (i, j), count in np.ndenumerate(m):
        share = count / max(m[i].sum(), 1)
        ax.text(j, i, f"{count}\n{share:.0%} of row", ha="center", va="center",
                color="white" if count > m.max() / 2 else "black", fontsize=9)
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["real", "fake"],
           yticklabels=["real", "fake"], xlabel="called", ylabel="true", title=title)
    _save(fig, path)


def histogram(y, p_real, thresholds, path, title):
    """P(real) per class, with the decision threshold and the uncertain band."""
    y, p_real = np.asarray(y), np.asarray(p_real)
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    bins = np.linspace(0, 1, 26)
    ax.axvspan(thresholds["fake_below"], thresholds["real_above"], color="0.9",
               label="uncertain band")
    ax.hist(p_real[y == 0], bins=bins, alpha=0.65, color="tab:blue", label=f"real ({(y == 0).sum()})")
    ax.hist(p_real[y == 1], bins=bins, alpha=0.65, color="tab:red", label=f"fake ({(y == 1).sum()})")
    ax.set(xlim=(0, 1), xlabel="P(real), model output", ylabel="faces", title=title)
    ax.legend(fontsize=8)
    _save(fig, path)


def training_curves(history, path, title):
    """history: {"loss": [...], "val_loss": [...], "accuracy": [...], ...} per epoch."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for ax, key in zip(axes, ("loss", "accuracy")):
        for prefix, style in (("", "-"), ("val_", "--")):
            if prefix + key in history:
                ax.plot(epochs, history[prefix + key], style, marker="o", ms=3,
                        label="validation" if prefix else "training")
        ax.set(xlabel="epoch", ylabel=key, title=f"{title}: {key}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    _save(fig, path)
