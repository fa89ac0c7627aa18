"""Detection metrics on inputs small enough to check by hand, then against
scikit-learn on random scores. Fake is the positive class; scores are P(real)."""
import numpy as np
import pytest
from sklearn import metrics as skm

from convert import metrics

# Four reals, four fakes. Called fake below 0.5: fakes 0.1, 0.2, 0.4 and real 0.3.
Y = [0, 0, 0, 0, 1, 1, 1, 1]
P = [0.9, 0.8, 0.6, 0.3, 0.1, 0.2, 0.4, 0.7]


def test_confusion_and_threshold_metrics_by_hand():
    m = metrics.threshold_metrics(Y, P, 0.5)
    assert m["confusion"] == {"tn": 3, "fp": 1, "fn": 1, "tp": 3, "matrix": [[3, 1], [1, 3]]}
    assert m["accuracy"] == 6 / 8 and m["precision"] == 3 / 4 and m["recall"] == 3 / 4
    assert m["f1"] == 3 / 4 and m["specificity"] == 3 / 4


def test_auc_by_hand():
    # 16 (fake, real) pairs; the fake has the lower P(real) in all but
    # (0.7 vs 0.6), (0.7 vs 0.3) and (0.4 vs 0.3): 13/16.
    assert metrics.roc_auc(Y, P) == pytest.approx(13 / 16)
    assert metrics.roc_auc([0, 1], [0.5, 0.5]) == 0.5  # a tie counts one half
    assert metrics.roc_auc([0, 1], [0.9, 0.1]) == 1.0


def test_eer_by_hand():
    # Calling fake every P(real) <= 0.4 catches fakes .1 .2 .4 (FNR 1/4) and
    # real .3 (FPR 1/4): the rates meet there.
    eer, threshold = metrics.equal_error_rate(Y, P)
    assert eer == pytest.approx(0.25) and threshold == pytest.approx(0.4)
    assert metrics.equal_error_rate([0, 0, 1, 1], [0.8, 0.9, 0.1, 0.2])[0] == 0.0


def test_precision_undefined_when_nothing_called_fake():
    m = metrics.threshold_metrics([0, 1], [0.9, 0.8], 0.5)
    assert m["precision"] is None and m["recall"] == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    p = np.clip(0.6 - 0.3 * y + rng.normal(0, 0.25, 300), 0, 1).round(2)  # with ties
    score = 1 - p
    assert metrics.roc_auc(y, p) == pytest.approx(skm.roc_auc_score(y, score))
    fpr, tpr, _ = skm.roc_curve(y, score, drop_intermediate=False)
    ours_fpr, ours_tpr, _ = metrics.roc_curve(y, p)
    np.testing.assert_allclose(ours_fpr, fpr)
    np.testing.assert_allclose(ours_tpr, tpr)
    m = metrics.threshold_metrics(y, p, 0.5)
    called = (p < 0.5).astype(int)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, called))
    assert m["precision"] == pytest.approx(skm.precision_score(y, called))
    assert m["recall"] == pytest.approx(skm.recall_score(y, called))
    assert m["f1"] == pytest.approx(skm.f1_score(y, called))
    assert m["confusion"]["matrix"] == skm.confusion_matrix(y, called).tolist()
    eer, _ = metrics.equal_error_rate(y, p)
    fnr = 1 - tpr
    i = np.argmin(np.abs(fnr - fpr))
    assert abs(eer - (fnr[i] + fpr[i]) / 2) <= abs(fnr[i] - fpr[i]) / 2 + 1e-12


def test_by_video_means_and_rejects_mixed_labels():
    ids, y, p = metrics.by_video(["a", "b", "a"], [1, 0, 1], [0.2, 0.9, 0.4])
    assert ids == ["a", "b"] and y.tolist() == [1, 0] and p.tolist() == pytest.approx([0.3, 0.9])
    with pytest.raises(ValueError, match="both classes"):
        metrics.by_video(["a", "a"], [0, 1], [0.2, 0.4])


def test_bands_by_hand():
    b = metrics.bands(Y, P, {"fake_below": 0.35, "real_above": 0.65})
    # fake band: 0.1, 0.2 (fakes) and 0.3 (real); real band: 0.9, 0.8 (reals), 0.7 (fake)
    assert b["counts"] == {"real": {"fake": 1, "uncertain": 1, "real": 2},
                           "fake": {"fake": 2, "uncertain": 1, "real": 1}}
    assert b["coverage"] == 6 / 8 and b["accuracy_decided"] == 4 / 6
    assert b["fake_band_precision"] == 2 / 3 and b["real_band_precision"] == 2 / 3


def test_calibrate_band_by_hand():
    # Sorted P(real): .1f .2f .3r .4f .6r .7f .8r .9r. Pure fake below .25, pure real above .75.
    t = metrics.calibrate_band(Y, P, precision=1.0)
    assert t == {"fake_below": pytest.approx(0.25), "real_above": pytest.approx(0.75)}
    # at 3/4: below .5 holds 3 fakes of 4, above .5 holds 3 reals of 4
    t = metrics.calibrate_band(Y, P, precision=0.75)
    assert t == {"fake_below": pytest.approx(0.5), "real_above": pytest.approx(0.5)}
    # separable: the bands would cross, so they meet in the middle
    t = metrics.calibrate_band([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9], precision=0.95)
    assert t["fake_below"] == t["real_above"] == pytest.approx(0.5)


def test_split_groups_keeps_groups_whole_and_is_seeded():
    groups = [f"g{i // 3}" for i in range(60)]  # 20 groups of 3
    y = [(i // 3) % 2 for i in range(60)]
    split = metrics.split_groups(groups, y, (0.5, 0.5), seed=1)
    for g in set(groups):
        assert len({s for s, gg in zip(split, groups) if gg == g}) == 1
    assert (split == 0).sum() == 30
    for label in (0, 1):  # each kind of group is split evenly
        assert sum(1 for s, label_of in zip(split, y) if label_of == label and s == 0) == 15
    assert (metrics.split_groups(groups, y, (0.5, 0.5), seed=1) == split).all()
    three = metrics.split_groups(groups, y, (0.6, 0.2, 0.2), seed=2)
    assert set(three) == {0, 1, 2}


def test_auc_standard_error_by_hand():
    # AUC 0.8, 50 + 50: Q1 = 0.8/1.2 = 2/3, Q2 = 1.28/1.8 = 32/45,
    # var = (0.16 + 49 (2/3 - 0.64) + 49 (32/45 - 0.64)) / 2500
    var = (0.16 + 49 * (2 / 3 - 0.64) + 49 * (32 / 45 - 0.64)) / 2500
    assert metrics.auc_standard_error(0.8, 50, 50) == pytest.approx(var ** 0.5)
    assert metrics.auc_standard_error(0.8, 50, 50) == pytest.approx(0.0445, abs=1e-4)
    assert metrics.auc_standard_error(1.0, 10, 10) == 0.0
    assert metrics.auc_standard_error(0.6, 40, 40) > metrics.auc_standard_error(0.6, 400, 400)
