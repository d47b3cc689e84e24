"""The shared vectorised percentile bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._bootstrap import bootstrap_ci, bootstrap_indices, percentile_interval


def test_same_seed_same_interval_and_chunking_does_not_matter():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300).astype(float)
    stat = lambda v: v.mean(axis=1)  # noqa: E731
    one = bootstrap_ci(stat, y, n_resamples=500, seed=4)
    two = bootstrap_ci(stat, y, n_resamples=500, seed=4)
    assert one.tolist() == two.tolist()
    small_chunks = bootstrap_ci(stat, y, n_resamples=500, seed=4, max_chunk_elements=1000)
    # the same draws in smaller pieces: identical stream of integers
    assert small_chunks.tolist() == pytest.approx(one.tolist(), abs=0.02)


def test_interval_matches_a_plain_loop():
    rng = np.random.default_rng(1)
    x = rng.normal(size=80)
    low, high = bootstrap_ci(lambda v: v.mean(axis=1), x, n_resamples=1000, seed=7)
    loop_rng = np.random.default_rng(7)
    means = [x[loop_rng.integers(0, x.size, x.size)].mean() for _ in range(1000)]
    assert [low, high] == pytest.approx(np.percentile(means, [2.5, 97.5]).tolist())


def test_normal_mean_interval_is_about_right():
    rng = np.random.default_rng(2)
    x = rng.normal(size=2000)
    low, high = bootstrap_ci(lambda v: v.mean(axis=1), x, n_resamples=1000, seed=0)
    half = 1.96 * x.std() / np.sqrt(x.size)
    assert low == pytest.approx(x.mean() - half, abs=0.01)
    assert high == pytest.approx(x.mean() + half, abs=0.01)


def test_several_statistics_at_once_and_two_arrays():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=100), rng.normal(size=100)
    ci = bootstrap_ci(
        lambda u, v: np.stack([u.mean(axis=1), (u - v).mean(axis=1)], axis=1),
        a,
        b,
        n_resamples=300,
        seed=1,
    )
    assert ci.shape == (2, 2)
    assert ci[0, 0] < a.mean() < ci[0, 1]


def test_undefined_replicates_are_ignored_and_all_undefined_is_nan():
    y = np.array([0.0] * 19 + [1.0])
    ci = bootstrap_ci(lambda v: np.where(v.sum(axis=1) > 0, 1.0, np.nan), y, seed=0)
    assert ci.tolist() == [1.0, 1.0]
    ci = bootstrap_ci(lambda v: np.full(v.shape[0], np.nan), y, seed=0)
    assert np.isnan(ci).all()


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 7), min_size=1, max_size=4), b=st.integers(1, 20))
def test_stratified_resamples_keep_every_stratum_size(sizes, b):
    strata = np.repeat(np.arange(len(sizes)), sizes)
    rng = np.random.default_rng(0)
    chunks = list(bootstrap_indices(strata.size, n_resamples=b, rng=rng, strata=strata))
    idx = np.concatenate(chunks)
    assert idx.shape == (b, strata.size)
    for s, size in enumerate(sizes):
        assert ((strata[idx] == s).sum(axis=1) == size).all()


def test_percentile_interval_shapes():
    assert percentile_interval(np.arange(101.0), 0.9).tolist() == pytest.approx([5.0, 95.0])
    assert percentile_interval(np.ones((10, 3))).shape == (3, 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="empty sample"):
        next(bootstrap_indices(0, n_resamples=3, rng=np.random.default_rng()))
    with pytest.raises(ValueError, match="same length"):
        bootstrap_ci(lambda u, v: u.mean(axis=1), np.ones(3), np.ones(4))
