"""``RESULTS.md`` from the benchmarks' JSON files: accuracy tables, one speed-and-memory table,
the "done means" checks and the machine. Every figure comes from the JSON files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

#: Display order of model kinds in the accuracy tables.
KIND_ORDER: tuple[str, ...] = ("ours", "peer", "baseline", "oracle")
#: Dataset headings of the accuracy tables.
DATASET_TITLES: dict[str, str] = {
    "compas": "COMPAS (ProPublica, Broward County)",
    "synthetic": "Synthetic population",
    "synthetic_1y": "Synthetic population, one-year horizon (12-month labels)",
}
#: How the oracle check names a dataset.
ORACLE_TITLES: dict[str, str] = {"synthetic": "Synthetic", "synthetic_1y": "Synthetic, one year"}
DASH = "—"


# -- formatting -------------------------------------------------------------------------------
def fmt_number(value: float | None, digits: int) -> str:
    """``value`` with ``digits`` decimals, or a dash when missing.

    Examples
    --------
    >>> fmt_number(0.74712, 3), fmt_number(None, 3)
    ('0.747', '—')
    """
    return DASH if value is None else f"{value:.{digits}f}"


def fmt_interval(value: float | None, interval: Iterable[float | None] | None, digits: int) -> str:
    """An estimate with its 95% interval, e.g. ``0.747 (0.735–0.759)``.

    Examples
    --------
    >>> fmt_interval(0.7471, [0.7352, 0.7589], 3)
    '0.747 (0.735–0.759)'
    >>> fmt_interval(0.0007, [-0.0026, 0.0036], 4)
    '0.0007 (−0.0026 to 0.0036)'
    """
    if value is None:
        return DASH
    low, high = list(interval) if interval is not None else (None, None)
    if low is None or high is None:
        return fmt_number(value, digits)
    sep = " to " if low < 0 else "–"
    return f"{_signed(value, digits)} ({_signed(low, digits)}{sep}{_signed(high, digits)})"


def _signed(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace("-", "−")


def fmt_seconds(value: float | None) -> str:
    """Seconds, to a tenth below 100 s and whole above.

    Examples
    --------
    >>> fmt_seconds(3.14159), fmt_seconds(310.5)
    ('3.1 s', '310 s')
    """
    if value is None:
        return DASH
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


def fmt_ratio(value: float | None) -> str:
    """A ratio such as ``8.71×``."""
    return DASH if value is None else f"{value:.3g}×"


def fmt_gib(value: float | None) -> str:
    """Memory in GiB."""
    return DASH if value is None else f"{value:.2f} GiB"


def fmt_met(met: bool | None, *, quick: bool = False) -> str:
    """``yes`` / ``no``, or why there is no verdict."""
    if quick:
        return "— (quick run)"
    if met is None:
        return "no target"
    return "yes" if met else "**no**"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A markdown table.

    Examples
    --------
    >>> table(["a", "b"], [["1", "2"]])
    ['| a | b |', '|---|---|', '| 1 | 2 |']
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


# -- accuracy ---------------------------------------------------------------------------------
def ordered_models(models: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Our models first, then the open peers, the baselines and the oracle (each in the
    JSON's order)."""
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return sorted(models.items(), key=lambda item: rank.get(item[1].get("kind"), len(rank)))


def accuracy_row(name: str, model: dict[str, Any], *, with_oracle: bool) -> list[str]:
    """One model's cells: AUC, Brier, ECE with intervals, Brier against the default (and the
    oracle), fitting time."""
    label = model.get("label", name)
    if name == "default" and model.get("family_fitted"):
        label += f" (chose {model['family_fitted']})"
    elif name == "default" and model.get("families_fitted"):
        counts = Counter(model["families_fitted"]).most_common()
        label += " (chose " + ", ".join(f"{family} {n}×" for family, n in counts) + ")"
    versus = model.get("brier_vs_default")
    cells = [
        f"**{label}**" if name == "default" else label,
        fmt_interval(model.get("auc"), model.get("auc_ci"), 3),
        fmt_interval(model.get("brier"), model.get("brier_ci"), 4),
        fmt_interval(model.get("ece"), model.get("ece_ci"), 3),
        DASH if versus is None else fmt_interval(versus["difference"], versus["difference_ci"], 4),
    ]
    if with_oracle:
        oracle = model.get("brier_vs_oracle")
        cells.append(
            "1" if model.get("kind") == "oracle" else
            DASH if oracle is None else fmt_interval(oracle["ratio"], oracle["ratio_ci"], 3)
        )  # fmt: skip
    cells.append(fmt_seconds(model.get("fit_seconds")))
    return cells


def accuracy_table(dataset: dict[str, Any]) -> list[str]:
    """The accuracy table of one dataset: one row per model."""
    models = dataset["models"]
    with_oracle = any(m.get("kind") == "oracle" for m in models.values())
    header = ["model", "AUC", "Brier", "ECE", "Brier − default's"]
    header += ["Brier / oracle's"] if with_oracle else []
    header += ["fit time"]
    rows = [accuracy_row(n, m, with_oracle=with_oracle) for n, m in ordered_models(models)]
    return table(header, rows)


def dataset_summary(dataset: dict[str, Any]) -> str:
    """One sentence: design, people and base rate, and whether the folds were checked."""
    design = dataset["design"]
    text = f"{design[:1].upper()}{design[1:]}: {dataset['n']:,} people evaluated"
    text += f", {dataset['base_rate']:.1%} reoffended"
    if "n_train" in dataset:
        text += f" (trained on {dataset['n_train']:,}; {dataset['n_features']} features)"
    if "same_folds_as_crossval" in dataset:
        same = "yes" if dataset["same_folds_as_crossval"] else "**no**"
        text += f"; folds identical to `riskmodel crossval`'s: {same}"
    return text + "."


def peers_sentence(dataset: dict[str, Any]) -> str | None:
    """Which open peers ran and how they were calibrated, or why none did (None when the JSON
    predates the peers).

    Examples
    --------
    >>> peers_sentence({"peers": {"skipped": "not requested (--no-peers)", "models": []}})
    'Open peers (EBM, LightGBM) skipped: not requested (--no-peers).'
    """
    peers = dataset.get("peers")
    if peers is None:
        return None
    if peers.get("skipped"):
        return f"Open peers (EBM, LightGBM) skipped: {peers['skipped']}."
    versions = ", ".join(f"{k} {v}" for k, v in peers.get("versions", {}).items())
    text = f"Open peers ({versions})" if versions else "Open peers"
    return f"{text} calibrated by {peers['calibration']}."


def chosen_params_sentence(name: str, model: dict[str, Any]) -> str | None:
    """The grid points a tuned peer chose (one per fit), or None.

    Examples
    --------
    >>> chosen_params_sentence("lightgbm", {"label": "LightGBM",
    ...     "params_chosen": [{"num_leaves": 7, "learning_rate": 0.03}] * 2})
    'LightGBM chose num_leaves 7, learning_rate 0.03 (2 of 2 fits).'
    """
    chosen = [point for point in model.get("params_chosen", []) if point is not None]
    if not chosen:
        return None
    counts = Counter(", ".join(f"{k} {v}" for k, v in point.items()) for point in chosen)
    points = "; ".join(f"{point} ({n} of {len(chosen)} fits)" for point, n in counts.items())
    return f"{model.get('label', name)} chose {points}."


def model_notes(datasets: dict[str, dict[str, Any]]) -> list[str]:
    """What each model row is, from the JSON's descriptions."""
    merged: dict[str, dict[str, Any]] = {}
    for dataset in datasets.values():
        for name, model in dataset["models"].items():
            merged.setdefault(name, model)
    return [
        f"- {model.get('label', name)}: {model['description']}."
        for name, model in ordered_models(merged)
        if "description" in model
    ]


def _verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def _title(name: str) -> str:
    return DATASET_TITLES.get(name, name).split(" (")[0]


def _against_best(
    what: str,
    check: dict[str, Any],
    labels: dict[str, str],
    *,
    rival: str,
    gap: str,
    gap_words: str | None = None,
) -> str:
    """``what``'s verdict with the default's Brier score, the best ``rival``'s (``baseline``
    or ``peer``: the check's ``best_<rival>`` and ``best_<rival>_brier``) and the check's
    ``gap`` with its interval, said as ``gap_words`` (default: the key itself)."""
    best = labels.get(check[f"best_{rival}"], check[f"best_{rival}"])
    return (
        f"{what}: {_verdict(check['met'])}. Default {check['default_brier']:.4f}, best "
        f"{rival} ({best}) {check[f'best_{rival}_brier']:.4f}; {gap_words or gap} "
        f"{fmt_interval(check[gap], check[f'{gap}_ci'], 4)}."
    )


def ahead_line(name: str, check: dict[str, Any], labels: dict[str, str]) -> str:
    """Whether the default's Brier score is below every baseline's on one dataset."""
    what = f"- {_title(name)}: the default's Brier score is below every baseline's"
    if check.get("met") is None:
        return f"{what}: not evaluated (the default was not run)."
    return _against_best(what, check, labels, rival="baseline", gap="difference")


def oracle_line(
    check: dict[str, Any], name: str = "synthetic", whose: str = "the default's"
) -> str:
    """Whether a model's Brier score (``whose``) is within the target of the oracle's on
    dataset ``name``.

    Examples
    --------
    >>> oracle_line({"met": True, "ratio": 1.004, "ratio_ci": [1.001, 1.007], "target": 1.01},
    ...             "synthetic_1y")
    "- Synthetic, one year: the default's Brier score within 1% of the oracle's (ratio ≤ \
1.01): **met**. Ratio 1.0040 (1.0010–1.0070)."
    """
    target = check["target"]
    what = (
        f"- {ORACLE_TITLES.get(name, _title(name))}: {whose} Brier score within "
        f"{target - 1:.0%} of the oracle's (ratio ≤ {target:g})"
    )
    if check.get("met") is None:
        return f"{what}: not evaluated (the default was not run)."
    ratio = fmt_interval(check["ratio"], check["ratio_ci"], 4)
    return f"{what}: {_verdict(check['met'])}. Ratio {ratio}."


def same_rows_line(name: str, dataset: dict[str, Any]) -> str:
    """Whether every model of a dataset was scored on the same number of people."""
    sizes = sorted({m.get("n") for m in dataset["models"].values()})
    counts = ", ".join(f"{s:,}" for s in sizes)
    return (
        f"- {_title(name)}: every model scored on the same rows: "
        f"{_verdict(len(sizes) == 1)} ({counts} people)."
    )


def peer_line(name: str, check: dict[str, Any], labels: dict[str, str]) -> str:
    """Whether the default's Brier score is within the margin of the best open peer's.

    Examples
    --------
    >>> why = "peers skipped: no lightgbm"
    >>> peer_line("compas", {"met": None, "margin": 0.0005, "why_not": why}, {})
    "- COMPAS: the default's Brier score within 0.0005 of the best open peer's: not \
evaluated (peers skipped: no lightgbm)."
    """
    what = (
        f"- {_title(name)}: the default's Brier score within {check['margin']:g} of the best "
        "open peer's"
    )
    if check.get("met") is None:
        return f"{what}: not evaluated ({check.get('why_not', 'not run')})."
    missing = check.get("peers_not_run") or []
    if missing:  # the best of the peers that ran, not of them all
        names = ", ".join(labels.get(m, f"`{m}`") for m in missing)
        what += f" (of those run; not run: {names})"
    return _against_best(
        what, check, labels, rival="peer", gap="gap", gap_words="default minus peer"
    )


def ceiling_line(name: str, check: dict[str, Any]) -> str:
    """Whether the default's Brier score is at most its ceiling on one dataset.

    Examples
    --------
    >>> ceiling_line("synthetic", {"met": True, "default_brier": 0.16441, "reference": 0.1643,
    ...                            "excess": 0.003, "ceiling": 0.1647929})
    "- Synthetic population: the default's Brier score at most 0.3% above 0.1643 (≤ 0.16479): \
**met**. Default 0.1644."
    """
    bound = f"{check['reference']:.4f}"
    if check["excess"]:
        bound = f"{check['excess']:.1%} above {bound} (≤ {check['ceiling']:.5f})"
    what = f"- {_title(name)}: the default's Brier score at most {bound}"
    if check.get("met") is None:
        return f"{what}: not evaluated (the default was not run)."
    return f"{what}: {_verdict(check['met'])}. Default {check['default_brier']:.4f}."


def logistic_line(check: dict[str, Any]) -> str:
    """Whether the default's Brier score is at most plain logistic regression's everywhere.

    Examples
    --------
    >>> logistic_line({"met": True, "datasets": {"compas": {"default_brier": 0.2022,
    ...     "plain_logistic_brier": 0.2084, "difference": 0.0062,
    ...     "difference_ci": [0.0043, 0.0081]}}})
    "- Every dataset: the default's Brier score at most plain logistic regression's: \
**met**. COMPAS: default 0.2022, plain logistic 0.2084, difference 0.0062 (0.0043–0.0081)."
    """
    what = "- Every dataset: the default's Brier score at most plain logistic regression's"
    if check.get("met") is None:
        return f"{what}: not evaluated (no dataset has both)."
    figures = "; ".join(
        f"{_title(name)}: default {d['default_brier']:.4f}, plain logistic "
        f"{d['plain_logistic_brier']:.4f}, difference "
        f"{fmt_interval(d['difference'], d['difference_ci'], 4)}"
        for name, d in check["datasets"].items()
    )
    return f"{what}: {_verdict(check['met'])}. {figures}."


def check_lines(accuracy: dict[str, Any]) -> list[str]:
    """The "done means" checks, one line each."""
    checks = accuracy.get("checks", {})
    labels = _labels(accuracy)
    datasets = accuracy["datasets"]
    lines = [ahead_line(n, checks.get(f"default_ahead_{n}", {}), labels) for n in datasets]
    lines += [
        oracle_line(checks[f"default_near_oracle_{n}"], n)
        for n in datasets
        if f"default_near_oracle_{n}" in checks
    ]
    if "train_near_oracle_synthetic" in checks:
        lines.append(
            oracle_line(
                checks["train_near_oracle_synthetic"],
                "synthetic",
                "the shipped `riskmodel train` model's (refitted on every row)",
            )
        )
    lines += [
        peer_line(n, checks[f"default_near_peers_{n}"], labels)
        for n in datasets
        if f"default_near_peers_{n}" in checks
    ]
    lines += [
        ceiling_line(n, checks[f"default_brier_ceiling_{n}"])
        for n in datasets
        if f"default_brier_ceiling_{n}" in checks
    ]
    if "default_vs_plain_logistic" in checks:
        lines.append(logistic_line(checks["default_vs_plain_logistic"]))
    return lines + [same_rows_line(n, d) for n, d in datasets.items()]


def _labels(accuracy: dict[str, Any]) -> dict[str, str]:
    return {
        name: model.get("label", name)
        for dataset in accuracy["datasets"].values()
        for name, model in dataset["models"].items()
    }


def accuracy_section(accuracy: dict[str, Any]) -> list[str]:
    """Tables per dataset, what the rows are, and the checks."""
    lines = ["## Accuracy", ""]
    lines += [
        "AUC, Brier score and expected calibration error (ECE, 10 equal-frequency bins) with "
        f"95% percentile bootstrap intervals ({_resamples(accuracy)} resamples). *Brier − "
        "default's* is the difference from the default's Brier score (positive: the default "
        "is better) and *Brier / oracle's* the ratio to the oracle's, each with a paired "
        "bootstrap interval (both scores on the same resampled people). ECE is biased upward "
        "in resamples, so its interval can lie above the estimate. Fit time is the time to "
        f"fit the model (in every fold for COMPAS) with {_threads(accuracy)}.",
        "",
    ]
    for name, dataset in accuracy["datasets"].items():
        lines += [f"### {DATASET_TITLES.get(name, name)}", "", dataset_summary(dataset), ""]
        lines += [*accuracy_table(dataset), ""]
        notes = [peers_sentence(dataset)]
        notes += [chosen_params_sentence(n, m) for n, m in dataset["models"].items()]
        if any(notes):
            lines += [" ".join(note for note in notes if note), ""]
    lines += ["Models:", "", *model_notes(accuracy["datasets"]), ""]
    lines += ["### Done means", "", *check_lines(accuracy), ""]
    return lines


def monotone_bound_section(bound: dict[str, Any]) -> list[str]:
    """What the declared directions cost on the synthetic truth (``monotone_bound.json``)."""
    oracle = bound["oracle_brier"]
    monotone = bound["monotone"]
    rows = [["oracle (the truth)", fmt_number(oracle, 5), "1.0000", "0"]]
    for name, words in (
        ("monotone", f"monotone in the catalogue's {monotone['directions']} directions"),
        ("free", "free (no directions)"),
    ):
        fit = bound[name]
        profiles = "with" if fit["profiles"] else "without"
        rows.append(
            [
                f"{words}, {profiles} offending profiles",
                fmt_number(fit["brier"], 5),
                fmt_number(fit["brier_over_oracle"], 4),
                fmt_number(fit["mean_squared_gap_to_truth"], 5),
            ]
        )
    ratio_words = "within" if bound["monotone_within_oracle_ratio"] else "above"
    ceiling_words = "within" if bound["monotone_within_synthetic_ceiling"] else "above"
    return [
        "## What the declared directions cost on the synthetic truth",
        "",
        f"Gradient boosting fitted by least squares to the true two-year probabilities of "
        f"{bound['train_rows']:,} labelled synthetic people (seed {bound['train_seed']}), "
        f"scored on the {bound['test_rows']:,} labelled people of the accuracy benchmark's "
        f"test population (seed {bound['test_seed']}). The target has no label noise: what "
        "separates the monotone fit from the oracle is the directions, the sample size and "
        "the model's capacity and settings.",
        "",
        *table(["fit", "Brier", "× oracle", "mean squared gap to the truth"], rows),
        "",
        f"With the truth itself as its target, the monotone fit reaches "
        f"{monotone['brier_over_oracle']:.4f} × the oracle's Brier score, {ratio_words} the "
        f"{bound['oracle_ratio_target']:g} × target of the oracle check, and "
        f"{monotone['brier']:.5f}, {ceiling_words} the synthetic ceiling of "
        f"{bound['synthetic_ceiling']:.5f}. The directions, which also rule out the "
        f"offending profiles, cost {bound['directions_cost']:.5f} in Brier score against the "
        "free fit.",
        "",
    ]


def _resamples(accuracy: dict[str, Any]) -> str:
    counts = {d.get("n_resamples") for d in accuracy["datasets"].values()}
    return ", ".join(f"{c:,}" for c in sorted(c for c in counts if c is not None)) or DASH


def _threads(accuracy: dict[str, Any]) -> str:
    threads = accuracy.get("threads")
    if threads is None:
        return "the libraries' default threads"
    return f"{threads} native thread{'s' if threads != 1 else ''}"


# -- programme cohorts: coverage of observed/expected --------------------------------------
def cohort_section(cohort: dict[str, Any]) -> list[str]:
    """Coverage of the 95% interval of observed/expected for cohorts with no programme effect,
    today's method (predictions treated as known) against the one with the model's own
    uncertainty, at each training size.

    Examples
    --------
    >>> size = {"n_train": 200, "runs": 400, "models": 400, "cohorts_per_model": 1,
    ...         "coverage_known": 0.87, "coverage_new": 0.95, "coverage_new_se": 0.011,
    ...         "meets_target": True}
    >>> data = {"design": "d", "cohort_size": 100, "target": [0.93, 0.97], "sizes": [size]}
    >>> cohort_section(data)[-2]
    '| 200 | 400 (400 models × 1) | 87.0% | 95.0% (± 1.1%) | yes |'
    """
    low, high = cohort["target"]
    rows = [
        [
            f"{s['n_train']:,}",
            f"{s['runs']:,} ({s['models']:,} models × {s['cohorts_per_model']})",
            f"{s['coverage_known']:.1%}",
            f"{s['coverage_new']:.1%} (± {s['coverage_new_se']:.1%})",
            fmt_met(s.get("meets_target"), quick=cohort.get("quick", False)),
        ]
        for s in cohort["sizes"]
    ]
    header = ["trained on", "runs", "today (predictions known)", "with the model's uncertainty"]
    return [
        "## Programme cohorts: does the interval of observed/expected cover 1?",
        "",
        f"{cohort['design'].capitalize()}. Share of runs whose 95% interval of "
        f"observed/expected covers 1 (cohorts of {cohort['cohort_size']} with no programme "
        f"effect); target {low:.0%}–{high:.0%} with the model's uncertainty (± one standard "
        "error).",
        "",
        *table([*header, f"within {low:.0%}–{high:.0%}"], rows),
        "",
    ]


# -- programme evaluation: coverage of the matched estimate ----------------------------------
def programme_section(programme: dict[str, Any]) -> list[str]:
    """Coverage of the matched comparison's 95% interval of the programme's effect on the
    proven reoffending rate, balance after matching, and the naive comparison's bias beside.

    Examples
    --------
    >>> data = {"design": "d", "runs": 200, "coverage": 0.94, "coverage_se": 0.017,
    ...         "coverage_target": [0.9, 0.98], "balanced_share": 1.0, "balance_target": 0.95,
    ...         "mean_bias": 0.001, "mean_naive_bias": 0.35, "median_width": 0.04,
    ...         "meets_target": True, "by_effect": {}, "hidden_selection": {"runs": 0}}
    >>> programme_section(data)[6]
    '| 200 | 94.0% (± 1.7%) | 100.0% | +0.1 | +35.0 | 4.0 | yes |'
    """
    low, high = programme["coverage_target"]
    design = programme["design"]
    quick = programme.get("quick", False)
    rows = [
        [
            f"{programme['runs']:,}",
            f"{programme['coverage']:.1%} (± {programme['coverage_se']:.1%})",
            f"{programme['balanced_share']:.1%}",
            f"{100 * programme['mean_bias']:+.1f}",
            f"{100 * programme['mean_naive_bias']:+.1f}",
            f"{100 * programme['median_width']:.1f}",
            fmt_met(programme.get("meets_target"), quick=quick),
        ]
    ]
    header = [
        "programmes",
        "coverage of the 95% interval",
        "runs with every SMD within ±0.1",
        "matched bias (points)",
        "naive bias (points)",
        "median interval width (points)",
        "targets met",
    ]
    lines = [
        "## Programme evaluation: does the matched comparison recover a known effect?",
        "",
        f"{design[:1].upper()}{design[1:]}. Targets: coverage {low:.0%}–{high:.0%}, "
        f"balance in at least {programme['balance_target']:.0%} of runs. Bias is the mean of "
        "estimate minus true effect on the proven reoffending rate, in percentage points; "
        "naive: all participants against everyone who did not take part.",
        "",
        *table(header, rows),
        "",
    ]
    for effect, e in programme.get("by_effect", {}).items():
        lines.append(
            f"- effect {effect}: {e['runs']} runs, coverage {e['coverage']:.0%}, true "
            f"difference {100 * e['mean_true_difference']:+.1f} points, matched estimate "
            f"{100 * e['mean_estimate']:+.1f}, naive bias {100 * e['mean_naive_bias']:+.1f}"
        )
    hidden = programme.get("hidden_selection") or {}
    if hidden.get("runs"):
        lines.append(
            f"- selection on the true risk instead ({hidden['runs']} runs; the part the record's "
            f"matching variables miss acts as an unrecorded characteristic): coverage "
            f"{hidden['coverage']:.0%}, matched bias {100 * hidden['mean_bias']:+.1f} points"
        )
    return [*lines, ""]


# -- explanations -----------------------------------------------------------------------------
def needs_line(figure: dict[str, Any], *, quick: bool = False) -> str:
    """Whether anyone is told that a need area scored 2 in their latest assessment lowers
    their risk, with the counts.

    Examples
    --------
    >>> needs_line({"people": 3000, "population": "riskmodel synth --n-people 3000 --seed 2",
    ...     "bundle": "models/default", "family": "ensemble", "people_told_it_lowers": 0,
    ...     "people_with_significant_need": 1200, "needs_told_it_lowers": 0,
    ...     "significant_needs": 3032, "meets_target": True})
    '- Nobody told that a need area scored 2 in their latest assessment lowers their risk: \
**met**. 0 of 1,200 people with such a need (0 of 3,032 needs), among 3,000 people \
(`riskmodel synth --n-people 3000 --seed 2`) explained by `models/default` (ensemble).'
    """
    what = "- Nobody told that a need area scored 2 in their latest assessment lowers their risk"
    verdict = fmt_met(None, quick=True) if quick else _verdict(figure["meets_target"])
    return (
        f"{what}: {verdict}. {figure['people_told_it_lowers']:,} of "
        f"{figure['people_with_significant_need']:,} people with such a need "
        f"({figure['needs_told_it_lowers']:,} of {figure['significant_needs']:,} needs), "
        f"among {figure['people']:,} people (`{figure['population']}`) explained by "
        f"`{figure['bundle']}` ({figure['family']})."
        + (
            f" Any negative contribution at all: {figure['needs_negative']:,} needs of "
            f"{figure['people_negative']:,} people."
            if "needs_negative" in figure
            else ""
        )
    )


def explanations_section(explain: dict[str, Any]) -> list[str]:
    """The explanation checks of ``explain.json`` (none when it predates them)."""
    figure = explain.get("need_contradictions")
    if figure is None:
        return []
    by_area = figure.get("by_area", {})
    areas = ", ".join(
        f"{area.replace('_', ' ')} {a['told_it_lowers']:,} of {a['significant']:,}"
        for area, a in by_area.items()
        if a["significant"]
    )
    lines = [
        "## Explanations",
        "",
        "A need area's contribution is its concept's in the explanation: the sum of its latest "
        "score's, its mean score's and its share of the pathway flags' (the rule of "
        "`riskmodel.features.SHARED_RULE`). Told it lowers: below "
        f"-{explain['need_contradictions'].get('threshold', 0):g} log-odds, where the reason "
        'reads "lowers the risk".',
        "",
        needs_line(figure, quick=explain.get("quick", False)),
    ]
    if areas:
        lines.append(f"- By need area (told it lowers of scored 2): {areas}.")
    return [*lines, ""]


# -- speed and memory -----------------------------------------------------------------------
def speed_features(d: dict[str, Any]) -> list[str]:
    """Features and labels from Parquet, against reading the same files."""
    seconds = d["seconds"]
    targets = d["targets"]
    return [
        f"features and labels from Parquet, validation included: {d['people']:,} people, "
        f"{d['offence_rows']:,} offence rows",
        f"{fmt_seconds(seconds['total'])} ({d['offence_rows_per_second']:,.0f} offence rows/s)",
        f"reading the files (`read_tables`, same process): {fmt_seconds(seconds['read'])}",
        fmt_ratio(seconds["total"] / seconds["read"]),
        fmt_gib(d.get("peak_rss_gib")),
        f"≥ {targets['offence_rows_per_second']:,} offence rows/s, peak < "
        f"{targets['peak_rss_gib']:g} GiB",
        fmt_met(d.get("meets_targets"), quick=d.get("quick", False)),
    ]


def speed_scoring(d: dict[str, Any]) -> list[str]:
    """Batch scoring from Parquet, against ``pandas.read_parquet`` of the same files."""
    large = d.get("large", {})
    targets = d["targets"]
    peak = fmt_gib(d.get("peak_rss_gib"))
    if large:
        peak += f" ({large['people']:,} people: {fmt_gib(large.get('peak_rss_gib'))})"
    workers = d.get("workers", 1)
    ours = fmt_seconds(d["score_seconds"])
    single = d.get("single_process")
    if workers > 1 and single:
        ours += (
            f" (1 process: {fmt_seconds(single['score_seconds'])}, "
            f"{fmt_ratio(single['ratio_to_read_parquet'])})"
        )
    processes = f"{workers} processes (`--workers {workers}`)" if workers > 1 else "1 process"
    return [
        f"batch scoring from Parquet{_bundle_words(d.get('bundle'))}: {d['people']:,} people, "
        f"{d['offence_rows']:,} offence rows, chunks of {d['chunk_size']:,}, {processes}",
        ours,
        f"`pandas.read_parquet` of the same files: {fmt_seconds(d['read_parquet_seconds'])}",
        fmt_ratio(d["ratio_to_read_parquet"]),
        peak,
        f"ratio ≤ {targets['ratio_to_read_parquet']:g}, peak ≤ {targets['peak_rss_gib']:g} "
        f"GiB, peak growth at twice the people ≤ {targets['peak_growth_large_over_small']:g}× "
        f"(measured {_growth(d.get('peak_growth_large_over_small'))})",
        fmt_met(d.get("meets_targets"), quick=d.get("quick", False)),
    ]


def _growth(value: float | None) -> str:
    """A peak-memory growth with the two decimals a 1.1× target needs.

    Examples
    --------
    >>> _growth(1.1035), _growth(None)
    ('1.10×', '—')
    """
    return "—" if value is None else f"{value:.2f}×"


def _bundle_words(bundle: dict[str, Any] | None) -> str:
    """`` with the default bundle (model m, family default, fitted as ensemble)``, or nothing
    when the result does not say which bundle was measured."""
    if not bundle:
        return ""
    fitted = bundle.get("family_fitted")
    family = bundle.get("family")
    said = f"family {family}" + (f", fitted as {fitted}" if fitted and fitted != family else "")
    return f" with the {family} bundle (`{bundle.get('model_id')}`, {said})"


def scoring_details(d: dict[str, Any]) -> list[str]:
    """The scoring benchmark's families side by side, where one chunk's time goes and the
    start-up times (results that have them)."""
    lines: list[str] = []
    families = d.get("families") or {}
    if families:
        rows = [
            [
                name,
                str(f.get("bundle", {}).get("family_fitted") or name),
                fmt_seconds(f.get("score_seconds")),
                fmt_ratio(f.get("ratio_to_read_parquet")),
                fmt_gib(f.get("peak_rss_gib")),
            ]
            for name, f in families.items()
        ]
        lines += [
            f"Scoring {d['people']:,} people with each family ({d.get('workers', 1)} "
            "processes, the same files, the same `read_parquet` time):",
            "",
            *table(["bundle", "fitted family", "scoring", "ratio", "peak memory"], rows),
            "",
        ]
    profile = d.get("profile")
    if profile:
        stages = profile["stage_seconds"]
        lines += [
            f"Where the time of one chunk goes ({profile['chunk_people']:,} people, "
            f"{profile['chunk_offence_rows']:,} offence rows, one process, one native thread;"
            f" the whole chunk scored: {fmt_seconds(profile['score_chunk_seconds'])}):",
            "",
            *table(["stage", "seconds"], [[k, f"{v:.3f}"] for k, v in stages.items()]),
            "",
        ]
    startup = d.get("startup")
    if startup:
        lines += [
            f'Start-up: `python -c "import riskmodel.cli"` '
            f"{fmt_seconds(startup['import_riskmodel_cli_seconds'])}, `riskmodel score "
            f"--help` {fmt_seconds(startup['score_help_seconds'])} (medians of 3).",
            "",
        ]
    return lines


def speed_crossval(d: dict[str, Any]) -> list[str]:
    """``riskmodel crossval`` of the default family against a plain gradient boosting
    crossval on the same folds."""
    return [
        f"`riskmodel crossval` of the {d['family']} family: {d['rows']:,}-row prison-release "
        f"table ({len(d['categorical'])} categorical columns), {d['folds']} folds, "
        f"{d['threads']} native thread (fold loop {fmt_seconds(d['default_fold_loop_seconds'])}"
        f", {fmt_ratio(d['fold_loop_ratio'])})",
        fmt_seconds(d["command_seconds"]),
        f"plain HistGradientBoosting, same folds: {fmt_seconds(d['baseline_seconds'])}",
        fmt_ratio(d["ratio"]),
        fmt_gib(d.get("peak_rss_gib")),
        f"ratio ≤ {d['target_ratio']:g}",
        fmt_met(d.get("meets_target"), quick=d.get("quick", False)),
    ]


def speed_explain(d: dict[str, Any]) -> list[str]:
    """``riskmodel explain`` against ``riskmodel score`` (the slowest family's ratio)."""
    family, worst = max(d["families"].items(), key=lambda item: item[1]["ratio"])
    return [
        f"`riskmodel explain` of {d['n_people']:,} people, {family} bundle (the worse of "
        f"{', '.join(d['families'])}), median of {d['repeats']}",
        fmt_seconds(worst["explain_seconds"]),
        f"`riskmodel score` of the same people: {fmt_seconds(worst['score_seconds'])}",
        fmt_ratio(worst["ratio"]),
        "not measured",
        f"ratio ≤ {d['target_ratio']:g}",
        fmt_met(d.get("meets_target"), quick=d.get("quick", False)),
    ]


def speed_synth(d: dict[str, Any]) -> list[str]:
    """Drawing and writing a synthetic population (no baseline)."""
    return [
        f"`riskmodel synth`: {d['n_people']:,} people ({d['offence_rows']:,} offence rows) "
        f"drawn and written",
        f"{fmt_seconds(d['total_seconds'])} ({d['people_per_second']:,} people/s)",
        "none measured",
        DASH,
        fmt_gib(d.get("peak_rss_gib")),
        f"< {d['target_seconds']:g} s",
        fmt_met(d.get("meets_target"), quick=d.get("quick", False)),
    ]


def speed_demo(d: dict[str, Any]) -> list[str]:
    """``riskmodel demo`` beside a competing CPU-bound process, against the same on a quiet
    machine."""
    return [
        f"`riskmodel demo` beside {d['competing_processes']} competing CPU-bound process "
        f"on {d['cores']} cores (shipped thread defaults)",
        fmt_seconds(d["loaded_seconds"]),
        f"quiet machine {fmt_seconds(d['quiet_seconds'])}",
        fmt_ratio(d["ratio"]),
        DASH,
        f"ratio < {d['target_ratio']:g}, < {d['target_seconds']:g} s",
        fmt_met(d.get("meets_target"), quick=d.get("quick", False)),
    ]


def speed_training(d: dict[str, Any]) -> list[str]:
    """Training the default model, against a plain gradient boosting fit on the same rows."""
    ratio = fmt_ratio(d["ratio"])
    if d.get("cpu_ratio") is not None:
        ratio += f" (CPU time: {fmt_ratio(d['cpu_ratio'])})"
    others = {k: v for k, v in (d.get("families") or {}).items() if k != d.get("family")}
    beside = "".join(
        f"; {name} {fmt_seconds(run['train_seconds'])}" for name, run in others.items()
    )
    how = " through `train_model` (what `riskmodel train` calls)" if d.get("function") else ""
    return [
        f"training the default model{how}: {d['train_seconds_people']:,} synthetic people "
        f"({d['train_labelled_rows']:,} labelled rows; chose {d['family_fitted']}{beside}), "
        f"{_threads(d)}",
        fmt_seconds(d["train_seconds"]),
        f"plain HistGradientBoosting, same rows: {fmt_seconds(d['baseline_seconds'])}",
        ratio,
        fmt_gib(d.get("peak_rss_gib")),
        DASH if d.get("target_seconds") is None else f"< {d['target_seconds']:g} s",
        fmt_met(d.get("meets_target"), quick=d.get("quick", False)),
    ]


def speed_accuracy(d: dict[str, Any]) -> list[str] | None:
    """Fitting the default model in the accuracy benchmark, against the plain baseline."""
    timed = [
        (name, dataset)
        for name, dataset in d["datasets"].items()
        if {"default", "plain_hgb"} <= set(dataset["models"])
    ]
    if not timed:
        return None
    name, dataset = timed[0]
    models = dataset["models"]
    ours, baseline = models["default"]["fit_seconds"], models["plain_hgb"]["fit_seconds"]
    where = (
        f"{dataset['folds']} training folds of COMPAS ({dataset['n']:,} people)"
        if name == "compas"
        else f"{dataset['n_train']:,} synthetic people"
    )
    return [
        f"fitting the default model on {where}, {_threads(d)}",
        fmt_seconds(ours),
        f"plain HistGradientBoosting, same rows: {fmt_seconds(baseline)}",
        fmt_ratio(ours / baseline),
        fmt_gib(d.get("peak_rss_gib")),
        DASH,
        fmt_met(None, quick=d.get("quick", False)),
    ]


#: The speed-and-memory row of each benchmark, in table order.
SPEED_ROWS: dict[str, Callable[[dict[str, Any]], list[str] | None]] = {
    "training": speed_training,
    "accuracy": speed_accuracy,
    "features": speed_features,
    "scoring": speed_scoring,
    "crossval": speed_crossval,
    "explain": speed_explain,
    "synth": speed_synth,
    "demo": speed_demo,
}


def speed_section(results: dict[str, dict[str, Any]]) -> list[str]:
    """One row per benchmark: what is measured, ours, the baseline measured in the same run,
    their ratio, peak memory, the target and whether it is met."""
    rows = []
    for name, render in SPEED_ROWS.items():
        if name in results:
            row = render(results[name])
            if row is not None:
                rows.append([*row, f"`{name}.json`"])
    if not rows:
        return []
    header = ["what is measured", "ours", "baseline", "ratio", "peak memory", "target", "met"]
    return [
        "## Speed and memory",
        "",
        "Each time is a ratio against a baseline measured in the same run, since absolute "
        "times on shared machines drift. Peak memory is the peak resident set of the "
        "measured process.",
        "",
        *table([*header, "source"], rows),
        "",
        *(scoring_details(results["scoring"]) if "scoring" in results else []),
    ]


# -- fairness verdicts ------------------------------------------------------------------------
def _share(check: dict[str, Any], *, quick: bool = False) -> str:
    """A check's share against its target, and whether it is met."""
    return (
        f"{100 * check['share']:.1f}% (target ≤ {100 * check['target']:g}%): "
        f"{fmt_met(check['met'], quick=quick)}"
    )


def fairness_section(d: dict[str, Any]) -> list[str]:
    """How often the fairness verdicts were wrong on simulated datasets with known truth."""
    verdicts = ("holds", "does not hold", "cannot tell", "undefined")
    rows = [
        [name.replace("_", " "), *(f"{100 * s['share']['fpr'][v]:.1f}%" for v in verdicts)]
        for name, s in d["scenarios"].items()
    ]
    checks, quick = d["checks"], d.get("quick", False)
    none = d["scenarios"]["no_difference"]
    return [
        "## Fairness verdicts",
        "",
        f"{none['datasets']:,} simulated datasets per scenario, two groups of "
        f"{d['group_size']:,} people, tolerance ±{100 * d['tolerance']:g} points, "
        f"{d['n_resamples']:,} bootstrap resamples; verdicts on equal false positive rates "
        f"({fmt_seconds(d['seconds'])} in all, {fmt_seconds(d.get('cpu_seconds'))} of CPU).",
        "",
        *table(["true false positive rates", *verdicts], rows),
        "",
        "- No difference: “does not hold” in "
        f"{_share(checks['no_difference_does_not_hold'], quick=quick)}; any of PPV, false "
        "positive and false negative rates: "
        f"{100 * none['share_any_pairwise_does_not_hold']:.1f}%.",
        f"- A 10-point gap: “holds” in {_share(checks['gap_holds'], quick=quick)}.",
        "",
    ]


# -- the whole file -------------------------------------------------------------------------
def machine_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    """The machine(s) the results came from, and when each benchmark finished."""
    machines: dict[str, list[str]] = {}
    for name, data in sorted(results.items()):
        machine = data.get("machine", {})
        text = ", ".join(f"{key} {value}" for key, value in machine.items()) or "unknown"
        finished = data.get("finished_utc")
        machines.setdefault(text, []).append(f"{name} ({finished})" if finished else name)
    lines = ["## Machine", ""]
    for text, names in machines.items():
        lines.append(f"- {text}: {', '.join(names)}")
    return [*lines, ""]


def render_markdown(
    results: dict[str, dict[str, Any]], *, command: str, source: str = "benchmarks/results"
) -> str:
    """``RESULTS.md`` from the benchmarks' results (``{name: json}``), accuracy first.

    ``command`` is what generated the results and ``source`` the folder of their JSON files
    (both named in the file's first line).
    """
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `{command}` from `{source}/*.json` (the source of truth); "
        "do not edit by hand.",
        "",
    ]
    if any(data.get("quick") for data in results.values()):
        lines += ["**Quick (smoke-test) sizes: these figures say nothing about accuracy or "
                  "speed.**", ""]  # fmt: skip
    if "accuracy" in results:
        lines += accuracy_section(results["accuracy"])
    if "monotone_bound" in results:
        lines += monotone_bound_section(results["monotone_bound"])
    if "cohort" in results:
        lines += cohort_section(results["cohort"])
    if "programme" in results:
        lines += programme_section(results["programme"])
    if "explain" in results:
        lines += explanations_section(results["explain"])
    lines += speed_section(results)
    if "fairness" in results:
        lines += fairness_section(results["fairness"])
    shown = {"fairness", "cohort", "programme", "monotone_bound"}
    others = sorted(set(results) - set(SPEED_ROWS) - shown)
    if others:
        lines += ["Other results: " + ", ".join(f"`{n}.json`" for n in others), ""]
    lines += machine_lines(results)
    return "\n".join(lines)
