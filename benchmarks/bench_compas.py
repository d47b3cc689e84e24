"""Accuracy and speed of the model families.

1. COMPAS (ProPublica's filters, DOMAIN.md): out-of-fold AUC and Brier of every family on 5
   stratified folds (shuffle, seed 0), the same folds as DOMAIN.md's baselines.
2. Synthetic population: train the default model on one seed of N people, evaluate on
   another seed of N people against the oracle Brier score of ``true_probability_2y``; and
   the time to train the default model on 2N people.

Writes ``results/compas.json``. Usage: ``python benchmarks/bench_compas.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_gib, write_result

ROOT = Path(__file__).resolve().parents[1]
COMPAS = ROOT.parent / "shared" / "data" / "compas" / "compas-scores-two-years.csv"


def compas(folds: int, families: list[str]) -> dict:
    from sklearn.model_selection import StratifiedKFold

    from riskmodel.config import load_config
    from riskmodel.evaluation import auc, brier, expected_calibration_error
    from riskmodel.flat_table import load_flat_table
    from riskmodel.models import RiskModel

    config = load_config(ROOT / "training" / "compas.toml")
    table = load_flat_table(COMPAS, config.table)
    y = table.label.to_numpy().astype(int)
    out: dict = {"n": len(y), "base_rate": float(y.mean()), "folds": folds, "seed": 0}
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(table.X, y))
    for family in families:
        start = time.perf_counter()
        oof = np.empty(len(y))
        chosen = []
        for train, test in splits:
            model = RiskModel(
                family=family,
                numeric=list(config.table.numeric),
                categorical=list(config.table.categorical),
            ).fit(table.X.iloc[train], y[train])
            oof[test] = model.predict_proba(table.X.iloc[test])[:, 1]
            chosen.append(model.family_)
        out[family] = {
            "auc": auc(y, oof),
            "brier": brier(y, oof),
            "ece": expected_calibration_error(y, oof),
            "families_fitted": chosen,
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(family, out[family], file=sys.stderr)
    return out


def synthetic(n_people: int) -> dict:
    from riskmodel.cli import main
    from riskmodel.evaluation import auc, brier, expected_calibration_error
    from riskmodel.models import RiskModel
    from riskmodel.models._inputs import feature_lists, labelled_arrays, load_inputs

    with tempfile.TemporaryDirectory() as tmp:
        for seed, name in ((1, "a"), (2, "b"), (3, "big")):
            size = 2 * n_people if name == "big" else n_people
            code = main(
                ["synth", "--n-people", str(size), "--seed", str(seed), "--out", f"{tmp}/{name}"]
            )
            if code != 0:
                raise SystemExit(code)
        a = load_inputs(table_path=None, data_dir=f"{tmp}/a", config_path=None)
        b = load_inputs(table_path=None, data_dir=f"{tmp}/b", config_path=None)
        big = load_inputs(table_path=None, data_dir=f"{tmp}/big", config_path=None)
        truth = pd.read_csv(f"{tmp}/b/truth.csv", dtype={"person_id": str})
        truth = truth.set_index("person_id")["true_probability_2y"]
    ta, ya, _ = labelled_arrays(a)
    tb, yb, _ = labelled_arrays(b)
    numeric, categorical = feature_lists(a)
    oracle = truth.reindex(tb.ids.astype(str)).to_numpy()
    model = RiskModel(numeric=numeric, categorical=categorical).fit(ta.X, ya)
    p = model.predict_proba(tb.X)[:, 1]
    tbig, ybig, _ = labelled_arrays(big)
    start = time.perf_counter()
    RiskModel(numeric=numeric, categorical=categorical).fit(tbig.X, ybig)
    seconds = time.perf_counter() - start
    return {
        "n_people_each": n_people,
        "n_train_labelled": len(ya),
        "n_test_labelled": len(yb),
        "family_fitted": model.family_,
        "auc": auc(yb, p),
        "brier": brier(yb, p),
        "oracle_brier": brier(yb, oracle),
        "brier_over_oracle": brier(yb, p) / brier(yb, oracle),
        "ece": expected_calibration_error(yb, p),
        "train_seconds_people": 2 * n_people,
        "train_seconds": round(seconds, 1),
        "train_labelled_rows": len(ybig),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    data: dict = {}
    if COMPAS.exists():
        families = ["default"] if args.quick else ["default", "logistic", "gbm"]
        data["compas"] = compas(2 if args.quick else 5, families)
    data["synthetic"] = synthetic(2_000 if args.quick else 50_000)
    data["peak_rss_gib"] = round(peak_rss_gib(), 2)
    write_result("compas", data, quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
