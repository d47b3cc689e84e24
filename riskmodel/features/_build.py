"""Build the FeatureTable from the validated event tables: one code path for training and
scoring (scoring is training minus the label)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError
from riskmodel._horizon import DEFAULT_HORIZON_MONTHS, DEFAULT_PROOF_MONTHS, outcome_column
from riskmodel._tables import INDEX_ID
from riskmodel.contract._ages import age_band, cohort
from riskmodel.contract._vocabulary import NEED_AREAS
from riskmodel.features._catalogue import FEATURES
from riskmodel.features._common import offence_codes, parse_extract_date, require_columns
from riskmodel.features._labels import CENSORED, LABELLED, labels_with_codes
from riskmodel.features._messages import BAD_LOOKBACK
from riskmodel.features._needs import needs_features
from riskmodel.features._offence_history import OFFENCE_COLUMNS, offence_history, people_dates
from riskmodel.features._table import GROUP_COLUMNS, FeatureTable

_EMPTY_OFFENCES = ("person_id", "offence_date", "sanction_date", "offence_group")
#: Temporary column of :func:`_by_index_event`.
_KEY = "__riskmodel_index_event__"


def _unpack(data: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, Any]:
    if isinstance(data, Mapping):
        get = data.get
    else:

        def get(key: str, default: Any = None) -> Any:
            return getattr(data, key, default)

    people = get("people")
    if people is None:
        raise TypeError("expected validated tables with a 'people' table")
    offences = get("offences")
    if offences is None:
        offences = pd.DataFrame({c: pd.Series([], dtype="object") for c in _EMPTY_OFFENCES})
    return people, offences, get("needs"), get("extract_date")


def _by_index_event(
    people: pd.DataFrame, offences: pd.DataFrame, needs: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """The tables keyed by index event: each person's offences and assessments repeated for
    every index event of theirs, with ``index_id`` standing in for ``person_id``, so that the
    builders (one row per key) give each event its own point-in-time features and label."""
    key = people[INDEX_ID].astype("str").to_numpy()
    pairs = pd.DataFrame({"person_id": people["person_id"].astype("str").to_numpy(), _KEY: key})

    def repeat(events: pd.DataFrame) -> pd.DataFrame:
        events = events.assign(person_id=events["person_id"].astype("str"))
        merged = events.merge(pairs, on="person_id", how="inner", sort=False)
        return merged.assign(person_id=merged.pop(_KEY))

    people = people.assign(person_id=key)
    return people, repeat(offences), None if needs is None else repeat(needs)


def build_feature_table(
    data_or_tables: Any,
    *,
    extract_date: object = None,
    labels: bool = False,
    needs_lookback_months: int | None = 12,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    proof_months: int = DEFAULT_PROOF_MONTHS,
) -> FeatureTable:
    """Point-in-time features (and optionally labels) of every person.

    Features use only what was known on each person's index date: offences with
    ``sanction_date <= index_date`` and assessments with ``assessment_date <= index_date``
    (DATA_CONTRACT.md, "Point in time"). The same function builds training and scoring
    tables; ``labels=True`` only adds ``label`` and ``label_status``.

    Parameters
    ----------
    data_or_tables : ValidatedTables or mapping
        The output of :func:`riskmodel.contract.validate_tables`, or any object or mapping
        with ``people``, ``offences`` and optionally ``needs`` and ``extract_date``, in the
        validated (typed) form.
    extract_date : str or Timestamp, optional
        Overrides the data's own extract date; needed only with ``labels=True``.
    labels : bool
        Add proven reoffending labels at the horizon (:func:`build_labels`).
    needs_lookback_months : int or None
        Only assessments within this many calendar months before the index date are used
        (default 12; None for no limit).
    horizon_months, proof_months : int
        The label's follow-up and the further months for proof (default 24 and 6); the
        label column is named after the horizon (``reoffended_2y`` for 24 months).

    Returns
    -------
    FeatureTable
        ``X`` with the catalogue's columns (:data:`riskmodel.features.FEATURES`), one row per
        person in the order of ``people``. When ``people`` has an ``index_id`` column (several
        index events per person), one row per index event, each with its own point-in-time
        features and label; ``index_ids`` and ``persons`` are then set.

    Raises
    ------
    ConfigError
        ``labels=True`` without an extract date, or a bad look-back.
    DataError
        A required column is missing, or people repeat.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["a"], "date_of_birth": ["1991-07-17"],
    ...     "sex": ["male"], "index_date": ["2021-08-05"], "index_offence": ["fraud_forgery"]})
    >>> offences = pd.DataFrame({"person_id": ["a"], "offence_date": ["2012-09-01"],
    ...     "sanction_date": ["2012-10-01"], "offence_group": ["theft"]})
    >>> table = build_feature_table({"people": people, "offences": offences})
    >>> table.X.loc[0, ["sanction_occasions", "age_at_first_sanction"]].tolist()
    [2.0, 21.0]
    """
    people, offences, needs, data_extract = _unpack(data_or_tables)
    if needs_lookback_months is not None and (
        isinstance(needs_lookback_months, bool)
        or int(needs_lookback_months) != needs_lookback_months
        or needs_lookback_months <= 0
    ):
        raise ConfigError(BAD_LOOKBACK.format(value=needs_lookback_months))
    extract = extract_date if extract_date is not None else data_extract
    extract_stamp = parse_extract_date(extract) if (labels or extract is not None) else None

    people = people.reset_index(drop=True)
    person_ids = index_ids = None
    n_offences = len(offences)
    if INDEX_ID in people.columns:
        person_ids = people["person_id"].astype("str").rename("person_id")
        index_ids = people[INDEX_ID].astype("str").rename(INDEX_ID)
        people, offences, needs = _by_index_event(people, offences, needs)
    dates = people_dates(people)
    require_columns(offences, OFFENCE_COLUMNS, "offences")
    codes = offence_codes(people, offences)
    history, history_meta = offence_history(people, offences, dates, codes)
    need, needs_meta = needs_features(
        people,
        needs,
        dates["index"],
        None if needs_lookback_months is None else int(needs_lookback_months),
    )
    X = pd.concat([history, need], axis=1)[[f.name for f in FEATURES]]

    ids = (person_ids if person_ids is not None else people["person_id"].astype("str")).rename(
        "person_id"
    )
    age = pd.Series(X["age_at_index"].to_numpy())
    ethnicity = (
        people["ethnicity"].astype("str")
        if "ethnicity" in people.columns
        else pd.Series(np.full(len(people), np.nan), dtype="str")
    )
    groups = pd.DataFrame(
        {
            "ethnicity": ethnicity,
            "sex": X["sex"],
            "age_band": age_band(age).astype("str"),
            "cohort": cohort(X["sex"], age).astype("str"),
            "index_disposal": X["index_disposal"],
            "index_offence": X["index_offence"],
        }
    )[list(GROUP_COLUMNS)]

    meta: dict[str, Any] = {
        "n_people": len(people),
        "n_offences": n_offences,
        **history_meta,
        "needs_lookback_months": needs_lookback_months,
        "n_assessments": 0 if needs is None else len(needs),
        **needs_meta,
        "need_areas": list(NEED_AREAS),
        "extract_date": None if extract_stamp is None else extract_stamp.date().isoformat(),
    }
    label = status = None
    if labels:
        built = labels_with_codes(
            people,
            offences,
            extract_stamp,
            codes,
            horizon_months=horizon_months,
            proof_months=proof_months,
        )
        name = outcome_column(horizon_months)
        label = built[name].rename(name)
        meta["horizon_months"] = int(horizon_months)
        meta["proof_months"] = int(proof_months)
        status = built["label_status"].rename("label_status")
        labelled = status == LABELLED
        meta["labelled"] = int(labelled.sum())
        meta["censored"] = int((status == CENSORED).sum())
        meta["reoffended"] = int((label[labelled] == 1).sum())
        meta["base_rate"] = float(label[labelled].mean()) if labelled.any() else None
    if index_ids is not None:
        meta["n_persons"] = int(ids.nunique())
    return FeatureTable(
        X=X,
        label=label,
        label_status=status,
        groups=groups,
        ids=ids,
        meta=meta,
        index_ids=index_ids,
        persons=ids if index_ids is not None else None,
    )
