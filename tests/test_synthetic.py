"""The synthetic population: contract, determinism, acceptance figures and an exact truth.

Labels come from :func:`riskmodel.features.build_labels` (the package's label rule); the
figures are computed here directly with numpy/pandas from the written tables, and every
statistical tolerance follows from the sampling error it guards against.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from riskmodel import ConfigError
from riskmodel.cli import main
from riskmodel.contract import (
    DISPOSALS,
    NEED_AREAS,
    OFFENCE_GROUPS,
    cohort,
    read_tables,
    validate_tables,
    whole_years,
)
from riskmodel.features import LABELLED, build_labels
from riskmodel.synthetic import (
    BAD_ETHNICITY_BIAS,
    BAD_EXTRACT_DATE,
    BAD_N_PEOPLE,
    BAD_SEED,
    ETHNICITIES,
    SyntheticPopulation,
    generate_population,
    write_csv,
    write_population,
)
from riskmodel.synthetic import _parameters as params
from riskmodel.synthetic import _process as process
from tests.commands import run_here

PEOPLE = [
    "person_id",
    "date_of_birth",
    "sex",
    "index_date",
    "index_offence",
    "index_sanction_date",
    "index_disposal",
    "ethnicity",
]
OFFENCES = ["person_id", "offence_date", "sanction_date", "offence_group", "disposal"]
OFFENCES += ["custody_days"]
NEEDS = ["person_id", "assessment_date", *NEED_AREAS]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# DOMAIN.md: caseload of 1,338 and need prevalences among the 933 assessed (percent).
CASELOAD = {"young_male": 379, "adult_male": 664, "mature_male": 109, "female": 186}
NEED_TARGETS = {
    "accommodation": 17.6,
    "education_training_employment": 52.6,
    "relationships": 31.6,
    "lifestyle": 44.1,
    "drugs": 26.8,
    "alcohol": 19.6,
    "thinking_behaviour": 92.4,
    "attitudes": 74.0,
    "finance": 33.1,
    "emotional_wellbeing": 24.1,
}
#: Acceptance margins of issue 2 (percentage points).
MIX_MARGIN = NEED_MARGIN = 3.0
TRUTH_MARGIN = 1.0
#: Two-sided p-value below which a statistical check fails (1 in 10,000 false alarms).
ALPHA = 1e-4
Z = stats.norm.ppf(1 - ALPHA / 2)


@pytest.fixture(scope="module")
def small() -> SyntheticPopulation:
    return generate_population(3000, seed=5)


@pytest.fixture(scope="module")
def moderate() -> SyntheticPopulation:
    return generate_population(20_000, seed=2026)


@pytest.fixture(scope="module")
def moderate_frame(moderate: SyntheticPopulation) -> pd.DataFrame:
    """One row per person: labels, truth, cohort, prior occasions, all computed here."""
    people, offences = moderate.people, moderate.offences
    labels = build_labels(people, offences, moderate.metadata["extract_date"])
    one_year = build_labels(people, offences, moderate.metadata["extract_date"], horizon_months=12)
    age = whole_years(
        pd.to_datetime(people["date_of_birth"]), pd.to_datetime(people["index_date"])
    )
    current = pd.to_datetime(people["index_sanction_date"]).to_numpy()
    code = pd.Index(people["person_id"]).get_indexer(offences["person_id"])
    sanction = pd.to_datetime(offences["sanction_date"]).to_numpy()
    earlier = sanction < current[code]
    occasions = pd.DataFrame({"code": code[earlier], "day": sanction[earlier]}).drop_duplicates()
    priors = np.bincount(occasions["code"], minlength=len(people))
    return pd.DataFrame(
        {
            "person_id": people["person_id"],
            "labelled": (labels["label_status"] == LABELLED).to_numpy(),
            "label": labels["reoffended_2y"].to_numpy(),
            "truth": moderate.truth["true_probability_2y"].to_numpy(),
            "labelled_1y": (one_year["label_status"] == LABELLED).to_numpy(),
            "label_1y": one_year["reoffended_1y"].to_numpy(),
            "truth_1y": moderate.truth["true_probability_1y"].to_numpy(),
            "given_traits": moderate.latent["probability_given_traits"].to_numpy(),
            "cohort": cohort(people["sex"], age).to_numpy(),
            "age": age.to_numpy(),
            "priors": priors,
            "ethnicity": people["ethnicity"].to_numpy(),
        }
    )


def binomial_se(p: float, n: int) -> float:
    return float(np.sqrt(p * (1 - p) / n))


def latest_assessments(population: SyntheticPopulation) -> pd.DataFrame:
    """Latest assessment on or before the index date within 12 months, per person."""
    needs = population.needs.copy()
    index = pd.to_datetime(population.people.set_index("person_id")["index_date"])
    needs["date"] = pd.to_datetime(needs["assessment_date"])
    needs["index"] = needs["person_id"].map(index)
    ok = (needs["date"] <= needs["index"]) & (
        needs["date"] > needs["index"] - pd.DateOffset(months=12)
    )
    return needs[ok].sort_values(["person_id", "date"]).groupby("person_id").tail(1)


# --- the contract -------------------------------------------------------------------------


def test_columns_and_types_follow_the_contract(small: SyntheticPopulation) -> None:
    assert list(small.people.columns) == PEOPLE
    assert list(small.offences.columns) == OFFENCES
    assert list(small.needs.columns) == NEEDS
    assert list(small.truth.columns) == ["person_id", "true_probability_2y", "true_probability_1y"]
    assert small.people["person_id"].str.fullmatch(r"P\d{7}").all()
    assert small.people["person_id"].is_unique
    assert small.people["person_id"].iloc[0] == "P0000001"
    assert (small.truth["person_id"] == small.people["person_id"]).all()
    for frame, columns in (
        (small.people, ["date_of_birth", "index_date", "index_sanction_date"]),
        (small.offences, ["offence_date", "sanction_date"]),
        (small.needs, ["assessment_date"]),
    ):
        for column in columns:
            assert frame[column].map(lambda v: bool(ISO.match(v))).all(), column


def test_vocabularies(small: SyntheticPopulation) -> None:
    people, offences, needs = small.people, small.offences, small.needs
    assert set(people["sex"]) == {"male", "female"}
    assert set(people["index_offence"]) <= set(OFFENCE_GROUPS) - {"breach"}
    assert set(people["index_disposal"]) <= set(DISPOSALS)
    assert set(people["ethnicity"]) <= set(ETHNICITIES)
    assert set(offences["offence_group"]) <= set(OFFENCE_GROUPS)
    assert set(offences["disposal"]) <= set(DISPOSALS)
    for area in NEED_AREAS:
        assert set(needs[area].dropna().astype(int)) <= {0, 1, 2}
    days = offences["custody_days"]
    custody = offences["disposal"] == "custody"
    assert (days[custody] >= 1).all() and days[~custody].isna().all()
    assert set(offences["person_id"]) <= set(people["person_id"])


def test_dates_are_consistent_and_everybody_is_adult(small: SyntheticPopulation) -> None:
    people, offences = small.people, small.offences
    born = pd.to_datetime(people["date_of_birth"])
    index = pd.to_datetime(people["index_date"])
    current = pd.to_datetime(people["index_sanction_date"])
    assert whole_years(born, index).min() >= 18
    assert (current <= index).all()
    custodial = people["index_disposal"] == "custody"
    # Custody: sentenced, then released months later; otherwise follow-up starts at sentence.
    assert (current[custodial] < index[custodial]).all()
    assert (current[~custodial] == index[~custodial]).all()
    assert (index - current)[custodial].median() > pd.Timedelta(days=30)
    offence = pd.to_datetime(offences["offence_date"])
    sanction = pd.to_datetime(offences["sanction_date"])
    assert (offence <= sanction).all()
    extract = pd.Timestamp(small.metadata["extract_date"])
    assert (sanction <= extract).all() and (index <= extract).all()


def test_validation_rejects_nobody(small: SyntheticPopulation, tmp_path: Path) -> None:
    write_population(small, tmp_path)
    data = validate_tables(read_tables(tmp_path))
    assert data.summary["people_rejected"] == 0, data.rejects.head()
    assert data.summary["people_kept"] == len(small.people)
    assert data.summary["offence_rows_kept"] == len(small.offences)
    assert data.extract_date == pd.Timestamp(small.metadata["extract_date"])


def test_index_occasion_rows_with_a_small_share_left_to_the_fallback(
    moderate: SyntheticPopulation,
) -> None:
    people, offences = moderate.people, moderate.offences
    key = people[["person_id", "index_sanction_date", "index_offence"]]
    rows = offences.merge(
        key,
        left_on=["person_id", "sanction_date", "offence_group"],
        right_on=["person_id", "index_sanction_date", "index_offence"],
    )
    share_missing = 1 - rows["person_id"].nunique() / len(people)
    se = binomial_se(params.INDEX_ROW_MISSING, len(people))
    assert abs(share_missing - params.INDEX_ROW_MISSING) < Z * se


def test_outcome_timing_cases_all_occur(moderate: SyntheticPopulation) -> None:
    """Offences proven after the waiting period, pre-index offences proven after, breaches,
    censored people, later assessments and several offences on one occasion all exist."""
    people, offences = moderate.people, moderate.offences
    index = offences["person_id"].map(pd.to_datetime(people.set_index("person_id")["index_date"]))
    offence = pd.to_datetime(offences["offence_date"])
    sanction = pd.to_datetime(offences["sanction_date"])
    in_window = (offence > index) & (offence <= index + pd.DateOffset(months=24))
    late = in_window & (sanction > index + pd.DateOffset(months=30))
    assert late.sum() > 50
    assert ((offence <= index) & (sanction > index)).sum() > 100
    assert ((offences["offence_group"] == "breach") & (offence > index)).sum() > 100
    extract = pd.Timestamp(moderate.metadata["extract_date"])
    censored = pd.to_datetime(people["index_date"]) + pd.DateOffset(months=30) > extract
    assert 0.15 < censored.mean() < 0.5
    later = pd.to_datetime(moderate.needs["assessment_date"]) > moderate.needs["person_id"].map(
        pd.to_datetime(people.set_index("person_id")["index_date"])
    )
    assert later.sum() > 1000
    assert offences.duplicated(["person_id", "sanction_date"]).sum() > 1000
    assert (offences["disposal"] == "caution").sum() > 100


# --- determinism and writing ---------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = write_population(generate_population(400, seed=9), tmp_path / "a")
    b = write_population(generate_population(400, seed=9), tmp_path / "b")
    c = write_population(generate_population(400, seed=10), tmp_path / "c")
    for name in ("people.csv", "offences.csv", "needs.csv", "truth.csv", "metadata.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "offences.csv").read_bytes() != (c / "offences.csv").read_bytes()


def test_written_files_and_metadata(small: SyntheticPopulation, tmp_path: Path) -> None:
    out = write_population(small, tmp_path / "data")
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["extract_date"] == "2026-06-30" and meta["seed"] == 5
    assert meta["n_people"] == 3000 and meta["generator_version"]
    truth = pd.read_csv(out / "truth.csv")
    assert list(truth.columns) == ["person_id", "true_probability_2y", "true_probability_1y"]
    for column in ("true_probability_2y", "true_probability_1y"):
        np.testing.assert_array_equal(truth[column], small.truth[column])
    # The fast writer produces exactly what pandas would.
    for name in ("people", "offences", "needs", "truth"):
        frame = getattr(small, name)
        assert (out / f"{name}.csv").read_text() == frame.to_csv(index=False), name
    assert not any(p.name.startswith(".") for p in out.iterdir())


def test_write_csv_matches_pandas_with_missing_values(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"a": ["x", "y"], "b": pd.array([1, None], dtype="Int64"), "c": [0.1, 1 / 3]}
    )
    write_csv(frame, tmp_path / "f.csv")
    assert (tmp_path / "f.csv").read_text() == frame.to_csv(index=False)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1), bias=st.sampled_from([0.0, 0.7]))
def test_invariants_hold_for_any_seed(n: int, seed: int, bias: float) -> None:
    pop = generate_population(n, seed=seed, ethnicity_bias=bias)
    people, offences = pop.people, pop.offences
    assert len(people) == n and people["person_id"].is_unique
    born = pd.to_datetime(people["date_of_birth"])
    assert whole_years(born, pd.to_datetime(people["index_date"])).min() >= 18
    assert (
        pd.to_datetime(offences["offence_date"]) <= pd.to_datetime(offences["sanction_date"])
    ).all()
    offence_born = offences["person_id"].map(born.set_axis(people["person_id"]))
    assert (pd.to_datetime(offences["offence_date"]) >= offence_born).all()
    truth = pop.truth["true_probability_2y"]
    assert truth.between(0, 1).all() and truth.notna().all()
    # A year is part of two years: nobody is likelier to reoffend within one than within two.
    assert (pop.truth["true_probability_1y"] <= truth).all()
    assert pop.truth["true_probability_1y"].between(0, 1).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_people": 0}, BAD_N_PEOPLE.format(value=0)),
        ({"n_people": 2.5}, BAD_N_PEOPLE.format(value=2.5)),
        ({"n_people": True}, BAD_N_PEOPLE.format(value=True)),
        ({"seed": -1}, BAD_SEED.format(value=-1)),
        ({"extract_date": "2026-02-30"}, BAD_EXTRACT_DATE.format(value="2026-02-30")),
        ({"extract_date": "now"}, BAD_EXTRACT_DATE.format(value="now")),
        ({"ethnicity_bias": -0.5}, BAD_ETHNICITY_BIAS.format(value=-0.5)),
        ({"ethnicity_bias": float("nan")}, BAD_ETHNICITY_BIAS.format(value=float("nan"))),
        ({"ethnicity_bias": "much"}, BAD_ETHNICITY_BIAS.format(value="much")),
    ],
)
def test_bad_arguments_raise_config_errors(kwargs: dict, message: str) -> None:
    arguments = {"n_people": 10, "seed": 1} | kwargs
    n_people = arguments.pop("n_people")
    with pytest.raises(ConfigError, match=re.escape(message)):
        generate_population(n_people, **arguments)


# --- the process's pieces against independent computations ----------------------------------


def test_age_curve_integral_matches_numerical_integration() -> None:
    ages = np.linspace(10, 100, 180_001)
    g = params.age_curve(ages)
    numeric = np.concatenate([[0], np.cumsum((g[1:] + g[:-1]) / 2 * np.diff(ages))])
    closed = params.age_curve_integral(ages)
    np.testing.assert_allclose(closed, numeric, rtol=1e-7, atol=1e-9)


def test_counting_exposure_matches_a_dense_sum() -> None:
    """The quadrature of the label's window against a plain sum over 1/40-day steps."""
    rng = np.random.default_rng(0)
    age = rng.uniform(18, 70, 6)
    follow_end = np.array([730, 731, 730, 731, 730, 730])
    proof_end = np.array([912, 911, 913, 912, 911, 912])
    quad = process.counting_exposure(age, follow_end, proof_end)
    for i in range(6):
        step = 1 / 40
        t = np.arange(1 + step / 2, follow_end[i] + 1, step)
        band = np.searchsorted([91, 182, 365], t, side="right")
        follow = np.array([1.7, 1.4, 1.15, 0.95])[band]
        x = np.maximum(proof_end[i] + 1 - t - 3, 0)
        proven = 1 - (0.55 * np.exp(-x / 25) + 0.35 * np.exp(-x / 110) + 0.10 * np.exp(-x / 330))
        dense = (params.age_curve(age[i] + t / 365.25) * follow * proven).sum() * step / 365.25
        assert quad[i] == pytest.approx(dense, rel=1e-5)


def test_history_exposure_matches_the_record(small: SyntheticPopulation) -> None:
    """The compensator the truth uses, recomputed from the written tables day by day."""
    people = small.people.set_index("person_id")
    offences = small.offences
    rng = np.random.default_rng(1)
    chosen = rng.choice(people.index, 25, replace=False)
    exposure = small.latent.set_index("person_id")["history_exposure"]
    for pid in chosen:
        row = people.loc[pid]
        born = pd.Timestamp(row["date_of_birth"])
        current = pd.Timestamp(row["index_sanction_date"])
        mine = offences[offences["person_id"] == pid]
        mine = mine[pd.to_datetime(mine["sanction_date"]) < current]
        occ = mine.groupby("sanction_date")["custody_days"].max().fillna(0)
        occ_days = np.array([(pd.Timestamp(d) - born).days for d in occ.index], dtype=float)
        free = np.append(occ_days + np.maximum(occ.to_numpy() // 2, 14), 0.0)  # [-1]: none
        t = np.arange(3652.5, (current - born).days - 14, 0.25) + 0.125
        k = np.searchsorted(occ_days, t, side="right") - 1  # last occasion before t
        gap = (t - free[k]) / 365.25
        band = np.clip(np.searchsorted([0.5, 1, 2, 4], gap, side="right"), 0, 4)
        r = np.where(k < 0, 1.0, np.array([2.0, 1.6, 1.3, 1.0, 0.7])[band])
        r = np.where((k >= 0) & (gap < 0), 0.0, r)
        dense = (params.age_curve(t / 365.25) * r).sum() * 0.25 / 365.25
        dense *= 0.7 if row["sex"] == "female" else 1.0
        # Event times inside a day are rounded in the tables: a fraction of a day each.
        assert exposure[pid] == pytest.approx(dense, rel=0.01, abs=0.02), pid


# --- acceptance figures (issue 2) on 20,000 people ------------------------------------------


@pytest.mark.slow
def test_cohort_mix_matches_the_caseload(moderate_frame: pd.DataFrame) -> None:
    n = len(moderate_frame)
    for name, count in CASELOAD.items():
        target = count / sum(CASELOAD.values())
        share = (moderate_frame["cohort"] == name).mean()
        assert 4 * binomial_se(target, n) < MIX_MARGIN / 100  # the margin is not noise
        assert abs(share - target) < MIX_MARGIN / 100, (name, share, target)


@pytest.mark.slow
def test_needs_prevalence_and_unassessed_share(moderate: SyntheticPopulation) -> None:
    n = len(moderate.people)
    never = 1 - moderate.needs["person_id"].nunique() / n
    assert 0.25 < never < 0.35
    latest = latest_assessments(moderate)
    for area, target in NEED_TARGETS.items():
        scores = latest[area].dropna().astype(int)
        assert 4 * binomial_se(target / 100, len(scores)) < NEED_MARGIN / 100
        assert abs(100 * (scores >= 1).mean() - target) < NEED_MARGIN, area


@pytest.mark.slow
def test_needs_are_correlated_with_each_other_and_with_offending(
    moderate: SyntheticPopulation,
) -> None:
    latest = latest_assessments(moderate)
    need = latest.set_index("person_id")[list(NEED_AREAS)].ge(1).astype(float)
    assert need["drugs"].corr(need["accommodation"]) > 0.1
    assert need["alcohol"].corr(need["relationships"]) > 0.05
    group = moderate.offences["offence_group"]
    shares = moderate.offences.assign(
        acq=group.isin(["theft", "burglary_domestic"]),
        vio=group.isin(["violence", "public_order"]),
    ).groupby("person_id")[["acq", "vio"]]
    acquisitive, violent = shares.mean()["acq"], shares.mean()["vio"]
    joined = need.join(acquisitive.rename("acq")).join(violent.rename("vio"))
    assert joined["drugs"].corr(joined["acq"]) > 0.1
    assert joined["alcohol"].corr(joined["vio"]) > 0.1


@pytest.mark.slow
def test_reoffending_rate_and_its_gradients(moderate_frame: pd.DataFrame) -> None:
    lab = moderate_frame[moderate_frame["labelled"]].copy()
    rate = lab["label"].mean()
    assert 0.35 < rate < 0.50
    # Rising across quartiles of prior sanction occasions (equal-sized groups).
    lab["quartile"] = pd.qcut(lab["priors"].rank(method="first"), 4, labels=False)
    by_q = lab.groupby("quartile")["label"].agg(["mean", "size"])
    for lo, hi in zip(by_q.index[:-1], by_q.index[1:], strict=True):
        diff = by_q.loc[hi, "mean"] - by_q.loc[lo, "mean"]
        se = np.hypot(*(binomial_se(by_q.loc[q, "mean"], by_q.loc[q, "size"]) for q in (lo, hi)))
        assert diff > Z * se, (lo, hi, diff)
    # Falling across the cohorts' age bands.
    by_c = lab.groupby("cohort")["label"].agg(["mean", "size"])
    for older, younger in (("adult_male", "young_male"), ("mature_male", "adult_male")):
        diff = by_c.loc[younger, "mean"] - by_c.loc[older, "mean"]
        se = np.hypot(
            *(binomial_se(by_c.loc[c, "mean"], by_c.loc[c, "size"]) for c in (older, younger))
        )
        assert diff > Z * se, (younger, older, diff)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["", "_1y"])
def test_truth_is_calibrated_overall_and_within_deciles(
    moderate_frame: pd.DataFrame, suffix: str
) -> None:
    """The two-year truth against the two-year labels; the one-year against the one-year."""
    lab = moderate_frame[moderate_frame[f"labelled{suffix}"]]
    y, p = lab[f"label{suffix}"].to_numpy(), lab[f"truth{suffix}"].to_numpy()
    # Overall: the acceptance margin, and the statistical tolerance for known probabilities.
    assert abs(y.mean() - p.mean()) < TRUTH_MARGIN / 100
    assert abs(y.mean() - p.mean()) < Z * np.sqrt((p * (1 - p)).sum()) / len(p)
    # Hosmer-Lemeshow with known (not fitted) probabilities: chi-squared with 10 df.
    decile = pd.qcut(p, 10, labels=False)
    observed = np.bincount(decile, weights=y)
    expected = np.bincount(decile, weights=p)
    variance = np.bincount(decile, weights=p * (1 - p))
    statistic = ((observed - expected) ** 2 / variance).sum()
    assert statistic < stats.chi2.ppf(1 - ALPHA, df=10), statistic


@pytest.mark.slow
def test_truth_is_the_mean_of_the_probability_given_hidden_traits(
    moderate_frame: pd.DataFrame,
) -> None:
    """E[P(label | traits, record) | record] = truth: checked within 20 groups of truth,
    for everyone (censored too), with much less noise than labels allow."""
    frame = moderate_frame
    group = pd.qcut(frame["truth"], 20, labels=False)
    diff = frame["given_traits"] - frame["truth"]
    by = diff.groupby(group).agg(["mean", "std", "size"])
    z = by["mean"] / (by["std"] / np.sqrt(by["size"]))
    assert (z**2).sum() < stats.chi2.ppf(1 - ALPHA, df=20), z.round(2).tolist()


@pytest.mark.slow
def test_ethnicity_bias_inflates_records_and_labels_and_truth_follows() -> None:
    biased = generate_population(20_000, seed=31, ethnicity_bias=1.0)
    plain = generate_population(20_000, seed=31)

    def by_group(pop: SyntheticPopulation) -> pd.DataFrame:
        people = pop.people.assign(n=pop.offences["person_id"].value_counts())
        people["n"] = people["person_id"].map(pop.offences["person_id"].value_counts()).fillna(0)
        labels = build_labels(pop.people, pop.offences, pop.metadata["extract_date"])
        people["label"] = labels["reoffended_2y"].to_numpy()
        people["truth"] = pop.truth["true_probability_2y"].to_numpy()
        people["group"] = people["ethnicity"].isin(["black", "mixed"])
        return people.groupby("group")[["n", "label", "truth"]].mean()

    b, p = by_group(biased), by_group(plain)
    assert b.loc[True, "n"] / b.loc[False, "n"] > 1.3 * p.loc[True, "n"] / p.loc[False, "n"]
    assert (
        b.loc[True, "label"] - b.loc[False, "label"]
        > p.loc[True, "label"] - p.loc[False, "label"] + 0.05
    )
    # Under bias the truth still describes the (biased) labels within the group.
    people = biased.people
    labels = build_labels(people, biased.offences, biased.metadata["extract_date"])
    keep = (labels["label_status"] == LABELLED).to_numpy() & people["ethnicity"].isin(
        ["black", "mixed"]
    ).to_numpy()
    y = labels["reoffended_2y"].to_numpy()[keep]
    q = biased.truth["true_probability_2y"].to_numpy()[keep]
    assert abs(y.mean() - q.mean()) < Z * np.sqrt((q * (1 - q)).sum()) / len(q)


# --- the command line --------------------------------------------------------------------------


def test_cli_writes_and_summarises(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "synth"
    code = main(["synth", "--n-people", "800", "--seed", "3", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(
        ["people.csv", "offences.csv", "needs.csv", "truth.csv", "metadata.json"]
    )
    assert "people: 800" in text and "never assessed" in text
    assert "observed two-year proven reoffending" in text and f"wrote: {out}" in text
    expected = generate_population(800, seed=3).people.to_csv(index=False)
    assert (out / "people.csv").read_text() == expected


def test_cli_options_reach_the_generator(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "s"
    args = ["synth", "--n-people", "50", "--seed", "1", "--out", str(out)]
    args += ["--extract-date", "2020-01-31", "--ethnicity-bias", "0.5"]
    assert main(args) == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["extract_date"] == "2020-01-31" and meta["ethnicity_bias"] == 0.5
    assert "ethnicity bias 0.5" in capsys.readouterr().out


def test_cli_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    args = ["synth", "--n-people", "-3", "--seed", "1", "--out", str(tmp_path / "x")]
    run = run_here(*args)
    assert run.returncode == 2
    assert run.stderr.strip() == f"error: {BAD_N_PEOPLE.format(value=-3)}"
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "x").exists()
