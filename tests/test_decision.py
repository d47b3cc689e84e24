"""The raw log-odds computed block by block (:func:`riskmodel.models._decision.raw_decision`)
are the pipelines' own decision functions, and a model's probabilities are its calibrated
pipeline's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from riskmodel.models import LogOddsEnsemble, RiskModel, build_pipeline
from riskmodel.models._decision import _dense_steps, _linear_blocks, raw_decision
from tests.test_models import make_flat_frame

NUMERIC, CATEGORICAL = ["age", "priors"], ["area", "offence"]


@pytest.fixture(scope="module")
def frame():
    return make_flat_frame(n=400, seed=5)


@pytest.fixture(scope="module")
def members(frame):
    """A monotone scorecard, a plain scorecard, gradient boosting and an ensemble of the first
    and the last, fitted on ``frame``."""
    X, y = frame[NUMERIC + CATEGORICAL], frame["outcome"].to_numpy()
    directions = {"age": -1, "priors": 1}
    fitted = {
        "monotone": build_pipeline("logistic", {"C": 1.0}, NUMERIC, CATEGORICAL, 0, directions),
        "logistic": build_pipeline("logistic", {"C": 1.0}, NUMERIC, CATEGORICAL, 0),
        "gbm": build_pipeline("gbm", {"max_iter": 20}, NUMERIC, CATEGORICAL, 0, directions),
    }
    fitted = {name: pipeline.fit(X, y) for name, pipeline in fitted.items()}
    fitted["ensemble"] = LogOddsEnsemble(
        [("monotone", fitted["monotone"]), ("gbm", fitted["gbm"])], weights=[0.3, 0.7]
    ).fit(X, y)
    return fitted, X


def test_scorecards_are_summed_block_by_block(members):
    fitted, _ = members
    assert _linear_blocks(fitted["monotone"]) is not None
    assert _linear_blocks(fitted["logistic"]) is not None
    assert _linear_blocks(fitted["gbm"]) is None  # its design built here, then its classifier's
    assert _dense_steps(fitted["gbm"]) is not None


def test_a_column_transformer_with_frame_output_is_left_its_own_transform(members):
    """A design that comes out as a data frame feeds a classifier fitted on its column names:
    that pipeline's own decision function is used."""
    fitted, X = members
    pipeline = clone(fitted["gbm"])
    pipeline.steps[0][1].set_output(transform="pandas")
    pipeline.fit(X, np.r_[np.zeros(200), np.ones(200)])
    assert _dense_steps(pipeline) is None
    np.testing.assert_array_equal(raw_decision(pipeline, X), pipeline.decision_function(X))


@given(rows=st.lists(st.integers(0, 399), min_size=1, max_size=60))
@settings(max_examples=8, deadline=None)
def test_block_by_block_is_the_decision_function(members, rows):
    fitted, X = members
    part = X.iloc[rows]
    for pipeline in fitted.values():
        np.testing.assert_allclose(
            raw_decision(pipeline, part), pipeline.decision_function(part), rtol=0, atol=1e-12
        )


def test_probabilities_are_the_calibrated_pipelines(frame):
    X, y = frame[NUMERIC + CATEGORICAL], frame["outcome"].to_numpy()
    model = RiskModel(family="logistic", cv=2, numeric=NUMERIC, categorical=CATEGORICAL)
    model.fit(X, y)
    expected = model.calibrated_.predict_proba(model.prepare(X))
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=0, atol=1e-12)
    assert np.allclose(
        model.decision_function(X),
        np.log(expected[:, 1] / expected[:, 0]),
        atol=1e-9,
    )


def test_columns_not_named_or_not_all_there_are_left_to_the_transformer():
    """Columns given by position are mapped by the transformer to the names seen in fitting, a
    block that comes out sparse is made dense, and a missing column is the transformer's own
    error: the block-by-block design gives what the pipeline gives, or fails as it fails."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(4)
    X = pd.DataFrame(
        {"a": rng.normal(size=300), "b": rng.normal(size=300), "c": rng.choice(["x", "y"], 300)}
    )
    y = (X["a"] + (X["c"] == "x") + rng.normal(size=300) > 0.5).astype(int)
    for classifier in (LogisticRegression(), HistGradientBoostingClassifier(max_iter=10)):
        preprocess = ColumnTransformer(
            [("ab", "passthrough", [0, 1]), ("c", OneHotEncoder(), ["c"])], sparse_threshold=0
        )
        pipeline = Pipeline([("preprocess", preprocess), ("classifier", classifier)]).fit(X, y)
        reordered = X[["c", "b", "a"]]
        np.testing.assert_allclose(
            raw_decision(pipeline, reordered), pipeline.decision_function(reordered), atol=1e-12
        )
        named = (
            clone(pipeline)
            .set_params(
                preprocess__transformers=[
                    ("ab", "passthrough", ["a", "b"]),
                    ("c", OneHotEncoder(), ["c"]),
                ]
            )
            .fit(X, y)
        )
        np.testing.assert_allclose(
            raw_decision(named, reordered), named.decision_function(reordered), atol=1e-12
        )
        with pytest.raises(ValueError, match="columns are missing"):
            raw_decision(named, X[["a", "c"]])


def test_one_float_column_blocks_read_as_arrays_give_the_transformers_design(members):
    """The package's one-column numeric bases and a passthrough of a float column are given
    the column as an array (no frame built): the design is the column transformer's own,
    bit for bit, missing values included; a column of another dtype is given as a frame."""
    from sklearn.compose import ColumnTransformer

    from riskmodel.models._decision import _reads_one_float_column, design_matrix
    from riskmodel.models._preprocess import MeanImputer, SplineBasis

    fitted, X = members
    floats = X.astype({c: "float64" for c in NUMERIC}).reset_index(drop=True)
    floats.loc[[3, 17, 250], "age"] = np.nan
    floats.loc[[5, 17], "priors"] = np.nan
    own = ColumnTransformer(
        [
            ("age", SplineBasis(), ["age"]),
            ("priors", MeanImputer(), ["priors"]),
            ("raw", "passthrough", ["age"]),
        ],
        sparse_threshold=0,
    ).fit(floats)
    for preprocess in (own, fitted["monotone"][0], fitted["gbm"][0], fitted["logistic"][0]):
        np.testing.assert_array_equal(
            design_matrix(preprocess, floats), preprocess.transform(floats)
        )
    series = dict(floats.items())
    assert all(
        _reads_one_float_column(t, c, series) for _, t, c in own.transformers_ if t != "drop"
    )

    given: list[type] = []

    class Seen(SplineBasis):
        """A spline basis that notes what its transform is given."""

        def transform(self, X):
            given.append(type(X))
            return super().transform(X)

    with_codes = floats.assign(area=floats["priors"].fillna(0).astype("int64"))
    watched = ColumnTransformer(
        [("age", Seen(), ["age"]), ("area", "passthrough", ["area"])], sparse_threshold=0
    ).fit(with_codes)
    expected = watched.transform(with_codes)
    given.clear()
    np.testing.assert_array_equal(design_matrix(watched, with_codes), expected)
    assert given == [np.ndarray]  # the basis was given an array, not a frame
    whole = dict(X.astype({"age": "int64"}).items())
    assert not _reads_one_float_column("passthrough", ["age"], whole)
    assert not _reads_one_float_column(SplineBasis(), ["age", "priors"], series)
