"""Offending profiles: latent class analysis inside the model pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.models._profiles import (
    PROFILE_BANDED,
    PROFILE_COUNTS,
    PROFILE_LEVELS,
    LatentProfiles,
    with_profiles,
)

COUNTS = ["theft", "violence", "fraud"]
LEVELS = ["drugs", "alcohol"]


def planted(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Two kinds of people: thieves with drug needs, violent people with alcohol needs."""
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "theft": rng.poisson(np.where(kind == 0, 3.0, 0.3)),
            "violence": rng.poisson(np.where(kind == 0, 0.3, 3.0)),
            "fraud": rng.poisson(0.5, n),
            "drugs": np.where(rng.random(n) < np.where(kind == 0, 0.8, 0.1), 2.0, 0.0),
            "alcohol": np.where(rng.random(n) < np.where(kind == 0, 0.1, 0.8), 2.0, 0.0),
        }
    ).astype(float)
    return frame, kind


def fitted(**kw) -> tuple[LatentProfiles, pd.DataFrame, np.ndarray]:
    frame, kind = planted(2000, seed=0)
    params = {"counts": COUNTS, "levels": LEVELS, "banded": [], "n_profiles": 2, **kw}
    return LatentProfiles(**params).fit(frame), frame, kind


def test_recovers_planted_profiles():
    profiles, frame, kind = fitted()
    best = profiles.transform(frame).argmax(axis=1)
    agreement = max(np.mean(best == kind), np.mean(best != kind))  # labels may swap
    assert agreement > 0.95
    # The thieves' profile has most of its offences in theft, and drug needs.
    thieves = int(np.bincount(best[kind == 0], minlength=2).argmax())
    assert profiles.offence_mix_[thieves, COUNTS.index("theft")] > 0.6
    assert profiles.level_probabilities_[thieves, LEVELS.index("drugs"), 2] > 0.6
    assert profiles.profile_names(top=1)[thieves] == "theft"


def test_more_iterations_never_lower_the_likelihood():
    short, _, _ = fitted(n_init=1, max_iter=3, tol=0.0)
    longer, _, _ = fitted(n_init=1, max_iter=30, tol=0.0)
    assert short.n_iter_ == 3 and longer.n_iter_ == 30
    assert longer.log_likelihood_ >= short.log_likelihood_ - 1e-12


def test_same_seed_gives_the_same_profiles():
    from riskmodel.models import _profiles

    a, frame, _ = fitted(seed=3)
    _profiles._FITTED.clear()  # estimate again rather than reuse the remembered fit
    b, _, _ = fitted(seed=3)
    np.testing.assert_array_equal(a.transform(frame), b.transform(frame))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 50),
            st.integers(0, 50),
            st.integers(0, 50),
            st.one_of(st.none(), st.integers(0, 2)),
            st.one_of(st.none(), st.integers(0, 2)),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_posteriors_are_probabilities_for_any_record(rows):
    profiles, _, _ = fitted()
    frame = pd.DataFrame(rows, columns=[*COUNTS, *LEVELS]).astype(float)
    posterior = profiles.transform(frame)
    assert posterior.shape == (len(rows), 2)
    assert np.isfinite(posterior).all() and (posterior >= 0).all()
    np.testing.assert_allclose(posterior.sum(axis=1), 1.0, atol=1e-12)
    # Missing need levels are no reading: the same as leaving the area out.
    described = profiles.describe(frame)
    assert all(d.startswith("profile ") and d.endswith("%)") for d in described)


def test_missing_level_is_no_reading():
    profiles, frame, _ = fitted()
    person = frame.iloc[[0]].copy()
    person["drugs"] = np.nan
    without = LatentProfiles(counts=COUNTS, levels=["alcohol"], banded=[], n_profiles=2)
    without.band_edges_ = []
    without.weights_ = profiles.weights_
    without.offence_mix_ = profiles.offence_mix_
    without.level_probabilities_ = profiles.level_probabilities_[:, [LEVELS.index("alcohol")]]
    np.testing.assert_allclose(
        profiles.transform(person), without.transform(person[[*COUNTS, "alcohol"]]), atol=1e-12
    )


def test_event_data_models_read_profiles_and_flat_tables_do_not():
    assert with_profiles([*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED, "sex"])
    assert not with_profiles([*PROFILE_COUNTS, *PROFILE_BANDED])  # no need levels
    assert not with_profiles(["age", "priors_count"])
    assert "offence_count_breach" not in PROFILE_COUNTS


@pytest.mark.parametrize("family", ["logistic", "gbm"])
def test_pipeline_feeds_offence_counts_only_to_the_profiles(family):
    from riskmodel.models import build_pipeline
    from riskmodel.models._profiles import PROFILE_FEATURE

    numeric = [*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED]
    pipeline = build_pipeline(family, {}, numeric, ["sex"], seed=0)
    blocks = {name: columns for name, _, columns in pipeline[0].transformers}
    assert blocks[PROFILE_FEATURE] == [*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED]
    direct = {name for name in blocks if name != PROFILE_FEATURE}
    assert direct == {*PROFILE_LEVELS, *PROFILE_BANDED, "sex"}


def test_banded_columns_are_read_in_thirds_of_the_training_values():
    frame, kind = planted(3000, seed=1)
    rng = np.random.default_rng(1)
    frame["age"] = np.where(kind == 0, rng.normal(25, 3, len(kind)), rng.normal(45, 3, len(kind)))
    frame.loc[:9, "age"] = np.nan
    profiles = LatentProfiles(
        counts=COUNTS, levels=LEVELS, banded=["age"], n_profiles=2, seed=0
    ).fit(frame)
    np.testing.assert_allclose(
        profiles.band_edges_[0], np.nanquantile(frame["age"], [1 / 3, 2 / 3])
    )
    _, indicators = profiles._arrays(frame)
    bands = indicators[:, -1, :]
    assert (bands[:10].sum(axis=1) == 0).all()  # missing: no reading
    assert np.allclose(bands[10:].sum(axis=0) / (len(frame) - 10), 1 / 3, atol=0.01)
    # The young thieves' profile puts its age readings in the youngest third.
    thieves = int(np.bincount(profiles.transform(frame).argmax(axis=1)[kind == 0]).argmax())
    assert profiles.level_probabilities_[thieves, -1, 0] > 0.45


def test_a_refit_on_the_same_rows_reuses_the_profiles_and_new_rows_do_not():
    from riskmodel.models import _profiles

    frame, _ = planted(1500, seed=2)
    params = {"counts": COUNTS, "levels": LEVELS, "banded": [], "n_profiles": 2}
    first = LatentProfiles(**params).fit(frame)
    stored = len(_profiles._FITTED)
    again = LatentProfiles(**params).fit(frame.copy())
    assert len(_profiles._FITTED) == stored  # remembered, not estimated again
    np.testing.assert_array_equal(first.offence_mix_, again.offence_mix_)
    again.offence_mix_[:] = 0.5  # a fitted model's arrays are its own
    assert not np.array_equal(first.offence_mix_, again.offence_mix_)
    LatentProfiles(**params).fit(frame.iloc[:-1])
    LatentProfiles(**{**params, "smoothing": 1.0}).fit(frame)
    assert len(_profiles._FITTED) == min(stored + 2, _profiles._FITTED_MAX)
