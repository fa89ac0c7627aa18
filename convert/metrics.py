"""Detection metrics as pure functions of labels and scores (numpy only).

Conventions, used everywhere in evaluation:
- y is 1 for "fake" (the positive class) and 0 for "real";
- the model outputs p_real = P(real); the detection score is 1 - p_real;
- a face is called fake when p_real < threshold.
"""
import numpy as np


def as_arrays(y, p_real):
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    p_real = np.asarray(p_real, dtype=np.float64).reshape(-1)
    if y.shape != p_real.shape:
        raise ValueError(f"{y.size} labels but {p_real.size} scores")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 (real) or 1 (fake)")
    return y, p_real


def confusion(y, p_real, threshold):
    """Counts at a P(real) threshold: rows = true (real, fake), columns = called (real, fake)."""
    y, p_real = as_arrays(y, p_real)
    called_fake = p_real < threshold
    tp = int(np.sum(called_fake & (y == 1)))
    fp = int(np.sum(called_fake & (y == 0)))
    fn = int(np.sum(~called_fake & (y == 1)))
    tn = int(np.sum(~called_fake & (y == 0)))
    return {"tn": tn, "fp": fp, "fn": fn, "tp": tp, "matrix": [[tn, fp], [fn, tp]]}


def _ratio(a, b):
    return float(a / b) if b else None


def threshold_metrics(y, p_real, threshold):
    """Accuracy, precision, recall, F1 (fake = positive) and specificity at a threshold."""
    c = confusion(y, p_real, threshold)
    tp, fp, fn, tn = c["tp"], c["fp"], c["fn"], c["tn"]
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    return {"threshold": float(threshold), "accuracy": _ratio(tp + tn, tp + tn + fp + fn),
            "precision": precision, "recall": recall, "f1": f1,
            "specificity": _ratio(tn, tn + fp), "confusion": c}


def roc_curve(y, p_real):
    """(fpr, tpr, p_real_thresholds): one point per distinct score, from (0, 0) to (1, 1).

    The point at index i counts as fake every face with p_real <= thresholds[i]
    (equivalently, detection score >= 1 - thresholds[i]); index 0 calls nothing fake.
    """
    y, p_real = as_arrays(y, p_real)
    order = np.argsort(p_real, kind="mergesort")
    p_sorted, y_sorted = p_real[order], y[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(p_sorted)), y.size - 1]
    tps = np.cumsum(y_sorted)[last_of_tie]
    fps = (last_of_tie + 1) - tps
    n_pos, n_neg = int(y.sum()), int(y.size - y.sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("the ROC curve needs both real and fake faces")
    tpr = np.r_[0.0, tps / n_pos]
    fpr = np.r_[0.0, fps / n_neg]
    thresholds = np.r_[-np.inf, p_sorted[last_of_tie]]
    return fpr, tpr, thresholds


def roc_auc(y, p_real):
    """Area under the ROC curve: P(a random fake scores lower P(real) than a random
    real), ties counted one half (the Mann-Whitney statistic)."""
    fpr, tpr, _ = roc_curve(y, p_real)
    trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy 2 renamed it
    return float(trapezoid(tpr, fpr))


def auc_standard_error(auc, n_fake, n_real):
    """Standard error of a ROC AUC (Hanley and McNeil, Radiology 1982): how far a
    set of this size lets the measured AUC wander from the true one."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_fake - 1) * (q1 - auc * auc)
           + (n_real - 1) * (q2 - auc * auc)) / (n_fake * n_real)
    return float(np.sqrt(max(var, 0.0)))


def equal_error_rate(y, p_real):
    """(eer, p_real_threshold) where the false positive rate (real called fake)
    equals the false negative rate (fake called real), linearly interpolated
    between the two ROC points where their difference changes sign."""
    fpr, tpr, thresholds = roc_curve(y, p_real)
    fnr = 1.0 - tpr
    diff = fnr - fpr  # starts at 1, ends at -1
    i = int(np.flatnonzero(diff <= 0)[0])
    if diff[i] == 0 or i == 0:
        return float(fpr[i]), float(thresholds[i])
    w = diff[i - 1] / (diff[i - 1] - diff[i])  # fraction of the way from i-1 to i
    eer = fpr[i - 1] + w * (fpr[i] - fpr[i - 1])
    lo = thresholds[i - 1] if np.isfinite(thresholds[i - 1]) else thresholds[i]
    return float(eer), float(lo + w * (thresholds[i] - lo))


def summary(y, p_real, threshold):
    """Every figure for one set of faces (or videos)."""
    y, p_real = as_arrays(y, p_real)
    out = {"count": int(y.size), "real": int(np.sum(y == 0)), "fake": int(np.sum(y == 1))}
    out.update(threshold_metrics(y, p_real, threshold))
    if out["real"] and out["fake"]:
        out["roc_auc"] = roc_auc(y, p_real)
        out["roc_auc_se"] = auc_standard_error(out["roc_auc"], out["fake"], out["real"])
        out["eer"], out["eer_threshold"] = equal_error_rate(y, p_real)
    else:
        out["roc_auc"] = out["roc_auc_se"] = out["eer"] = out["eer_threshold"] = None
    return out


def by_video(videos, y, p_real):
    """(video ids, labels, mean p_real) with one row per video, in first-seen order."""
    y, p_real = as_arrays(y, p_real)
    ids, rows = [], {}
    for video, label, score in zip(videos, y, p_real):
        if video not in rows:
            ids.append(video)
            rows[video] = (int(label), [])
        elif rows[video][0] != label:
            raise ValueError(f"video {video} has frames of both classes")
        rows[video][1].append(score)
    return (ids, np.array([rows[v][0] for v in ids]),
            np.array([np.mean(rows[v][1]) for v in ids]))


def bands(y, p_real, thresholds):
    """How the three verdict bands split each class, for thresholds
    {"fake_below": a, "real_above": b}: P(real) < a is "fake", > b is "real",
    the rest "uncertain". Coverage is the fraction given a verdict; accuracy
    and the band precisions count only those."""
    y, p_real = as_arrays(y, p_real)
    a, b = thresholds["fake_below"], thresholds["real_above"]
    called = np.where(p_real < a, 1, np.where(p_real > b, 0, -1))
    counts = {name: {band: int(np.sum((y == cls) & (called == code)))
                     for band, code in (("fake", 1), ("uncertain", -1), ("real", 0))}
              for name, cls in (("real", 0), ("fake", 1))}
    decided = called >= 0
    return {"thresholds": {"fake_below": float(a), "real_above": float(b)},
            "counts": counts,
            "coverage": _ratio(decided.sum(), y.size),
            "accuracy_decided": _ratio(np.sum(decided & (called == y)), decided.sum()),
            "fake_band_precision": _ratio(counts["fake"]["fake"],
                                          counts["fake"]["fake"] + counts["real"]["fake"]),
            "real_band_precision": _ratio(counts["real"]["real"],
                                          counts["real"]["real"] + counts["fake"]["real"])}


def _cuts(p_real):
    """Candidate thresholds: 0, the midpoints between distinct scores, 1."""
    s = np.unique(p_real)
    return np.r_[0.0, (s[:-1] + s[1:]) / 2, 1.0]


def calibrate_band(y, p_real, precision):
    """Thresholds {"fake_below", "real_above"} for the uncertain band.

    fake_below is the highest cut such that at least `precision` of the faces
    below it are fake; real_above the lowest cut such that at least
    `precision` of the faces above it are real (an empty band qualifies, so
    the result always exists). If the two cross (a model that separates the
    classes this well needs no uncertain band), both become their midpoint.
    """
    y, p_real = as_arrays(y, p_real)
    cuts = _cuts(p_real)
    fake_below = 0.0
    for cut in cuts:
        below = p_real < cut
        if not below.any() or y[below].mean() >= precision:
            fake_below = float(cut)
    real_above = 1.0
    for cut in cuts[::-1]:
        above = p_real > cut
        if not above.any() or (1 - y[above]).mean() >= precision:
            real_above = float(cut)
    if fake_below > real_above:
        fake_below = real_above = (fake_below + real_above) / 2
    return {"fake_below": fake_below, "real_above": real_above}


def split_groups(groups, y, fractions, seed):
    """Split index (0, 1, ...) per item so that every group lands in one split.

    Groups are shuffled with a fixed seed within each kind of group (the set of
    labels it holds: real only, fake only, or both), so each split gets its
    share of every kind; split k receives fractions[k] of each kind's groups
    (at least one group when the kind has enough for every split).
    """
    y = np.asarray(y).reshape(-1)
    kinds = {}
    for group, label in zip(groups, y):
        kinds.setdefault(group, set()).add(int(label))
    by_kind = {}
    for group in sorted(kinds):
        by_kind.setdefault(tuple(sorted(kinds[group])), []).append(group)
    rng = np.random.default_rng(seed)
    assign = {}
    bounds = np.cumsum(fractions) / np.sum(fractions)
    for kind in sorted(by_kind):
        members = list(by_kind[kind])
        rng.shuffle(members)
        n = len(members)
        ends = np.round(bounds * n).astype(int)
        if n >= len(fractions):  # every split gets at least one group of this kind
            for k in range(len(ends) - 1):
                lo = ends[k - 1] if k else 0
                ends[k] = min(max(ends[k], lo + 1), n - (len(ends) - 1 - k))
        start = 0
        for k, end in enumerate(ends):
            for group in members[start:end]:
                assign[group] = k
            start = max(start, end)
    return np.array([assign[g] for g in groups], dtype=np.int64)
