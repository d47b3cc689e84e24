"""A whole fairness audit of one score: group metrics, disparities, trade-off, NIJ score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError, DataError
from riskmodel._io import to_jsonable
from riskmodel._markdown import markdown_text
from riskmodel.fairness import _messages as const
from riskmodel.fairness._disparities import bootstrap_group_metrics, default_reference, disparities
from riskmodel.fairness._inputs import AuditInput, prepare_input
from riskmodel.fairness._metrics import group_metrics
from riskmodel.fairness._proxies import proxy_table
from riskmodel.fairness._tradeoff import nij_fairness_score, tradeoff

__all__ = ["FairnessAudit", "fairness_audit", "fairness_summary", "summary_markdown"]


@dataclass
class FairnessAudit:
    """The result of :func:`fairness_audit`; :meth:`to_dict` is the ``fairness.json`` content."""

    data: AuditInput
    overall: pd.Series
    by_group: dict[str, pd.DataFrame]
    disparities: dict[str, dict]
    tradeoffs: dict[str, dict]
    nij: dict | None
    proxies: pd.DataFrame | None = None
    settings: dict = field(default_factory=dict)

    @property
    def threshold(self) -> float:
        return self.data.threshold

    @property
    def score_kind(self) -> str:
        return self.data.score_kind

    def small_groups(self, column: str) -> list[str]:
        """Labels of the groups of ``column`` flagged small."""
        frame = self.by_group[column]
        return [str(g) for g in frame.index[frame["small"]]]

    def add_model_proxies(self, model, table) -> pd.DataFrame:
        """Check every feature of ``model`` as a proxy of each group column of ``table``.

        ``table`` is a :class:`riskmodel.features.FeatureTable` of the data the model scores;
        its features are prepared as the model prepares them when scoring, and its group
        columns are those the data carry for fairness reports (never model inputs). The
        rows found (:func:`proxy_table`) are added to :attr:`proxies` and returned.
        """
        found = proxy_table(model.prepare(table.X), table.groups.reset_index(drop=True))
        self.proxies = found if self.proxies is None else pd.concat([self.proxies, found])
        return found

    def to_dict(self) -> dict:
        """JSON-ready summary (undefined numbers are None, never NaN)."""
        by_group = {}
        for column, frame in self.by_group.items():
            cis = self.disparities[column]["group_ci"]
            groups = {}
            for g, row in frame.iterrows():
                entry = {m: row[m] for m in const.GROUP_METRICS}
                entry["n"] = int(row["n"])
                entry["n_positive"] = int(row["n_positive"])
                entry["n_negative"] = int(row["n_negative"])
                entry["small"] = bool(row["small"])
                for m, ci in cis[g].items():
                    entry[f"{m}_ci"] = ci
                groups[str(g)] = entry
            by_group[column] = groups
        overall = {m: self.overall[m] for m in const.GROUP_METRICS}
        overall["n"] = int(overall["n"])
        summary = {
            "threshold": self.threshold,
            "score_kind": self.score_kind,
            "score_column": self.data.score_column,
            "outcome_column": self.data.outcome_column,
            "group_columns": list(self.by_group),
            "rows": dict(self.data.counts),
            "overall": overall,
            "by_group": by_group,
            "small_group_rule": {
                "min_n": const.SMALL_GROUP_N,
                "min_reoffended_and_not": const.SMALL_GROUP_CLASS,
            },
            "small_groups": {c: self.small_groups(c) for c in self.by_group},
            "disparities": {
                c: {k: v for k, v in d.items() if k != "group_ci"}
                for c, d in self.disparities.items()
            },
            "tradeoff": self.tradeoffs,
            "nij": self.nij,
            "proxies": (None if self.proxies is None else self.proxies.to_dict(orient="records")),
            "settings": self.settings,
        }
        return to_jsonable(summary)


def _parse_pairs(references: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (references or {}).items()}


def fairness_audit(
    frame: pd.DataFrame,
    *,
    score_column: str,
    outcome_column: str,
    group_columns: Sequence[str],
    threshold: float | None = None,
    score_kind: str | None = None,
    references: Mapping[str, str] | None = None,
    nij_groups: tuple[str, str, str] | None = None,
    proxy_columns: Sequence[str] = (),
    n_resamples: int = const.DEFAULT_N_RESAMPLES,
    seed: int = const.DEFAULT_SEED,
    confidence: float = const.DEFAULT_CONFIDENCE,
    rate_tolerance: float = const.DEFAULT_RATE_TOLERANCE,
    oe_tolerance: float = const.DEFAULT_OE_TOLERANCE,
) -> FairnessAudit:
    """Audit a score for fairness between the groups of one or more group columns.

    Parameters
    ----------
    frame : DataFrame
        One row per person with the score, the outcome and the group columns.
    score_column, outcome_column : str
        The score (probability or ordinal) and the 0/1 outcome.
    group_columns : sequence of str
        Each is analysed on its own (not crossed). Missing values form a ``"(missing)"`` group.
    threshold : float, optional
        ``score >= threshold`` counts as flagged; 0.5 by default for a probability, required
        for an ordinal score.
    score_kind : {"probability", "ordinal"}, optional
        Defaults to probability when every score lies in [0, 1].
    references : mapping, optional
        ``{group_column: reference_value}``; the default reference is the largest group.
    nij_groups : (column, a, b), optional
        Two groups for the NIJ fairness-penalised score (probability scores only).
    proxy_columns : sequence of str
        Feature columns of ``frame`` to check as proxies of each group column
        (:func:`riskmodel.fairness.proxy_table`, on the rows used).
    n_resamples, seed, confidence : int, int, float
        The stratified (by group) percentile bootstrap of the intervals.
    rate_tolerance, oe_tolerance : float
        What counts as "equal" in the trade-off paragraph.

    Returns
    -------
    FairnessAudit

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"p": rng.uniform(size=200), "sex": rng.choice(["f", "m"], 200)})
    >>> frame["y"] = (rng.uniform(size=200) < frame["p"]).astype(int)
    >>> audit = fairness_audit(frame, score_column="p", outcome_column="y",
    ...                        group_columns=["sex"], n_resamples=50)
    >>> sorted(audit.to_dict()["by_group"]["sex"])
    ['f', 'm']
    """
    data = prepare_input(
        frame,
        score_column=score_column,
        outcome_column=outcome_column,
        group_columns=group_columns,
        threshold=threshold,
        score_kind=score_kind,
    )
    references = _parse_pairs(references)
    for column in references:
        if column not in data.groups.columns:
            raise ConfigError(
                const.REFERENCE_UNKNOWN_COLUMN.format(
                    column=column, available=", ".join(data.groups.columns)
                )
            )
    metrics = [
        m
        for m in const.DISPARITY_METRICS
        if data.score_kind == const.PROBABILITY or m not in const.PROBABILITY_ONLY
    ]
    overall = None
    by_group, disp, trade = {}, {}, {}
    for i, column in enumerate(data.groups.columns):
        labels = data.groups[column].rename(column)
        table, overall = _group_table(data, column)
        reference = references.get(column)
        if reference is None:
            reference = default_reference(table)
        elif reference not in table.index:
            raise ConfigError(
                const.REFERENCE_UNKNOWN_VALUE.format(
                    value=reference, column=column, available=", ".join(table.index)
                )
            )
        replicates = bootstrap_group_metrics(
            y_true=data.y_true,
            y_score=data.y_score,
            groups=labels,
            threshold=data.threshold,
            metrics=metrics,
            n_resamples=n_resamples,
            seed=seed + i,
        )
        by_group[column] = table
        disp[column] = disparities(
            table, replicates, metrics=metrics, reference=reference, confidence=confidence
        )
        trade[column] = tradeoff(
            table,
            column=column,
            score_kind=data.score_kind,
            threshold=data.threshold,
            rate_tolerance=rate_tolerance,
            oe_tolerance=oe_tolerance,
        )
    proxies = None
    if proxy_columns:
        proxies = _proxies(frame, data, proxy_columns)
    nij = None
    if nij_groups is not None:
        nij = _nij(data, by_group, nij_groups)
    assert overall is not None
    settings = {
        "bootstrap": {
            "n_resamples": n_resamples,
            "seed": seed,
            "confidence": confidence,
            "stratified_by": "group",
            "method": "percentile",
        },
        "rate_tolerance": rate_tolerance,
        "oe_tolerance": oe_tolerance,
        "references": {c: d["reference"] for c, d in disp.items()},
    }
    return FairnessAudit(
        data=data,
        overall=overall,
        by_group=by_group,
        disparities=disp,
        tradeoffs=trade,
        nij=nij,
        proxies=proxies,
        settings=settings,
    )


def _proxies(frame: pd.DataFrame, data: AuditInput, columns: Sequence[str]) -> pd.DataFrame:
    columns = list(dict.fromkeys(columns))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            const.UNKNOWN_COLUMN.format(
                column=missing[0], role="proxy", available=", ".join(map(str, frame.columns))
            )
        )
    X = frame.loc[data.kept, columns].reset_index(drop=True)
    return proxy_table(X, data.groups)


def _nij(data: AuditInput, by_group: dict, nij_groups: tuple[str, str, str]) -> dict:
    column, a, b = nij_groups
    if data.score_kind != const.PROBABILITY:
        raise ConfigError(const.NIJ_NEEDS_PROBABILITY)
    if column not in by_group:
        raise ConfigError(
            const.REFERENCE_UNKNOWN_COLUMN.format(
                column=column, available=", ".join(data.groups.columns)
            ).replace("--reference", "--nij-groups")
        )
    for value in (a, b):
        if value not in by_group[column].index:
            raise ConfigError(
                const.NIJ_UNKNOWN_VALUE.format(
                    value=value, column=column, available=", ".join(by_group[column].index)
                )
            )
    return nij_fairness_score(
        y_true=data.y_true,
        y_prob=data.y_score,
        groups=data.groups[column],
        column=column,
        group_a=a,
        group_b=b,
    )


def _group_table(data: AuditInput, column: str) -> tuple[pd.DataFrame, pd.Series]:
    """:func:`group_metrics` of the groups of ``column``, and overall."""
    return group_metrics(
        y_true=data.y_true,
        y_score=data.y_score,
        groups=data.groups[column].rename(column),
        threshold=data.threshold,
        score_kind=data.score_kind,
    )


#: The group metrics of a summary: all but the Brier score.
_SUMMARY_METRICS = tuple(m for m in const.GROUP_METRICS if m != "brier")


def fairness_summary(
    *,
    y_true,
    y_score,
    groups: pd.DataFrame | Mapping[str, Sequence],
    threshold: float | None = None,
    score_kind: str | None = None,
) -> dict:
    """A short fairness summary for a model card or training report (no bootstrap: fast).

    Parameters
    ----------
    y_true : array-like of {0, 1}
        The outcomes of the people. Rows with a missing score or outcome are counted and
        left out.
    y_score : array-like
        Their scores (e.g. calibrated probabilities on the test split).
    groups : DataFrame or mapping
        One column per group variable (sex, age band, cohort, ethnicity ...), aligned with
        ``y_true``.
    threshold : float, optional
        0.5 by default for a probability; required for an ordinal score.
    score_kind : {"probability", "ordinal"}, optional

    Returns
    -------
    dict
        ``threshold``, ``score_kind``, ``rows``, ``by_group`` ({column: {value: {n,
        base_rate, mean_score, selection_rate, fpr, fnr, ppv, auc, observed_expected,
        small}}}), ``max_min`` ({column: {metric: spread over groups not flagged small}}) and
        ``tradeoff`` ({column: paragraph}). JSON-ready (None for undefined numbers).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> p = rng.uniform(size=300)
    >>> y = (rng.uniform(size=300) < p).astype(int)
    >>> out = fairness_summary(y_true=y, y_score=p,
    ...                        groups={"sex": rng.choice(["female", "male"], 300)})
    >>> sorted(out["by_group"]["sex"]), out["threshold"]
    (['female', 'male'], 0.5)
    >>> print(summary_markdown(out).splitlines()[0])
    Fairness at threshold 0.5 (flagged: score >= 0.5).
    """
    frame = pd.DataFrame(
        {name: np.asarray(values, dtype=object) for name, values in dict(groups).items()}
    )
    columns = list(frame.columns)
    frame["__score__"] = np.asarray(y_score, dtype=float)
    frame["__outcome__"] = np.asarray(y_true, dtype=float)
    data = prepare_input(
        frame,
        score_column="__score__",
        outcome_column="__outcome__",
        group_columns=columns,
        threshold=threshold,
        score_kind=score_kind,
    )
    by_group, spreads, paragraphs = {}, {}, {}
    for column in columns:
        table, _ = _group_table(data, column)
        by_group[column] = {
            str(g): {**{m: row[m] for m in _SUMMARY_METRICS}, "small": bool(row["small"])}
            for g, row in table.iterrows()
        }
        large = table[~table["small"]]
        compared = large if len(large) >= 2 else table
        spreads[column] = {
            m: (compared[m].max() - compared[m].min())
            for m in ("base_rate", "selection_rate", "fpr", "fnr", "ppv", "observed_expected")
        }
        paragraphs[column] = tradeoff(
            table, column=column, score_kind=data.score_kind, threshold=data.threshold
        )["paragraph"]
    return to_jsonable(
        {
            "threshold": data.threshold,
            "score_kind": data.score_kind,
            "rows": data.counts,
            "by_group": by_group,
            "max_min": spreads,
            "tradeoff": paragraphs,
        }
    )


def _cell(value, pct: bool) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}%" if pct else f"{value:.2f}"


def summary_markdown(summary: dict) -> str:
    """Markdown tables of a :func:`fairness_summary`, for ``MODEL_CARD.md``.

    Group names and values are written as plain text (HTML and Markdown characters escaped).
    """
    t = summary["threshold"]
    lines = [f"Fairness at threshold {t:g} (flagged: score >= {t:g}).", ""]
    columns = ["n", "base_rate", "selection_rate", "fpr", "fnr", "ppv", "auc"]
    if summary["score_kind"] == const.PROBABILITY:
        columns.append("observed_expected")
    header = ["group", *(const.METRIC_LABELS[m] for m in columns)]
    for column, groups in summary["by_group"].items():
        lines += [
            f"**{markdown_text(column)}**",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        for g, row in groups.items():
            cells = [f"{markdown_text(g)}{' (small)' if row['small'] else ''}", f"{row['n']:,}"]
            cells += [
                _cell(row[m], pct=m not in {"auc", "observed_expected"}) for m in columns[1:]
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", markdown_text(summary["tradeoff"][column]), ""]
    return "\n".join(lines).rstrip() + "\n"
