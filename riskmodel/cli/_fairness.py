"""``riskmodel fairness``: a fairness report for any risk score, ours or another tool's."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from riskmodel._errors import ConfigError
from riskmodel._tables import read_scores
from riskmodel.fairness import _messages as const
from riskmodel.fairness import fairness_audit, proxy_table


def _references(values: tuple[str, ...]) -> dict[str, str]:
    references = {}
    for text in values:
        column, sep, value = text.partition("=")
        if not sep or not column or not value:
            raise ConfigError(const.BAD_REFERENCE_SYNTAX.format(text=text))
        references[column] = value
    return references


def _nij(text: str | None) -> tuple[str, str, str] | None:
    if text is None:
        return None
    column, sep, values = text.partition("=")
    parts = [v for v in values.split(",")]
    if not sep or not column or len(parts) != 2 or not all(parts):
        raise ConfigError(const.BAD_NIJ_SYNTAX.format(text=text))
    return column, parts[0], parts[1]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def model_proxies(
    model_dir: Path, data_dir: Path | None, table_path: Path | None, config_path: Path | None
) -> pd.DataFrame:
    """How well each of a model's features alone predicts each group column of the data.

    The features are built exactly as ``riskmodel score`` builds them; the group columns are
    those the data carry for fairness reports (never model inputs).
    """
    from riskmodel.bundle import load_bundle
    from riskmodel.training._inputs import inputs_for_bundle

    bundle = load_bundle(model_dir)
    inputs = inputs_for_bundle(
        bundle.manifest,
        table_path=table_path,
        data_dir=data_dir,
        config_path=config_path,
        labels=False,
    )
    X = bundle.model.prepare(inputs.table.X)
    return proxy_table(X, inputs.table.groups.reset_index(drop=True))


@click.command("fairness")
@click.option(
    "--scores",
    "scores_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Scores with outcomes and group columns (CSV or Parquet).",
)
@click.option("--score-column", required=True, help="Column holding the score.")
@click.option("--outcome-column", required=True, help="Column holding the 0/1 outcome.")
@click.option(
    "--group-column",
    "group_columns",
    required=True,
    multiple=True,
    help="A group column (repeat for several; each is analysed on its own).",
)
@click.option(
    "--threshold",
    type=float,
    default=None,
    help="Flagged means score >= threshold (default 0.5 for probabilities; required for "
    "ordinal scores).",
)
@click.option(
    "--score-kind",
    type=click.Choice(const.SCORE_KINDS),
    default=None,
    help="Default: probability when every score lies in [0, 1], otherwise ordinal.",
)
@click.option(
    "--reference",
    "references",
    multiple=True,
    metavar="GROUP_COLUMN=VALUE",
    help="Reference group of a column for differences and ratios (default: the largest).",
)
@click.option(
    "--nij-groups",
    default=None,
    metavar="GROUP_COLUMN=A,B",
    help="Two groups for the NIJ fairness-penalised score (probability scores only).",
)
@click.option(
    "--proxy-column",
    "proxy_columns",
    multiple=True,
    help="A feature column of the scores file to check as a proxy of each group column "
    "(repeat for several): how well it alone predicts the group (AUC, mutual information).",
)
@click.option(
    "--n-resamples",
    type=click.IntRange(min=10),
    default=const.DEFAULT_N_RESAMPLES,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals.",
)
@click.option(
    "--seed",
    type=int,
    default=const.DEFAULT_SEED,
    show_default=True,
    help="Seed of the bootstrap.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0, max=1),
    default=const.DEFAULT_RATE_TOLERANCE,
    show_default=True,
    help="Rates within this absolute gap count as equal in the trade-off paragraph.",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --data or --table: check every feature of this model bundle as a proxy of "
    "each of the data's group columns (ethnicity, sex, age band, cohort ...).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Event tables the model's features are built from (for --model).",
)
@click.option(
    "--table",
    "table_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Flat table the model's features are read from (for --model).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML config of --table (default: the one the model was trained with).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for fairness.json and report.html.",
)
def command(
    scores_path: Path,
    score_column: str,
    outcome_column: str,
    group_columns: tuple[str, ...],
    threshold: float | None,
    score_kind: str | None,
    references: tuple[str, ...],
    nij_groups: str | None,
    proxy_columns: tuple[str, ...],
    n_resamples: int,
    seed: int,
    tolerance: float,
    model_dir: Path | None,
    data_dir: Path | None,
    table_path: Path | None,
    config_path: Path | None,
    out_dir: Path,
) -> None:
    """Fairness report for a risk score: how it treats each group.

    For every group column: per group n, reoffending rate, mean score, share flagged, false
    positive and false negative rates, positive predictive value, AUC, and for probabilities
    the Brier score and observed/expected; differences and ratios against a reference group
    and largest minus smallest, with bootstrap 95% intervals; reliability curves by group;
    and a plain-English paragraph on which fairness criteria hold and which cannot hold
    together. A person is flagged when score >= threshold. Rows with no score or no outcome
    are counted and left out. Small groups are flagged, never hidden.

    \b
    Example (an existing tool's 1-10 decile score):
      riskmodel fairness --scores compas-scores-two-years.csv \\
        --score-column decile_score --outcome-column two_year_recid \\
        --group-column race --group-column sex --threshold 5 \\
        --proxy-column priors_count --proxy-column age --out out/fairness

    \b
    Example (this package's probabilities, with the NIJ score, and every model feature
    checked as a proxy of ethnicity and the other group columns of the data):
      riskmodel fairness --scores scores.csv --score-column probability_2y \\
        --outcome-column reoffended_2y --group-column cohort --group-column ethnicity \\
        --nij-groups ethnicity=black,white --model models/default --data data/caseload \\
        --out out/fairness
    """
    if (model_dir is None) != (data_dir is None and table_path is None):
        raise ConfigError(const.MODEL_PROXIES_NEED_BOTH)
    frame = read_scores(scores_path)
    audit = fairness_audit(
        frame,
        score_column=score_column,
        outcome_column=outcome_column,
        group_columns=list(group_columns),
        threshold=threshold,
        score_kind=score_kind,
        references=_references(references),
        nij_groups=_nij(nij_groups),
        proxy_columns=proxy_columns,
        n_resamples=n_resamples,
        seed=seed,
        rate_tolerance=tolerance,
    )
    if model_dir is not None:
        found = model_proxies(model_dir, data_dir, table_path, config_path)
        audit.proxies = found if audit.proxies is None else pd.concat([audit.proxies, found])
    from riskmodel.reports._fairness_report import write_fairness_outputs

    paths = write_fairness_outputs(audit, out_dir, source=scores_path.name)
    counts = audit.data.counts
    click.echo(
        f"{audit.score_kind} score {score_column!r}, flagged at >= {audit.threshold:g}; "
        f"rows used {counts['rows_used']:,} of {counts['rows_read']:,} "
        f"(no score {counts['missing_score']:,}, no outcome {counts['missing_outcome']:,})"
    )
    summary = audit.to_dict()
    for column, groups in summary["by_group"].items():
        click.echo(f"{column}:")
        for value, row in groups.items():
            flag = "  [small]" if row["small"] else ""
            click.echo(
                f"  {value}: n={row['n']:,} FPR {_pct(row['fpr'])} FNR {_pct(row['fnr'])}"
                f" PPV {_pct(row['ppv'])}{flag}"
            )
    if audit.nij is not None:
        click.echo(f"NIJ fairness-penalised score: {audit.nij['score']:.4f}")
    click.echo(f"wrote {paths['json']} and {paths['html']}")
