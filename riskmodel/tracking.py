"""MLflow tracking of training and cross-validation runs, and the pyfunc model that serves
probabilities.

The tracking URI is ``MLFLOW_TRACKING_URI`` when set, else a SQLite file ``mlruns.db`` in the
working directory (artifacts beside it in ``mlartifacts/``). ``--register NAME`` registers the
logged model and points the alias ``champion`` at the new version (aliases, not the deprecated
stages). The input example logged with a model is synthetic, never a real person's record.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._horizon import bundle_horizon, probability_column

__all__ = [
    "DEFAULT_ALIAS",
    "DEFAULT_TRACKING_URI",
    "EXPERIMENT",
    "NOT_NUMERIC",
    "ProbabilityModel",
    "as_model_input",
    "log_crossval_run",
    "log_training_run",
    "model_signature",
    "synthetic_input_example",
    "tracking_uri",
]

DEFAULT_TRACKING_URI = "sqlite:///mlruns.db"
EXPERIMENT = "riskmodel"
DEFAULT_ALIAS = "champion"
#: Column the pyfunc model of a two-year model returns (another horizon names its own:
#: :func:`riskmodel._horizon.probability_column`).
PROBABILITY_COLUMN = probability_column(24)
#: A numeric feature given to the served model that does not hold numbers.
NOT_NUMERIC = "column {column!r} must hold numbers (it is a numeric feature of the model)"


def tracking_uri() -> str:
    """``MLFLOW_TRACKING_URI`` or the default local SQLite file."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI


@contextmanager
def _quiet() -> Iterator[None]:
    """MLflow and its dependencies emit deprecation and future warnings on import and use;
    they are not ours to fix and must not fail a run."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
with _quiet():
    import mlflow
    import mlflow.pyfunc


def _mlflow() -> Any:
    return mlflow


with _quiet():  # MLflow warns at subclassing about optional type hints

    class ProbabilityModel(mlflow.pyfunc.PythonModel):
        """Pyfunc wrapper of a bundle: ``predict`` returns the calibrated probability (column
        ``probability_2y``, or that of the bundle's horizon: ``probability_1y`` for 12
        months), not a label. The bundle directory is the logged artifact and is loaded by
        :func:`riskmodel.bundle.load_bundle`, with its integrity check."""

        def load_context(self, context: Any) -> None:
            from riskmodel.bundle import load_bundle

            bundle = load_bundle(context.artifacts["bundle"])
            self.model = bundle.model
            self.column = probability_column(bundle_horizon(bundle.manifest)[0])

        def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> Any:
            p = self.model.predict_proba(as_model_input(self.model, model_input))[:, 1]
            return pd.DataFrame({getattr(self, "column", PROBABILITY_COLUMN): p})


def as_model_input(model: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the model's numeric features as float64 (integer columns, as read from
    a CSV, included).

    Raises
    ------
    ValueError
        A numeric feature holding text that is not a number (:data:`NOT_NUMERIC`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> frame = pd.DataFrame({"age": [30, 41], "sex": ["f", "m"]})
    >>> as_model_input(SimpleNamespace(numeric_=["age"]), frame).dtypes.astype(str).tolist()
    ['float64', 'str']
    """
    frame = pd.DataFrame(frame).copy()
    for column in getattr(model, "numeric_", []):
        if column not in frame.columns:
            continue
        try:
            frame[column] = pd.to_numeric(frame[column], errors="raise").astype("float64")
        except (TypeError, ValueError):
            raise ValueError(NOT_NUMERIC.format(column=column)) from None
    return frame


def model_signature(model: Any, example: pd.DataFrame, output: pd.DataFrame) -> Any:
    """The logged model's signature: inferred from the synthetic example, except that the
    numeric features accept any numbers (MLflow refuses int64 for a float64 column, and a
    CSV read by pandas gives int64 for a column of whole numbers); ``predict`` casts them to
    float."""
    from mlflow.models import ModelSignature, infer_signature
    from mlflow.types.schema import AnyType, ColSpec, Schema

    inferred = infer_signature(example, output)
    numeric = set(model.numeric_)
    columns = [
        ColSpec(AnyType(), spec.name, required=spec.required) if spec.name in numeric else spec
        for spec in inferred.inputs.inputs
    ]
    return ModelSignature(inputs=Schema(columns), outputs=inferred.outputs)


def synthetic_input_example(model: Any, n: int = 3) -> pd.DataFrame:
    """A made-up input frame with the model's feature columns: numeric features as floats
    (0, 1, 2, ...; MLflow signatures break on integer columns with missing values), categorical
    features cycling through levels the model knows. Nobody's record.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskmodel.models import RiskModel
    >>> X = pd.DataFrame({"age": np.arange(40.0), "sex": ["a", "b"] * 20})
    >>> model = RiskModel(family="logistic").fit(X, np.arange(40) % 2)
    >>> synthetic_input_example(model).dtypes.astype(str).tolist()
    ['float64', 'object']
    """
    frame: dict[str, Any] = {}
    for column in model.numeric_:
        frame[column] = np.arange(n, dtype=float)
    preprocess = model.members()[0][2].named_steps["preprocess"]
    for column in model.categorical_:
        levels: list[str] = []
        block = preprocess.named_transformers_.get(column)
        if block is not None and hasattr(block, "steps"):
            encoder = block.steps[-1][1]
            levels = [str(v) for v in encoder.categories_[0]]
        levels = levels or ["missing"]
        frame[column] = pd.Series([levels[i % len(levels)] for i in range(n)], dtype="object")
    return pd.DataFrame(frame)


def _experiment(mlflow: Any) -> str:
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    existing = mlflow.get_experiment_by_name(EXPERIMENT)
    if existing is not None:
        return existing.experiment_id
    location = None
    if uri.startswith("sqlite:///"):
        db = Path(uri.removeprefix("sqlite:///"))
        location = (db.resolve().parent / "mlartifacts").as_uri()
    return mlflow.create_experiment(EXPERIMENT, artifact_location=location)


def _flat_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out = {}
    for key, value in metrics.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            if np.isfinite(value):
                out[f"{prefix}{key}"] = float(value)
        elif key.endswith("_ci") and isinstance(value, list) and len(value) == 2:
            for side, v in zip(("low", "high"), value, strict=True):
                if v is not None and np.isfinite(v):
                    out[f"{prefix}{key}_{side}"] = float(v)
    return out


def _requirements() -> list[str]:
    from importlib import metadata

    names = ("scikit-learn", "pandas", "numpy", "scipy", "skops", "riskmodel")
    return [f"{name}=={metadata.version(name)}" for name in names]


def log_training_run(
    bundle_dir: str | os.PathLike,
    manifest: dict[str, Any],
    result: Any,
    inputs: Any,
    *,
    register: str | None = None,
    alias: str = DEFAULT_ALIAS,
) -> str:
    """Log a training run: params, held-out metrics, the bundle's reports as artifacts, and
    the model as a pyfunc serving probabilities with a signature and a synthetic input
    example; optionally register it and set ``alias``. Returns the run id."""
    mlflow = _mlflow()
    bundle_dir = Path(bundle_dir)
    model = result.model
    with _quiet():
        experiment_id = _experiment(mlflow)
        with mlflow.start_run(experiment_id=experiment_id, run_name=manifest["model_id"]) as run:
            mlflow.log_params(
                {
                    "family": model.family,
                    "family_fitted": model.family_,
                    "calibration": model.calibration,
                    "seed": model.seed,
                    "n_features": len(model.feature_names_in_),
                    "split": result.split["method"],
                    "n_train": result.split["n_train"],
                    "n_test": result.split["n_test"],
                    "source": inputs.kind,
                    "outcome": inputs.outcome[:250],
                    "follow_up_months": inputs.follow_up_months,
                    "horizon_months": inputs.horizon_months,
                    "proof_months": inputs.proof_months,
                    **{f"param_{k}": v for k, v in model.params_.items()},
                }
            )
            mlflow.log_metrics(_flat_metrics(result.metrics, "test_"))
            mlflow.set_tags({"model_id": manifest["model_id"], "sha256": manifest["model_sha256"]})
            for name in ("manifest.json", "MODEL_CARD.md", "metrics.json", "report.html"):
                if (bundle_dir / name).exists():
                    mlflow.log_artifact(str(bundle_dir / name), artifact_path="bundle")
            example = synthetic_input_example(model)
            column = probability_column(inputs.horizon_months)
            output = pd.DataFrame({column: model.predict_proba(example)[:, 1]})
            signature = model_signature(model, example, output)
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=ProbabilityModel(),
                artifacts={"bundle": str(bundle_dir)},
                signature=signature,
                input_example=example,
                pip_requirements=_requirements(),
            )
        if register:
            version = mlflow.register_model(info.model_uri, register)
            client = mlflow.MlflowClient()
            client.set_registered_model_alias(register, alias, version.version)
    return run.info.run_id


def log_crossval_run(out_dir: str | os.PathLike, payload: dict[str, Any]) -> str:
    """Log a cross-validation run: folds, seed, every model's out-of-fold metrics and the
    report. Returns the run id."""
    mlflow = _mlflow()
    out_dir = Path(out_dir)
    with _quiet():
        experiment_id = _experiment(mlflow)
        with mlflow.start_run(experiment_id=experiment_id, run_name="crossval") as run:
            mlflow.log_params(
                {
                    "kind": "crossval",
                    "configured": payload["configured"],
                    "folds": payload.get("folds"),
                    "seed": payload.get("seed"),
                    "families_fitted_by_fold": ",".join(
                        payload.get("families_fitted_by_fold", [])
                    ),
                }
            )
            for name, metrics in payload["models"].items():
                mlflow.log_metrics(_flat_metrics(metrics, f"{name}_"))
            for name in ("metrics.json", "report.html"):
                if (out_dir / name).exists():
                    mlflow.log_artifact(str(out_dir / name))
    return run.info.run_id
