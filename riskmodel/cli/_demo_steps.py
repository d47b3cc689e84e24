"""The whole job on a synthetic population, through the same commands a user runs.

:func:`run_demo` calls each ``riskmodel`` subcommand in turn (so the demo exercises exactly the
code users run), then writes a landing page, ``index.html``, linking every report with a
one-line summary of each.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import RiskmodelError
from riskmodel._io import write_table, write_text
from riskmodel._provenance import record_source
from riskmodel.cli._messages import STEP_FAILED
from riskmodel.contract import NEED_AREAS
from riskmodel.reports import render_template


@dataclass
class Entry:
    """One line of the landing page."""

    step: str
    summary: str
    href: str | None = None
    #: The name of the page linked: a link says which report it opens.
    link_text: str = ""


#: Commands that write a directory: the demo writes into its own earlier output with
#: ``--force`` (``riskmodel demo --force`` has already checked that ``--out`` is a demo's).
DIRECTORY_COMMANDS = frozenset(
    {
        "synth",
        "train",
        "crossval",
        "evaluate",
        "recalibrate",
        "explain",
        "fairness",
        "threshold",
        "cohort",
        "programme",
    }
)


def demo_args(args: list[str]) -> list[str]:
    """The command line of a demo step: with ``--force`` for a command writing a directory.

    Examples
    --------
    >>> demo_args(["train", "--out", "m"])
    ['train', '--out', 'm', '--force']
    >>> demo_args(["score", "--out", "s.csv"])
    ['score', '--out', 's.csv']
    """
    return [*args, "--force"] if args and args[0] in DIRECTORY_COMMANDS else list(args)


def _run(step: str, args: list[str]) -> None:
    from riskmodel.cli import main

    args = demo_args(args)
    print(f"\n== {step}: riskmodel {' '.join(args)}", flush=True)
    started = time.perf_counter()
    code = main(args)
    if code != 0:
        raise RiskmodelError(STEP_FAILED.format(step=step, code=code))
    print(f"== {step}: done in {time.perf_counter() - started:.1f} s", flush=True)


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def inject_bad_rows(data_dir: Path, out_dir: Path) -> dict[str, str]:
    """Copy a data directory, adding one person per kind of bad input the contract names.

    Returns the bad person ids and the problem each carries, so the demo can show that every
    one of them lands in the rejects file and nobody is lost.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    people = pd.read_csv(data_dir / "people.csv", dtype=str, keep_default_na=False)
    offences = pd.read_csv(data_dir / "offences.csv", dtype=str, keep_default_na=False)
    needs = pd.read_csv(data_dir / "needs.csv", dtype=str, keep_default_na=False)
    template = people.iloc[0].to_dict()
    problems = {
        "BAD-DATE": ("people", "index_date", "2024-02-30"),
        "BAD-OFFENCE-GROUP": ("offences", "offence_group", "shoplifting"),
        "BAD-NEED-SCORE": ("needs", "drugs", "7"),
        "BAD-SANCTION-ORDER": ("offences", "sanction_date", "2000-01-01"),
        "BAD-UNDER-18": ("people", "date_of_birth", "2015-01-01"),
        "BAD-BIRTH-AFTER-INDEX": ("people", "date_of_birth", "2030-01-01"),
    }
    new_people, new_offences, new_needs = [], [], []
    for person_id, (table, column, value) in problems.items():
        person = {**template, "person_id": person_id}
        offence = {
            "person_id": person_id,
            "offence_date": "2019-05-01",
            "sanction_date": "2019-06-01",
            "offence_group": "theft",
            "disposal": "fine",
            "custody_days": "",
        }
        assessment = {"person_id": person_id, "assessment_date": template["index_date"]}
        assessment.update({area: "1" for area in NEED_AREAS})
        {"people": person, "offences": offence, "needs": assessment}[table][column] = value
        new_people.append(person)
        new_offences.append(offence)
        new_needs.append(assessment)
    duplicate = {**template}
    new_people.append(duplicate)
    problems[template["person_id"]] = ("people", "person_id", "duplicate person_id")
    orphan = {**new_offences[0], "person_id": "NOT-IN-PEOPLE"}
    new_offences.append(orphan)
    problems["NOT-IN-PEOPLE"] = ("offences", "person_id", "offence for an unknown person")
    write_table(pd.concat([people, pd.DataFrame(new_people)]), out_dir / "people.csv")
    write_table(pd.concat([offences, pd.DataFrame(new_offences)]), out_dir / "offences.csv")
    write_table(pd.concat([needs, pd.DataFrame(new_needs)]), out_dir / "needs.csv")
    (out_dir / "metadata.json").write_text((data_dir / "metadata.json").read_text())
    return {pid: f"{table}.{column}" for pid, (table, column, _) in problems.items()}


def simulate_programme(
    scores: pd.DataFrame, truth: pd.DataFrame, *, n: int, effect: float, seed: int
) -> pd.DataFrame:
    """A programme cohort that chose to take part, with outcomes the programme changed.

    People join with a probability rising with their score (those at higher risk are referred
    more often), and their chance of reoffending is their true probability times
    ``1 - effect``. Observed against expected shows a difference, which here *is* the effect
    plus chance; in real data selection alone can produce one.
    """
    rng = np.random.default_rng(seed)
    merged = scores.merge(truth, on="person_id", how="inner")
    weight = merged["probability_2y"].to_numpy() ** 2
    chosen = rng.choice(
        len(merged), size=min(n, len(merged)), replace=False, p=weight / weight.sum()
    )
    cohort = merged.iloc[np.sort(chosen)].reset_index(drop=True)
    p_true = cohort["true_probability_2y"].to_numpy() * (1 - effect)
    cohort["reoffended_2y"] = (rng.random(len(cohort)) < p_true).astype(int)
    return cohort[["person_id", "probability_2y", "risk_band", "reoffended_2y"]]


def run_demo(
    out: str | os.PathLike,
    *,
    n_people: int = 10_000,
    n_batch: int = 3_000,
    seed: int = 7,
    echo: Callable[[str], None] = print,
) -> Path:
    """Run the whole job and write ``OUT/index.html``.

    Parameters
    ----------
    out : path
        Output directory (created).
    n_people : int
        People in the synthetic training population.
    n_batch : int
        People in the synthetic caseload scored as a batch.
    seed : int
        Seed of the training population; the batch uses ``seed + 1``.

    Returns
    -------
    Path
        The landing page.
    """
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{out / 'mlflow.db'}")
    tracking_uri = os.environ["MLFLOW_TRACKING_URI"]
    entries: list[Entry] = []
    data, batch = out / "data", out / "batch"

    _run(
        "generate", ["synth", "--n-people", str(n_people), "--seed", str(seed), "--out", str(data)]
    )
    _run("generate batch", ["synth", "--n-people", str(n_batch), "--seed", str(seed + 1),
                            "--out", str(batch)])  # fmt: skip
    meta = _json(data / "metadata.json")
    entries.append(Entry("Synthetic population", f"{n_people:,} people (seed {seed}), extract "
                         f"date {meta['extract_date']}; a batch of {n_batch:,} more to score "
                         "(data/, batch/)."))  # fmt: skip

    _run("validate", ["validate", "--data", str(data), "--summary", str(out / "validation.json")])
    summary = _json(out / "validation.json")
    entries.append(Entry("Validation", f"{summary['people_read']:,} people read = "
                         f"{summary['people_kept']:,} kept + {summary['people_rejected']:,} "
                         "rejected (validation.json)."))  # fmt: skip

    _run("features", ["features", "--data", str(data), "--labels", "--out",
                      str(out / "features.csv")])  # fmt: skip
    features = pd.read_csv(out / "features.csv", usecols=["person_id", "label_status",
                                                          "reoffended_2y"])  # fmt: skip
    labelled = features["label_status"].eq("labelled")
    entries.append(Entry("Features and labels", f"{labelled.sum():,} labelled, "
                         f"{(~labelled).sum():,} censored; two-year proven reoffending "
                         f"{features.loc[labelled, 'reoffended_2y'].mean():.1%} "
                         "(features.csv)."))  # fmt: skip

    _run("ogrs3", ["ogrs3", "--data", str(data), "--out", str(out / "ogrs3.csv")])
    entries.append(Entry("OGRS3", "The published static scale, scored for every person "
                         "(ogrs3.csv)."))  # fmt: skip

    model = out / "model"
    _run("train", ["train", "--data", str(data), "--out", str(model), "--register",
                   "riskmodel-demo", "--n-resamples", "200"])  # fmt: skip
    manifest = _json(model / "manifest.json")
    held_out = _json(model / "metrics.json")
    entries.append(Entry("Train the default model", f"{manifest['model_id']}: held-out AUC "
                         f"{held_out['auc']:.3f}, Brier {held_out['brier']:.3f}, ECE "
                         f"{held_out['ece']:.3f}; registered in MLflow as riskmodel-demo.",
                         "model/report.html", "Training report"))  # fmt: skip
    entries.append(Entry("Model card", "Intended use, data, metrics, fairness summary and "
                         "limitations (model/MODEL_CARD.md).", "model/model_card.html",
                         "Model card"))  # fmt: skip

    _run("crossval", ["crossval", "--data", str(data), "--folds", "3", "--seed", str(seed),
                      "--out", str(out / "crossval")])  # fmt: skip
    models = _json(out / "crossval" / "metrics.json")["models"]
    compared = ", ".join(f"{name} {m['brier']:.3f}" for name, m in models.items())
    entries.append(Entry("Compare with the alternatives", f"Out-of-fold Brier score (lower is "
                         f"better): {compared} (crossval/metrics.json).",
                         "crossval/report.html", "Cross-validation report"))  # fmt: skip

    _run("evaluate", ["evaluate", "--model", str(model), "--data", str(batch), "--out",
                      str(out / "evaluate")])  # fmt: skip
    evaluated = _json(out / "evaluate" / "metrics.json")
    entries.append(Entry("Evaluate on a new caseload", f"{evaluated['n']:,} labelled people: "
                         f"AUC {evaluated['auc']:.3f}, observed/expected "
                         f"{evaluated['observed_expected']:.2f}.",
                         "evaluate/report.html", "Evaluation report"))  # fmt: skip

    bad = inject_bad_rows(batch, out / "batch_with_problems")
    scores = out / "scores.csv"
    _run("score", ["score", "--model", str(model), "--data", str(out / "batch_with_problems"),
                   "--out", str(scores), "--carry", "sex,ethnicity"])  # fmt: skip
    scored = pd.read_csv(scores)
    rejects = pd.read_csv(out / "scores.rejects.csv", dtype=str)
    caught = sorted(set(bad) & set(rejects["person_id"]))
    entries.append(Entry("Score a batch", f"{len(scored):,} people scored; {len(caught)} of the "
                         f"{len(bad)} people given a bad row on purpose are in the rejects "
                         "with their reasons (scores.csv, scores.rejects.csv)."))  # fmt: skip

    ids = ",".join(scored.sort_values("probability_2y")["person_id"].iloc[[0, -1]])
    _run("explain", ["explain", "--model", str(model), "--data", str(batch), "--out",
                     str(out / "explain"), "--ids", ids])  # fmt: skip
    entries.append(Entry("Explain", f"Exact additive reasons for two people ({ids}) and which "
                         "features matter most overall.", "explain/report.html",
                         "Explanation report"))  # fmt: skip

    audit = _audit_frame(batch, scored)
    write_table(audit, out / "audit.csv")
    record_source(out / "audit.csv", batch)
    _run("threshold", ["threshold", "--scores", str(scores), "--capacity", "10%",
                       "--model", str(model), "--n-bootstrap", "200",
                       "--out", str(out / "threshold")])  # fmt: skip
    chosen = _json(out / "threshold" / "threshold.json")
    entries.append(Entry("Allocation threshold", f"A capacity of 10%: {chosen['allocated']:,} "
                         f"people at a probability of {chosen['threshold']:.1%} or more.",
                         "threshold/report.html", "Threshold report"))  # fmt: skip

    _run("fairness", ["fairness", "--scores", str(out / "audit.csv"), "--score-column",
                      "probability_2y", "--outcome-column", "reoffended_2y", "--group-column",
                      "sex", "--group-column", "cohort", "--group-column", "age_band",
                      "--group-column", "ethnicity", "--threshold",
                      str(out / "threshold" / "threshold.json"), "--model", str(model),
                      "--data", str(batch), "--n-resamples", "200",
                      "--out", str(out / "fairness")])  # fmt: skip
    entries.append(Entry("Fairness", f"Error rates, calibration and the trade-off by sex, "
                         f"cohort, age band and ethnicity for {len(audit):,} labelled people, "
                         f"at the allocation's threshold ({chosen['threshold']:.1%}).",
                         "fairness/report.html", "Fairness report"))  # fmt: skip

    truth = pd.read_csv(batch / "truth.csv")
    programme = simulate_programme(scored, truth, n=300, effect=0.15, seed=seed)
    write_table(programme, out / "programme.csv")
    record_source(out / "programme.csv", batch)
    _run("cohort", ["cohort", "--scores", str(out / "programme.csv"), "--outcome-column",
                    "reoffended_2y", "--model", str(model),
                    "--out", str(out / "cohort")])  # fmt: skip
    result = _json(out / "cohort" / "cohort.json")
    entries.append(Entry("Programme cohort", f"{result['n']:,} people: observed "
                         f"{result['observed_rate']:.1%} against {result['expected_rate']:.1%} "
                         f"expected (O/E {result['observed_expected']:.2f}).",
                         "cohort/report.html", "Cohort report"))  # fmt: skip

    area = out / "programme-data"
    _run("programme data", ["synth", "--n-people", str(n_batch * 2), "--seed", str(seed + 2),
                            "--programme-effect", "0.3", "--programme-share", "0.15",
                            "--out", str(area)])  # fmt: skip
    _run("programme", ["programme", "--data", str(area), "--participant-column", "programme",
                       "--model", str(model), "--ratio", "3", "--n-resamples", "200",
                       "--out", str(out / "programme")])  # fmt: skip
    evaluation = _json(out / "programme" / "programme.json")
    counts, rate = evaluation["counts"], evaluation["outcomes"]["rate"]
    entries.append(Entry("Programme evaluation", f"A simulated programme selecting on risk and "
                         f"needs: {counts['participants']:,} participants, "
                         f"{counts['matched']:,} matched; proven reoffending "
                         f"{rate['participants']:.1%} against {rate['comparisons']:.1%} for "
                         "matched comparisons (programme-data/programme.csv holds the truth).",
                         "programme/report.html", "Programme evaluation report"))  # fmt: skip

    echo_lines = render_index(
        out, entries, n_people=n_people, seed=seed, tracking_uri=tracking_uri, source=data
    )
    for line in echo_lines:
        echo(line)
    return out / "index.html"


def _audit_frame(batch: Path, scored: pd.DataFrame) -> pd.DataFrame:
    """Scores joined with the batch's two-year outcomes (censored people left out)."""
    from riskmodel.contract._summary import load_validated
    from riskmodel.features import build_labels

    data = load_validated(batch)
    outcomes = build_labels(data.people, data.offences, data.extract_date)
    outcomes = outcomes[outcomes["label_status"] == "labelled"]
    return scored.merge(outcomes[["person_id", "reoffended_2y"]], on="person_id", how="inner")


def render_index(
    out: Path,
    entries: list[Entry],
    *,
    n_people: int,
    seed: int,
    tracking_uri: str,
    source: Path | None = None,
) -> list[str]:
    """Write the landing page; return the closing lines to print.

    ``source`` is the population's data directory: the page says its people are invented
    when that data is synthetic (:func:`riskmodel._provenance.is_synthetic`).
    """
    mlflow_ui = f"mlflow ui --backend-store-uri {tracking_uri}"
    html = render_template(
        "index.html",
        entries=entries,
        n_people=n_people,
        seed=seed,
        mlflow_ui=mlflow_ui,
        source=None if source is None else str(source),
    )
    write_text(html, out / "index.html")
    return [
        "",
        f"Open the reports: {out / 'index.html'}",
        f"MLflow UI on the runs logged: {mlflow_ui}",
    ]
