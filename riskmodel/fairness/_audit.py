"""A whole fairness audit of one score: group metrics, disparities, verdicts, NIJ score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from riskmodel._errors import ConfigError, DataError
from riskmodel._io import to_jsonable
from riskmodel.fairness import _messages as const
from riskmodel.fairness._disparities import bootstrap_group_metrics, default_reference, disparities
from riskmodel.fairness._inputs import AuditInput, prepare_input
from riskmodel.fairness._metrics import group_metrics
from riskmodel.fairness._proxies import proxy_table
from riskmodel.fairness._reads import model_reads
from riskmodel.fairness._tradeoff import nij_fairness_score
from riskmodel.fairness._verdicts import VerdictRule, fairness_verdicts

__all__ = ["FairnessAudit", "fairness_audit"]


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
    #: The features of the model that made the score, when known (``--model``).
    model_features: list[str] | None = None

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
        self.model_features = [str(f) for f in model.feature_names_in_]
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
            "model_features": self.model_features,
            "model_reads": (
                None
                if self.model_features is None
                else model_reads(self.model_features, list(self.by_group))
            ),
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
    threshold_source: str | None = None,
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
    threshold_source : str, optional
        Where the threshold came from, in words (e.g. the allocation's ``threshold.json``:
        :func:`riskmodel.fairness.read_threshold`); stated in the report.
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
        What counts as "equal": the tolerances of the verdicts
        (:class:`riskmodel.fairness.VerdictRule`; its minimums are the package's).

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
    rule = VerdictRule(
        rate_tolerance=rate_tolerance, oe_tolerance=oe_tolerance, confidence=confidence
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
        trade[column] = fairness_verdicts(
            table,
            disp[column],
            column=column,
            score_kind=data.score_kind,
            threshold=data.threshold,
            rule=rule,
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
        "verdict_rule": rule.to_dict(),
        "threshold_source": threshold_source,
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
