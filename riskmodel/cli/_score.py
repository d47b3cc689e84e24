"""``riskmodel score``: batch scoring with a model bundle, in chunks of people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from riskmodel._io import rejects_path_for
from riskmodel.cli import _options as option
from riskmodel.cli._progress import echo, progress
from riskmodel.contract._summary import reconcile_lines
from riskmodel.scoring import (
    DEFAULT_CHUNK_SIZE,
    ENGINES,
    SCHEDULER_TIMEOUT,
    score_files,
    summary_path_for,
)


def _summary_lines(summary: dict) -> list[str]:
    lines = reconcile_lines(
        summary, summary["people_scored"], summary["rejects"], summary["rejects_lines"],
        verb="scored",
    )  # fmt: skip
    counts = summary["bands"]["counts"]
    lines.append("risk bands: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
    features = summary.get("features", {})
    if "people_without_assessment" in features:
        lines.append(
            "no needs assessment within the look-back before the index date: "
            f"{features['people_without_assessment']:,}"
        )
    drift = summary["drift"]
    if drift.get("available"):
        top = list(drift["feature_psi"].items())[:3]
        shown = ", ".join(f"{k} {v:.3f}" for k, v in top)
        lines.append(
            f"drift against training: score PSI {drift['score_psi']:.3f} "
            f"({drift['score_level']}); largest feature PSI: {shown}"
        )
        share = drift["needs_missing_share"]
        if share.get("training") is not None:
            lines.append(
                "share with no needs assessment: "
                f"training {share['training']:.1%}, this batch {share['batch']:.1%}"
            )
    else:
        lines.append(f"drift: {drift.get('reason', 'not computed')}")
    lines.extend(f"warning: {w}" for w in summary["warnings"])
    lines.append(f"scores: {summary['output']} ({summary['people_scored']:,} rows)")
    lines.append(f"run summary: {summary['summary']}")
    return lines


@click.command("score")
@option.model()
@option.inputs(bundle=True, with_extract_date=False, with_horizon=True)
@option.out_file("Scores file: .parquet for Parquet, anything else CSV.")
@option.rejects()
@click.option(
    "--carry",
    default=None,
    help="Comma-separated input columns to copy into the scores (nothing else is copied).",
)
@click.option(
    "--explain",
    type=click.IntRange(min=0, max=20),
    default=0,
    show_default=True,
    help="Add the K largest reasons of each person's score (reason_1..reason_K): one per "
    "concept, largest first either way, in the words of the explanation report.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=DEFAULT_CHUNK_SIZE,
    show_default=True,
    help="People scored at a time (with all of their events); bounds memory.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Score chunks in this process, or on Dask (a local cluster unless --scheduler).",
)
@click.option(
    "--scheduler",
    default=None,
    help="Address of a running Dask scheduler (tcp://host:8786), with --engine dask.",
)
@click.option(
    "--scheduler-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help=f"With --scheduler: how long to wait for it before giving up [default: "
    f"{SCHEDULER_TIMEOUT:g}].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="With --engine local: score chunks in N processes on this machine, this one and N-1 "
    "workers (default 1: this process alone). Same output; peak memory grows with N.",
)
@click.option(
    "--bands",
    default=None,
    help="Risk band cut points as fractions that are whole percentages, e.g. 0.5,0.75,0.9 "
    "(the OGRS default: Low / Medium / High / Very high).",
)
@click.option(
    "--programme-cohort",
    is_flag=True,
    help="The people are a programme cohort under evaluation (scores for `riskmodel cohort`): "
    "drift warnings then never suggest `riskmodel recalibrate`, which on the cohort's own "
    "outcomes would erase the effect being measured.",
)
def command(
    model_dir: Path,
    source: dict[str, Any],
    out: Path,
    rejects_path: Path | None,
    carry: str | None,
    explain: int,
    chunk_size: int,
    engine: str,
    scheduler: str | None,
    scheduler_timeout: float | None,
    workers: int | None,
    bands: str | None,
    programme_cohort: bool,
) -> None:
    """Score a caseload: probability of proven reoffending and its risk band.

    The probability is at the model's own horizon (the bundle records it; a --horizon-months
    or --proof-months that differs is refused). Writes person_id, probability_2y (named
    after the horizon: probability_1y for 12 months; unrounded), risk_band, cohort,
    age_band (when the data allow), model_id, flags (--table only), then only the columns
    named with --carry (outputs travel further than inputs). People with row problems go to
    the rejects file with table, row, column, value and reason; people read = scored +
    rejected.

    With --table, a row is rejected for: an id on more than one row (every row of it); a
    numeric feature that is not a number or not finite; a missing numeric value where
    training had none; a value beyond the training range by more than half the range's
    width, or negative where training never was. Scored and flagged in `flags`: a missing
    value where training had some (imputed), a value outside the training range within that
    margin, a category never seen in training (treated as unknown).

    A run summary JSON beside the output also
    compares the batch with the training population (population stability index of the
    score and of each feature) and says when the model may need `riskmodel recalibrate`,
    except with --programme-cohort (scores of a cohort whose outcomes are to be compared with
    them by `riskmodel cohort`): recalibrating on that cohort would erase the programme's effect.
    Input is read in chunks of people, so files larger than memory can be scored; nothing is
    written when the input as a whole cannot be used.

    \b
    Example:
      riskmodel score --model models/default --data data/caseload --out scores.csv
      riskmodel score --model models/default --data data/caseload --out scores.parquet \\
          --carry case_officer --explain 3 --engine dask
      riskmodel score --model models/default --data data/caseload --out scores.parquet \\
          --workers 2
      riskmodel score --model models/compas --table compas.csv --config training/compas.toml \\
          --out compas-scores.csv
    """
    option.protect_outputs(
        {
            "--out": out,
            "--rejects": rejects_path or rejects_path_for(out),
            "the run summary": summary_path_for(out),
        },
        source=source,
        dirs=(model_dir,),
    )
    summary = score_files(
        model_dir=model_dir,
        out=out,
        rejects_path=rejects_path or rejects_path_for(out),
        carry=carry,
        explain=explain,
        chunk_size=chunk_size,
        engine=engine,
        scheduler=scheduler,
        scheduler_timeout=scheduler_timeout,
        workers=workers,
        bands=bands,
        progress=progress,
        programme_cohort=programme_cohort,
        **source,
    )
    for line in _summary_lines(summary):
        echo(line)
