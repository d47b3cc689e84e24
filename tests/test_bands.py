"""One band rule everywhere: a person at 0.495 is "Medium" (49.5% rounds half-up to 50%) in the
scores, the explanation, the threshold report and the cohort report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskmodel._errors import ConfigError
from riskmodel.allocation import choose_threshold
from riskmodel.bands import BAD_BANDS, BANDS_NOT_WHOLE_PERCENT, DEFAULT_BANDS, Bands
from riskmodel.baselines import ogrs3_band
from riskmodel.cohort import cohort_evaluation
from riskmodel.models import BaseRateModel
from riskmodel.scoring import Scorer, score_chunk
from riskmodel.scoring._chunks import ROW, Chunk
from tests.explanations import exact_logistic_explanation

EDGE = 0.495  # 49.5%: "Medium" on the OGRS rule


def _scored_band() -> str:
    people = pd.DataFrame(
        {
            "person_id": ["A"],
            "date_of_birth": ["1990-01-01"],
            "sex": ["male"],
            "index_date": ["2020-01-01"],
            "index_offence": ["theft"],
            ROW: [1],
        }
    )
    offences = pd.DataFrame(
        {
            "person_id": ["A"],
            "offence_date": ["2019-12-01"],
            "sanction_date": ["2020-01-01"],
            "offence_group": ["theft"],
            ROW: [1],
        }
    )
    y = np.r_[np.ones(99), np.zeros(101)]  # base rate 99 / 200 = 0.495
    model = BaseRateModel().fit(np.zeros((200, 1)), y)
    result = score_chunk(Chunk(0, people, offences), Scorer(model=model, model_id="m"))
    assert result.scores["probability_2y"].tolist() == [EDGE]
    return str(result.scores["risk_band"].iloc[0])


def _explained_band() -> str:
    explanation = exact_logistic_explanation(
        pd.DataFrame({"x": [1.0]}),
        pd.DataFrame({"x": [0.0]}),
        float(np.log(EDGE / (1 - EDGE))),
        probability=np.array([EDGE]),
    )
    return explanation.to_dict()["people"][0]["risk_band"]


def _threshold_band() -> str:
    result = choose_threshold(np.array([0.1, EDGE, 0.8]), Bands(), n_resamples=0)
    assert result.allocated == 2, "0.495 is above the lowest band, so allocated"
    (band,) = [b["name"] for b in result.bands if b["n"] and b["low"] <= 0.5 < b["high"]]
    medium = next(b for b in result.bands if b["name"] == "Medium")
    assert medium["n"] == 1
    return band


def _cohort_band() -> str:
    result = cohort_evaluation(
        y_true=np.array([0, 1]), y_prob=np.array([0.1, EDGE]), n_resamples=0
    )
    (band,) = [b["band"] for b in result.by_band if b["n"] and b.get("mean_probability") == EDGE]
    return band


def test_a_person_at_0495_is_in_one_band_in_every_output() -> None:
    bands = {
        "scores": _scored_band(),
        "explanation": _explained_band(),
        "threshold": _threshold_band(),
        "cohort": _cohort_band(),
        "ogrs3": str(ogrs3_band([EDGE])[0]),
    }
    assert bands == dict.fromkeys(bands, "Medium")


EDGES = [0.495, 0.745, 0.895]  # 49.5%, 74.5%, 89.5%: the halves that round up to a cut


@given(
    st.one_of(
        st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
        st.sampled_from(EDGES),
        st.sampled_from(EDGES).map(lambda e: float(np.nextafter(e, 0))),
        st.just(0.4949999999996),
    )
)
def test_bands_follow_the_whole_percentage(p: float) -> None:
    expected = ["Low", "Medium", "High", "Very high"][sum(p >= e for e in EDGES)]
    assert DEFAULT_BANDS.band_of([p]).tolist() == [expected]
    allocated = choose_threshold(np.array([p]), Bands(), n_resamples=0).allocated
    assert (p >= DEFAULT_BANDS.threshold) == (expected != "Low") == (allocated == 1)


def test_members_partition_the_people() -> None:
    p = np.linspace(0, 1, 1001)
    masks = np.array([mask for _, mask in DEFAULT_BANDS.members(p)])
    assert (masks.sum(axis=0) == 1).all()


def test_band_errors_name_the_input() -> None:
    with pytest.raises(ConfigError) as info:
        Bands.parse("0.7,0.5")
    assert str(info.value) == BAD_BANDS.format(value="0.7,0.5")
    with pytest.raises(ConfigError) as info:
        Bands.parse("0.333")
    assert str(info.value) == BANDS_NOT_WHOLE_PERCENT.format(value="0.333")
    assert (
        DEFAULT_BANDS.describe()
        == "Low 0%–49%, Medium 50%–74%, High 75%–89%, Very high 90% and over"
    )
