"""``riskmodel fairness``: a fairness report for any risk score, ours or another tool's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from riskmodel._errors import ConfigError
from riskmodel._horizon import find_probability_column
from riskmodel._tables import read_scores
from riskmodel.cli import _options as option
from riskmodel.fairness import _messages as const
from riskmodel.fairness import fairness_audit, read_threshold


def _references(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    """``--reference GROUP_COLUMN=VALUE`` (repeatable) as ``{column: value}``."""
    references = {}
    for text in values:
        column, sep, value = text.partition("=")
        if not sep or not column or not value:
            raise ConfigError(const.BAD_REFERENCE_SYNTAX.format(text=text))
        references[column] = value
    return references


def _nij(ctx: click.Context, param: click.Parameter, text: str | None) -> tuple | None:
    """``--nij-groups GROUP_COLUMN=A,B`` as ``(column, a, b)``."""
    if text is None:
        return None
    column, sep, values = text.partition("=")
    parts = values.split(",")
    if not sep or not column or len(parts) != 2 or not all(parts):
        raise ConfigError(const.BAD_NIJ_SYNTAX.format(text=text))
    return column, parts[0], parts[1]


def _in_words(
    scores: Any, model_dir: Path, config_path: Path | None, settings: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """Group columns with ``[labels]`` in the bundle's config (or ``--config``) as their words,
    and ``--reference`` / ``--nij-groups`` values given as codes as the same words."""
    from riskmodel.bundle import input_spec, read_manifest
    from riskmodel.explain import code_words, codes_in_words

    labels = input_spec(read_manifest(model_dir), config_path).config.labels
    references = settings.get("references") or {}
    settings = {
        **settings,
        "references": {c: code_words(c, v, labels) for c, v in references.items()},
    }
    if settings.get("nij_groups"):
        column, a, b = settings["nij_groups"]
        settings["nij_groups"] = (
            column,
            code_words(column, a, labels),
            code_words(column, b, labels),
        )
    return codes_in_words(scores, labels), settings


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


@click.command("fairness")
@option.scores("Scores with outcomes and group columns (CSV or Parquet).",
               score_column=option.FIND_PROBABILITY,
               score_help="Column holding the score")  # fmt: skip
@option.outcome_column("Column holding the 0/1 outcome.", required=True)
@option.group_columns("A group column (repeat for several; each is analysed on its own).",
                      required=True)  # fmt: skip
@click.option(
    "--threshold",
    "threshold_text",
    default=None,
    metavar="T|threshold.json",
    help="Flagged means score >= threshold: a number, or the threshold.json written by "
    "riskmodel threshold, to audit at the allocation's own threshold (default 0.5 for "
    "probabilities; required for ordinal scores).",
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
    callback=_references,
    help="Reference group of a column for differences and ratios (default: the largest).",
)
@click.option(
    "--nij-groups",
    default=None,
    metavar="GROUP_COLUMN=A,B",
    callback=_nij,
    help="Two groups for the NIJ fairness-penalised score (probability scores only).",
)
@click.option(
    "--proxy-column",
    "proxy_columns",
    multiple=True,
    help="A feature column of the scores file to check as a proxy of each group column "
    "(repeat for several): how well it alone predicts the group (AUC, mutual information).",
)
@option.n_resamples(const.DEFAULT_N_RESAMPLES)
@option.seed("the bootstrap", default=const.DEFAULT_SEED)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0, max=1),
    default=const.DEFAULT_RATE_TOLERANCE,
    show_default=True,
    help="A criterion holds when the interval of every difference in rates lies within this "
    "absolute gap.",
)
@option.model(
    required=False,
    help="With --data or --table: check every feature of this model bundle as a proxy of "
    "each of the data's group columns (ethnicity, sex, age band, cohort ...).",
)
@option.inputs(bundle=True, with_extract_date=False)
@option.out_dir("fairness.json", "report.html")
@option.force
def command(
    scores_path: Path,
    score_column: str | None,
    outcome_column: str,
    group_columns: tuple[str, ...],
    model_dir: Path | None,
    source: dict[str, Any],
    out_dir: Path,
    tolerance: float,
    force: bool,
    threshold_text: str | None,
    **settings: Any,
) -> None:
    """Fairness report for a risk score: how it treats each group.

    For every group column: per group n, reoffending rate, mean score, share flagged, false
    positive and false negative rates, positive predictive value, AUC, and for probabilities
    the Brier score and observed/expected; differences and ratios against a reference group
    with bootstrap 95% intervals; reliability curves by group; and for each fairness
    criterion a verdict from the intervals (holds, does not hold, cannot tell, undefined)
    with the sentence that gives its figures, and which criteria cannot hold together. A
    person is flagged when score >= threshold; --threshold also takes the threshold.json of
    riskmodel threshold, so the audit is at the allocation's threshold. Rows with no score or
    no outcome are counted and left out. Small groups are flagged, never hidden. With --model and
    --data or --table, every feature of the model is also checked as a proxy of each group
    column of those data.

    \b
    Example (at the threshold an allocation used):
      riskmodel fairness --scores audit.csv --score-column probability_2y \\
        --outcome-column reoffended_2y --group-column sex --group-column ethnicity \\
        --threshold out/iom/threshold.json --out out/fairness

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
    threshold, threshold_source = (None, None)
    if threshold_text is not None:
        threshold, threshold_source = read_threshold(threshold_text)
    option.protect_outputs(
        {"--out": out_dir},
        source=source,
        files=(scores_path, *([Path(threshold_text)] if threshold_source else [])),
        dirs=(model_dir,),
        kind="fairness",
        force=force,
    )
    if (model_dir is None) != (source["data_dir"] is None and source["table_path"] is None):
        raise ConfigError(const.MODEL_PROXIES_NEED_BOTH)
    scores = read_scores(scores_path)
    if score_column is None:
        score_column = find_probability_column(scores.columns, scores_path.name)
    if model_dir is not None:  # group codes read as the words of the bundle's [labels]
        scores, settings = _in_words(scores, model_dir, source["config_path"], settings)
    audit = fairness_audit(
        scores,
        score_column=score_column,
        outcome_column=outcome_column,
        group_columns=list(group_columns),
        rate_tolerance=tolerance,
        threshold=threshold,
        threshold_source=threshold_source,
        **settings,
    )
    if model_dir is not None:
        from riskmodel.training import bundle_data

        data = bundle_data(model_dir, labels=False, **source)
        audit.add_model_proxies(data.bundle.model, data.table)
    from riskmodel.reports._fairness_report import write_fairness_outputs

    paths = write_fairness_outputs(audit, out_dir, source=str(scores_path))
    counts = audit.data.counts
    click.echo(
        f"{audit.score_kind} score {score_column!r}, flagged at >= {audit.threshold:g}; "
        f"rows used {counts['rows_used']:,} of {counts['rows_read']:,} "
        f"(no score {counts['missing_score']:,}, no outcome {counts['missing_outcome']:,})"
    )
    if threshold_source:
        click.echo(f"threshold: {threshold_source}")
    for column, groups in audit.to_dict()["by_group"].items():
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
