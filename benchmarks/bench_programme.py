"""Benchmark: does the matched comparison recover a programme's known effect?

Simulation. One synthetic population (``riskmodel synth --n-people 40000 --seed 13``); its
labelled people are the population. A calibrated logistic regression (``bench_cohort``'s
model) is trained once on 30% of them, drawn at random; its predicted risk for the other 70%
is a matching variable beside their features. Each run draws a programme from those 70%
(:func:`riskmodel.synthetic.programme_selection`: selection on risk as referral sees it, the
model's predicted risk, and on recorded needs, not at random, about ``SHARE`` of them) with a
known effect (cycling through ``EFFECTS``, none included): the programme stops every proven
reoffence of that share of its participants, chosen at random, so a participant's
probability of proven reoffending is exactly ``(1 - effect)`` times their true probability.
The true effect on the proven reoffending rate of the matched participants is ``-effect``
times their mean true probability. Each run then
evaluates the programme with :func:`riskmodel.programme.evaluate_programme` (everyone who did
not take part as the pool; ``RATIO`` comparisons per participant, with replacement, caliper
0.2 SD of the logit) and records whether the 95% interval of the rate difference covers the
true effect, the naive difference (participants against everyone else) and its bias, and
whether every matching variable has |SMD| < 0.1 after matching.

Targets ("done means"): coverage 90-98%; balance on every variable in >= 95% of runs.

Beside it, ``HIDDEN_RUNS`` programmes select on the *true* risk instead (a function of the
record no model captures exactly): the part of it the matching variables miss is selection on
something unrecorded, and the coverage of those runs shows what the page's caveat means
(matching balances recorded characteristics only). No target.
Writes ``results/programme.json``.

Usage::

    python benchmarks/bench_programme.py [--quick] [--out DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import run_costs, run_parsed, simulation_parser, write_result
from bench_accuracy import numeric_as_float, synthesise
from bench_cohort import calibrated_logistic

#: Runs (programmes) of the simulation.
RUNS = 200
#: Runs selecting on the true risk (the caveat's illustration).
HIDDEN_RUNS = 40
#: Effects cycled through (share of participants kept from reoffending); 0 is no effect.
EFFECTS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3)
#: Expected share of the population a programme selects.
SHARE = 0.1
#: Comparisons per participant.
RATIO = 5
#: Bootstrap resamples of every interval.
RESAMPLES = 500
#: Share of the population the risk model is trained on (the rest take part or not).
TRAIN_SHARE = 0.3
COVERAGE_TARGET = (0.90, 0.98)
BALANCE_TARGET = 0.95
POPULATION_PEOPLE, POPULATION_SEED = 40_000, 13
QUICK_PEOPLE, QUICK_RUNS = 3_000, 4


def population(n_people: int, seed: int, rng: np.random.Generator) -> dict[str, Any]:
    """Matching variables, outcomes, truth and recorded needs of the population's labelled
    people who were not used to train the risk model."""
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import LABELLED, build_feature_table
    from riskmodel.programme import matching_variables, reoffending_outcomes
    from riskmodel.synthetic import recorded_need_total
    from riskmodel.training._inputs import feature_lists, load_inputs

    with tempfile.TemporaryDirectory(prefix="bench_programme_") as tmp:
        directory = synthesise(Path(tmp) / "population", n_people, seed)
        raw = read_tables(directory)
        data = validate_tables(raw)
        table = build_feature_table(data)
        inputs = load_inputs(table_path=None, data_dir=directory, config_path=None, labels=False)
        truth = pd.read_csv(directory / "truth.csv", dtype={"person_id": str})
        needs = pd.read_csv(directory / "needs.csv", dtype={"person_id": str})
        people = pd.read_csv(directory / "people.csv", dtype={"person_id": str})
    outcomes = reoffending_outcomes(data.people, data.offences, data.extract_date)
    ids = table.ids.astype(str).to_numpy()
    by_id = outcomes.set_index(outcomes["person_id"].astype(str)).loc[ids].reset_index(drop=True)
    labelled = (by_id["label_status"] == LABELLED).to_numpy()
    p_true = truth.set_index("person_id")["true_probability_2y"].loc[ids].to_numpy()
    need = pd.Series(recorded_need_total(people, needs), index=people["person_id"]).loc[ids]
    numeric, categorical = feature_lists(inputs)
    X = numeric_as_float(table.X, numeric)
    rows = np.flatnonzero(labelled)
    order = rng.permutation(rows)
    n_train = int(TRAIN_SHARE * len(rows))
    train, rest = np.sort(order[:n_train]), np.sort(order[n_train:])
    y = by_id["reoffended"].to_numpy()
    model = calibrated_logistic(numeric, categorical).fit(X.iloc[train], y[train].astype(int))
    risk = model.predict_proba(X.iloc[rest])[:, 1]
    return {
        "variables": matching_variables(table.X.iloc[rest].reset_index(drop=True), risk),
        "outcomes": by_id.iloc[rest].reset_index(drop=True),
        "p_true": p_true[rest],
        "risk": risk,
        "need": need.to_numpy()[rest],
        "n_train": n_train,
        "base_rate": float(y[rows].mean()),
    }


def one_run(
    pop: dict[str, Any], effect: float, rng: np.random.Generator, seed: int, on: str = "risk"
) -> dict:
    """Draw one programme with ``effect`` selecting on ``pop[on]`` (the predicted risk, or
    ``"p_true"``) and recorded needs, evaluate it, and compare with the truth."""
    from riskmodel.programme import evaluate_programme
    from riskmodel.synthetic import programme_selection

    taking_part = programme_selection(pop[on], pop["need"], share=SHARE, rng=rng)
    prevented = taking_part & (rng.random(len(taking_part)) < effect)
    outcomes = pop["outcomes"].copy()
    outcomes.loc[prevented, ["reoffended", "reoffences"]] = 0.0
    outcomes.loc[prevented, "days_to_first"] = np.nan
    result = evaluate_programme(
        pop["variables"], outcomes, taking_part, ratio=RATIO, n_resamples=RESAMPLES, seed=seed
    )
    positions = np.flatnonzero(taking_part)
    unmatched_ids = set(result.unmatched["person_id"])
    matched = np.array([str(i) not in unmatched_ids for i in positions])
    truth = -effect * float(pop["p_true"][positions[matched]].mean())
    rate = result.outcomes["rate"]
    low, high = rate["difference_ci"]
    naive_truth = -effect * float(pop["p_true"][positions].mean())
    return {
        "effect": effect,
        "participants": int(taking_part.sum()),
        "matched": result.n_matched,
        "true_difference": truth,
        "estimate": rate["difference"],
        "covered": bool(low <= truth <= high),
        "width": high - low,
        "naive": result.naive["rate"],
        "naive_bias": result.naive["rate"] - naive_truth,
        "max_abs_smd_after": float(result.balance["smd_after"].abs().max()),
        "max_abs_smd_before": float(result.balance["smd_before"].abs().max()),
        "balanced": result.n_flagged == 0,
        "n_flagged": result.n_flagged,
    }


def main(argv: list[str] | None = None) -> int:
    parser = simulation_parser(
        __doc__.splitlines()[0], result="programme.json", runs="number of programmes"
    )
    parser.add_argument("--hidden-runs", type=int, default=None, help="runs selecting on truth")
    return run_parsed(parser, run, argv)


def run(args: argparse.Namespace) -> int:
    """Run the simulation as parsed by :func:`main`; write ``programme.json``."""
    started = time.perf_counter()
    people = QUICK_PEOPLE if args.quick else POPULATION_PEOPLE
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    rng = np.random.default_rng(args.seed)
    pop = population(people, POPULATION_SEED, rng)
    prepared = time.perf_counter() - started
    results = []
    for r in range(runs):
        effect = EFFECTS[r % len(EFFECTS)]
        results.append(one_run(pop, effect, rng, seed=r))
        if (r + 1) % 20 == 0:
            print(f"{r + 1} programmes ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    hidden_runs = (
        args.hidden_runs if args.hidden_runs is not None else (1 if args.quick else HIDDEN_RUNS)
    )
    hidden = [
        one_run(pop, EFFECTS[r % len(EFFECTS)], rng, seed=runs + r, on="p_true")
        for r in range(hidden_runs)
    ]
    covered = np.mean([x["covered"] for x in results])
    balanced = np.mean([x["balanced"] for x in results])
    by_effect = {}
    for effect in EFFECTS:
        part = [x for x in results if x["effect"] == effect]
        if part:
            by_effect[f"{effect:g}"] = {
                "runs": len(part),
                "coverage": float(np.mean([x["covered"] for x in part])),
                "mean_true_difference": float(np.mean([x["true_difference"] for x in part])),
                "mean_estimate": float(np.mean([x["estimate"] for x in part])),
                "mean_bias": float(np.mean([x["estimate"] - x["true_difference"] for x in part])),
                "mean_naive_bias": float(np.mean([x["naive_bias"] for x in part])),
            }
    low, high = COVERAGE_TARGET
    data = {
        "design": (
            f"labelled people of `riskmodel synth --n-people {people:,} --seed "
            f"{POPULATION_SEED}` ({len(pop['p_true']) + pop['n_train']:,} people, "
            f"{pop['base_rate']:.1%} reoffended); risk model trained on {pop['n_train']:,} of "
            f"them; programmes drawn from the other {len(pop['p_true']):,}, selected on the "
            f"model's predicted risk and recorded needs (about {SHARE:.0%} taking part), effects "
            f"{', '.join(f'{e:g}' for e in EFFECTS)}; {RATIO} comparisons per participant "
            "with replacement, caliper 0.2 SD of the logit"
        ),
        "runs": runs,
        "effects": list(EFFECTS),
        "ratio": RATIO,
        "share": SHARE,
        "resamples": RESAMPLES,
        "coverage": float(covered),
        "coverage_se": float(np.sqrt(covered * (1 - covered) / runs)),
        "coverage_target": list(COVERAGE_TARGET),
        "balanced_share": float(balanced),
        "balance_target": BALANCE_TARGET,
        "mean_participants": float(np.mean([x["participants"] for x in results])),
        "mean_matched": float(np.mean([x["matched"] for x in results])),
        "mean_abs_bias": float(
            np.mean([abs(x["estimate"] - x["true_difference"]) for x in results])
        ),
        "mean_bias": float(np.mean([x["estimate"] - x["true_difference"] for x in results])),
        "mean_naive_bias": float(np.mean([x["naive_bias"] for x in results])),
        "median_width": float(np.median([x["width"] for x in results])),
        "max_abs_smd_after": float(np.max([x["max_abs_smd_after"] for x in results])),
        "median_max_abs_smd_before": float(np.median([x["max_abs_smd_before"] for x in results])),
        "by_effect": by_effect,
        "hidden_selection": {
            "runs": len(hidden),
            "coverage": float(np.mean([x["covered"] for x in hidden])) if hidden else None,
            "mean_bias": (
                float(np.mean([x["estimate"] - x["true_difference"] for x in hidden]))
                if hidden
                else None
            ),
            "balanced_share": float(np.mean([x["balanced"] for x in hidden])) if hidden else None,
        },
        "meets_target": bool(low <= covered <= high and balanced >= BALANCE_TARGET),
        "preparation_seconds": prepared,
        **run_costs(started),
    }
    summary = (
        f"coverage {covered:.1%}, balanced {balanced:.1%}, naive bias "
        f"{data['mean_naive_bias']:+.3f}, matched bias {data['mean_bias']:+.3f}"
    )
    write_result("programme", data, quick=args.quick, folder=args.out, summary=summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
