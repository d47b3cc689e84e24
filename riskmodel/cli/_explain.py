"""``riskmodel explain``: exact additive explanations of the calibrated score, and a report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from riskmodel.cli import _options as option
from riskmodel.cli._progress import write_json_and_report


@click.command("explain")
@option.model()
@option.inputs(bundle=True, with_extract_date=False)
@option.out_dir("explanations.json", "report.html")
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
@option.seed("that sample")
@option.force
def command(
    model_dir: Path,
    source: dict[str, Any],
    out_dir: Path,
    ids: str | None,
    sample: int,
    seed: int,
    force: bool,
) -> None:
    """Explain the calibrated score of every person: base value + one contribution per concept.

    Features are built by the same code as riskmodel score, so the probability explained is
    the probability scored. For sigmoid calibration the explanation is exact:
    base_value + sum(contributions) == logit(probability_2y) for every person (the
    probability is named after the model's horizon: probability_1y for 12 months; checked,
    the command stops rather than report anything else). Isotonic calibration gives approximate
    explanations, flagged as such.

    A concept is a group of features whose contributions are summed, so it adds up exactly
    too: for event data the concept catalogue (age, criminal record, recent offending, each
    need area, ...); for a flat table the config's [explain.groups], each feature outside a
    group being its own concept, with codes read as the words of its [labels]. Reasons state
    where a person stands among the people the model was trained on (or, for a bundle that
    does not store them, among the people explained).

    explanations.json covers everyone in the input, per feature (contributions) and per
    concept (concepts). report.html ranks the concepts (factors) that matter overall, under
    the names its reasons use (the features one by one below them, for researchers), and
    has a page for each person asked for with --ids; without --ids, a page for a
    small random sample (--sample, default 5), because person pages are records about real
    people and the whole caseload should never be printed by accident.

    \b
    Examples:
      riskmodel explain --model models/default --data data/synthetic --out out/explain
      riskmodel explain --model models/compas --table compas-scores-two-years.csv \\
          --config training/compas.toml --ids 1,3 --out out/compas-explain
    """
    option.protect_outputs(
        {"--out": out_dir}, source=source, dirs=(model_dir,), kind="explain", force=force
    )
    from riskmodel._horizon import bundle_horizon
    from riskmodel.explain._people import choose_people, explain_people, load_model
    from riskmodel.reports._explain_report import explain_report_html
    from riskmodel.training import inputs_for_bundle
    from riskmodel.training._train import summary_groups

    model, manifest = load_model(model_dir)
    inputs = inputs_for_bundle(manifest, labels=False, **source)
    table = inputs.table
    config = inputs.config
    explanation = explain_people(model, manifest, table, config)
    rows, note = choose_people(explanation.ids, ids, sample, seed)
    payload = explanation.to_dict(horizon_months=bundle_horizon(manifest)[0])
    payload["outcome"] = inputs.outcome
    payload["model_id"] = manifest.get("model_id")
    summary = inputs.summary or {}
    # The characteristics the data carry (as the fairness summary compares them): the report
    # says which of them the model reads.
    groups = [str(c) for c in summary_groups(table).columns]
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
    wrote = write_json_and_report(out_dir, "explanations.json", payload, html)
    kind = "exact" if explanation.exact else "APPROXIMATE (isotonic calibration)"
    click.echo(
        f"explained {len(explanation):,} people ({kind}; largest additivity gap "
        f"{explanation.max_additivity_error:.1e} log-odds); person pages: {len(rows)}"
    )
    if summary.get("people_rejected"):
        click.echo(f"people left out by validation: {summary['people_rejected']:,}")
    click.echo(wrote)
