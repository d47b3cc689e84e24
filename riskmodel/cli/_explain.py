"""``riskmodel explain``: exact additive explanations of the calibrated score, and a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import numpy as np

from riskmodel._errors import ConfigError, DataError

#: Messages the tests match.
NOT_A_MODEL = "{path} does not hold a riskmodel model (found {kind})"
UNKNOWN_IDS = "--ids names {count} people not in the data: {ids}"
EMPTY_IDS = "--ids names nobody; give comma-separated person ids, e.g. --ids A123,B456"
DEFAULT_SAMPLE_NOTE = (
    "Pages are shown for {k} of the {n} people explained, chosen at random (seed {seed}) to "
    "illustrate the report; they are records about real people, so the report never includes "
    "the whole caseload by default. Use --ids to choose people, or --sample to change how many."
)
IDS_NOTE = "Pages are shown for the {k} people asked for with --ids."
NO_PAGES_NOTE = "No person pages were asked for (--sample 0)."


def load_model(model_dir: Path) -> tuple[Any, dict[str, Any]]:
    """The fitted model of a bundle directory and its manifest (the bundle loader verifies
    the sha256 of ``model.joblib`` before unpickling)."""
    from riskmodel.bundle import load_bundle

    bundle = load_bundle(model_dir)
    if not hasattr(bundle.model, "estimator_"):
        raise DataError(NOT_A_MODEL.format(path=model_dir, kind=type(bundle.model).__name__))
    return bundle.model, dict(bundle.manifest)


def choose_people(ids: Any, wanted: str | None, sample: int, seed: int) -> tuple[list[int], str]:
    """Rows that get a person page, and the note saying how they were chosen."""
    ids = [str(i) for i in ids]
    if wanted is not None:
        asked = [w.strip() for w in wanted.split(",") if w.strip()]
        if not asked:
            raise ConfigError(EMPTY_IDS)
        position = {person: row for row, person in enumerate(ids)}
        missing = [a for a in asked if a not in position]
        if missing:
            shown = ", ".join(missing[:10]) + (", ..." if len(missing) > 10 else "")
            raise DataError(UNKNOWN_IDS.format(count=len(missing), ids=shown))
        rows = list(dict.fromkeys(position[a] for a in asked))
        return rows, IDS_NOTE.format(k=len(rows))
    if sample <= 0:
        return [], NO_PAGES_NOTE
    k = min(sample, len(ids))
    rows = sorted(np.random.default_rng(seed).choice(len(ids), k, replace=False).tolist())
    return rows, DEFAULT_SAMPLE_NOTE.format(k=k, n=len(ids), seed=seed)


@click.command("explain")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Model bundle directory (model.joblib, manifest.json).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory with people.*, offences.*, needs.* (the event tables).",
)
@click.option(
    "--table",
    "table_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Flat person-level table (CSV or Parquet) described by --config's [table].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="TOML config; required with --table (its [table] names the columns).",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for explanations.json and report.html.",
)
@click.option(
    "--ids",
    default=None,
    help="Comma-separated person ids that get a page in the report (default: a small sample).",
)
@click.option(
    "--sample",
    default=5,
    show_default=True,
    type=click.IntRange(min=0, max=200),
    help="Without --ids: how many people, chosen at random, get a page (0: none).",
)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of that sample.")
def command(
    model_dir: Path,
    data_dir: Path | None,
    table_path: Path | None,
    config_path: Path | None,
    out_dir: Path,
    ids: str | None,
    sample: int,
    seed: int,
) -> None:
    """Explain the calibrated score of every person: base value + one contribution per feature.

    Features are built by the same code as riskmodel score, so the probability explained is
    the probability scored. For sigmoid calibration the explanation is exact:
    base_value + sum(contributions) == logit(probability_2y) for every person (checked; the
    command stops rather than report anything else). Isotonic calibration gives approximate
    explanations, flagged as such.

    explanations.json covers everyone in the input. report.html shows which features matter
    overall and a page for each person asked for with --ids; without --ids, a page for a
    small random sample (--sample, default 5), because person pages are records about real
    people and the whole caseload should never be printed by accident.

    \b
    Examples:
      riskmodel explain --model models/default --data data/synthetic --out out/explain
      riskmodel explain --model models/compas --table compas-scores-two-years.csv \\
          --config training/compas.toml --ids 1,3 --out out/compas-explain
    """
    from riskmodel._io import write_json, write_text
    from riskmodel.explain import explain
    from riskmodel.reports._explain_report import explain_report_html
    from riskmodel.training._inputs import inputs_for_bundle

    model, manifest = load_model(model_dir)
    inputs = inputs_for_bundle(
        manifest, table_path=table_path, data_dir=data_dir, config_path=config_path, labels=False
    )
    table = inputs.table
    explanation = explain(model, table.X, ids=table.ids)
    rows, note = choose_people(explanation.ids, ids, sample, seed)
    payload = explanation.to_dict()
    payload["outcome"] = inputs.outcome
    payload["model_id"] = manifest.get("model_id")
    write_json(payload, out_dir / "explanations.json")
    summary = inputs.summary or {}
    # Columns carried only for fairness reports (flat tables): named as "not in the model".
    groups = list(inputs.config.table.groups) if inputs.config.table is not None else []
    html = explain_report_html(
        explanation,
        person_rows=rows,
        selection_note=note,
        manifest=manifest,
        model=model,
        source=str(inputs.source),
        outcome=inputs.outcome,
        group_columns=groups,
        n_rejected=int(summary.get("people_rejected", 0) or 0),
    )
    write_text(html, out_dir / "report.html")
    kind = "exact" if explanation.exact else "APPROXIMATE (isotonic calibration)"
    click.echo(
        f"explained {len(explanation):,} people ({kind}; largest additivity gap "
        f"{explanation.max_additivity_error:.1e} log-odds); person pages: {len(rows)}"
    )
    if summary.get("people_rejected"):
        click.echo(f"people left out by validation: {summary['people_rejected']:,}")
    click.echo(f"wrote {out_dir / 'explanations.json'} and {out_dir / 'report.html'}")
