"""Model bundles: ``model.skops``, ``manifest.json`` and ``MODEL_CARD.md`` in one directory.

The fitted model is persisted with :mod:`skops.io`, not pickle: loading rebuilds objects only
from the types in :data:`TRUSTED_TYPES` (an allowlist written here, never read from the file)
and the types skops trusts by default (numpy, scikit-learn and Python builtins), so a bundle
cannot run code of its sender's choosing; a file naming any other type is refused with a
message naming it.

Integrity: the manifest records the SHA-256 of ``model.skops`` and of its own content
(``manifest_sha256``, over every other manifest field: the feature spec, the needs look-back,
the recorded ``[table]`` config and query, which change scores). Loading checks both before
reading the model and refuses a bundle that does not match. This catches corruption and
careless edits; it is not a signature (anyone can recompute a hash), which is why the format
itself must not run code.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import tempfile
import threading
import warnings
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from riskmodel._errors import DataError
from riskmodel._io import to_jsonable
from riskmodel._manifest_types import manifest_problem
from riskmodel.config import Config, load_config, parse_config

__all__ = [
    "BUNDLE_MODIFIED",
    "BUNDLE_UNLOADABLE",
    "DEFAULT_NEEDS_LOOKBACK_MONTHS",
    "LEGACY_BUNDLE",
    "MANIFEST_FIELD_TYPE",
    "MANIFEST_MODIFIED",
    "NOT_A_BUNDLE",
    "NOT_A_MODEL",
    "TRACKED_LIBRARIES",
    "TRUSTED_TYPES",
    "UNTRUSTED_TYPES",
    "Bundle",
    "BundleVersionWarning",
    "InputSpec",
    "file_sha256",
    "input_spec",
    "library_versions",
    "load_bundle",
    "manifest_sha256",
    "recorded_config",
    "save_bundle",
]

MODEL_FILE = "model.skops"
#: The pickle file of bundles written by earlier versions (refused: a pickle runs code).
LEGACY_MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
CARD_FILE = "MODEL_CARD.md"
#: Libraries whose versions a bundle records and checks when loaded.
TRACKED_LIBRARIES: tuple[str, ...] = (
    "riskmodel",
    "scikit-learn",
    "numpy",
    "pandas",
    "scipy",
    "skops",
)

#: Types a model may contain beyond what skops trusts by default: this package's estimators
#: and the scikit-learn and scipy internals they hold. Nothing else is ever loaded.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "riskmodel.models._ensemble.LogOddsEnsemble",
        "riskmodel.models._model.BaseRateModel",
        "riskmodel.models._model.RiskModel",
        "riskmodel.models._monotone.MonotoneBasis",
        "riskmodel.models._monotone.MonotoneLogisticRegression",
        "riskmodel.models._monotone.MonotonePipeline",
        "riskmodel.models._preprocess.CategoryCleaner",
        "riskmodel.models._preprocess.ColumnSplines",
        "riskmodel.models._preprocess.MeanImputer",
        "riskmodel.models._preprocess.SplineBasis",
        "riskmodel.models._profiles.LatentProfiles",
        "scipy._lib.array_api_compat.numpy._aliases.asarray",
        "scipy.interpolate._bsplines.BSpline",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.model_selection._split.StratifiedKFold",
    }
)

NOT_A_BUNDLE = "{path} is not a model bundle: {reason}"
BUNDLE_MODIFIED = (
    "model bundle {path} was modified: the sha256 of model.skops is {actual}, the manifest "
    "records {expected}; refusing to load it (rebuild the bundle with `make model` or "
    "`riskmodel train`)"
)
MANIFEST_MODIFIED = (
    "model bundle {path} was modified: manifest.json does not match the sha256 it records "
    "(its fields change how data are read and scored); refusing to load it (rebuild the "
    "bundle with `make model` or `riskmodel train`)"
)
MANIFEST_FIELD_TYPE = (
    "model bundle {path} has a manifest field of the wrong type: {field} must be {expected}, "
    "found {found}; refusing to load it (rebuild the bundle with `make model` or "
    "`riskmodel train`)"
)
UNTRUSTED_TYPES = (
    "model bundle {path} contains types this package never loads: {types}; refusing to load "
    "it (a bundle holds only riskmodel estimators; rebuild it with `riskmodel train`)"
)
LEGACY_BUNDLE = (
    "model bundle {path} holds a pickle (model.joblib), which can run code when loaded; this "
    "version reads only model.skops bundles: rebuild it with `make model` or `riskmodel train`"
)
NOT_A_MODEL = "model bundle {path} does not hold a riskmodel model (found {kind})"
BUNDLE_UNLOADABLE = (
    "model bundle {path} cannot be loaded with this installation ({reason}); it was built with "
    "{built}; rebuild it with `make model` (or `riskmodel train`) or install those versions"
)
VERSION_MISMATCH = (
    "model bundle {path} was built with {library} {built}; this installation has {installed}"
)


class BundleVersionWarning(UserWarning):
    """A bundle built with a different library version than the one installed."""


def library_versions() -> dict[str, str]:
    """Installed versions of :data:`TRACKED_LIBRARIES` and of Python."""
    out = {"python": platform.python_version()}
    for name in TRACKED_LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover - always installed
            out[name] = "unknown"
    return out


def file_sha256(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f"
    >>> _ = p.write_bytes(b"abc")
    >>> file_sha256(p)[:12]
    'ba7816bf8f01'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Bundle:
    """A loaded bundle: the fitted, calibrated model and its manifest."""

    model: Any
    manifest: dict[str, Any]
    path: Path

    @property
    def model_id(self) -> str:
        return str(self.manifest["model_id"])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _model_id(family: str, created: dt.datetime, sha: str) -> str:
    return f"{family}-{created.strftime('%Y%m%dT%H%M%SZ')}-{sha[:8]}"


def save_bundle(
    out_dir: str | os.PathLike,
    model: Any,
    *,
    manifest: dict[str, Any],
    card: str | None = None,
    family: str = "model",
) -> dict[str, Any]:
    """Write a bundle directory atomically (built beside it, then renamed into place).

    ``manifest`` holds what the caller knows (feature spec, data summary, metrics, config,
    outcome); ``model_id``, ``created_at``, ``versions`` and ``model_sha256`` are added here.
    ``card`` may use ``{model_id}``, ``{created_at}`` and ``{model_sha256}`` placeholders.
    Returns the full manifest written.
    """
    target = Path(out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700; bundles get ordinary modes
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            import skops.io as sio  # imported when a bundle is written: start-up stays short

            sio.dump(model, staging / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
        sha = file_sha256(staging / MODEL_FILE)
        created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        full = {
            "model_id": _model_id(family, created, sha),
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "versions": library_versions(),
            "model_sha256": sha,
            **manifest,
        }
        full = to_jsonable(full)
        full["manifest_sha256"] = manifest_sha256(full)
        (staging / MANIFEST_FILE).write_text(json.dumps(full, indent=2, allow_nan=False) + "\n")
        if card is not None:
            text = (
                card.replace("{model_id}", full["model_id"])
                .replace("{created_at}", full["created_at"])
                .replace("{model_sha256}", sha)
            )
            (staging / CARD_FILE).write_text(text, encoding="utf-8")
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            old.rmdir()
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return full


def manifest_sha256(manifest: dict[str, Any]) -> str:
    """SHA-256 of a manifest's content: every field but ``manifest_sha256`` itself, as
    canonical JSON (sorted keys, no spaces).

    Examples
    --------
    >>> manifest_sha256({"a": 1}) == manifest_sha256({"a": 1, "manifest_sha256": "x"})
    True
    >>> manifest_sha256({"a": 1}) == manifest_sha256({"a": 2})
    False
    """
    content = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(path: str | os.PathLike) -> dict[str, Any]:
    """The manifest of a bundle directory, checked against its recorded sha256 and then for
    the types of its fields (no model is read)."""
    path = Path(path)
    manifest_path = path / MANIFEST_FILE
    if not path.is_dir():
        raise DataError(NOT_A_BUNDLE.format(path=path, reason="no such directory"))
    if (path / LEGACY_MODEL_FILE).exists() and not (path / MODEL_FILE).exists():
        raise DataError(LEGACY_BUNDLE.format(path=path))
    if not manifest_path.is_file() or not (path / MODEL_FILE).is_file():
        raise DataError(
            NOT_A_BUNDLE.format(path=path, reason=f"{MANIFEST_FILE} and {MODEL_FILE} expected")
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise DataError(
            NOT_A_BUNDLE.format(path=path, reason=f"unreadable manifest: {exc}")
        ) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("model_sha256"), str):
        raise DataError(NOT_A_BUNDLE.format(path=path, reason="manifest has no model_sha256"))
    try:
        matches = manifest.get("manifest_sha256") == manifest_sha256(manifest)
    except ValueError:  # numbers JSON cannot hold
        matches = False
    if not matches:
        raise DataError(MANIFEST_MODIFIED.format(path=path))
    problem = manifest_problem(manifest)
    if problem is not None:
        field, expected, found = problem
        raise DataError(
            MANIFEST_FIELD_TYPE.format(path=path, field=field, expected=expected, found=found)
        )
    return manifest


#: The needs look-back of a bundle whose manifest records none (the feature builder's default).
DEFAULT_NEEDS_LOOKBACK_MONTHS = 12


@dataclass(frozen=True)
class InputSpec:
    """How data must be read for a bundle: the same way it was read to train it.

    ``config`` is the training config recorded in the manifest (its ``[table]`` section,
    query included) unless the user named another; ``needs_lookback_months`` is the needs
    look-back the event features were built with.
    """

    config: Config
    needs_lookback_months: int | None


def recorded_config(manifest: dict[str, Any]) -> Config:
    """The training config recorded in a bundle's manifest."""
    recorded = manifest.get("config") or {}
    values: dict[str, Any] = {}
    if recorded.get("table"):
        values["table"] = {k: v for k, v in recorded["table"].items() if v is not None}
    if recorded.get("model_configured") and recorded.get("model"):
        values["model"] = recorded["model"]
    for section in ("explain", "labels"):  # concepts and code words (older bundles: none)
        if recorded.get(section):
            values[section] = recorded[section]
    return parse_config(values, source=recorded.get("source"))


def input_spec(
    manifest: dict[str, Any], config_path: str | os.PathLike | None = None
) -> InputSpec:
    """What reading data for the bundle with ``manifest`` needs (one rule for every command).

    Examples
    --------
    >>> input_spec({"feature_spec": {"needs_lookback_months": 6}}).needs_lookback_months
    6
    >>> input_spec({}).needs_lookback_months
    12
    """
    config = load_config(config_path) if config_path is not None else recorded_config(manifest)
    lookback: int | None = DEFAULT_NEEDS_LOOKBACK_MONTHS
    for key in ("features", "feature_spec"):
        spec = manifest.get(key)
        if isinstance(spec, dict) and "needs_lookback_months" in spec:
            value = spec["needs_lookback_months"]
            lookback = None if value is None else int(value)
            break
    return InputSpec(config=config, needs_lookback_months=lookback)


#: How many models read from their files this process keeps, by the SHA-256 of the file.
_READ_MODELS_KEPT = 4
_read_models: OrderedDict[str, Any] = OrderedDict()
_read_models_lock = threading.Lock()


def _model_read_before(sha256: str) -> Any | None:
    """A copy of the model read earlier from a file with this SHA-256, or None."""
    with _read_models_lock:
        model = _read_models.get(sha256)
        if model is None:
            return None
        _read_models.move_to_end(sha256)
        return copy.deepcopy(model)


def _keep_model_read(sha256: str, model: Any) -> None:
    """Keep a copy of ``model`` (read from a file with this SHA-256); forget the oldest
    beyond :data:`_READ_MODELS_KEPT`."""
    try:
        kept = copy.deepcopy(model)
    except Exception:  # a model that cannot be copied is read from its file each time
        return
    with _read_models_lock:
        _read_models[sha256] = kept
        while len(_read_models) > _READ_MODELS_KEPT:
            _read_models.popitem(last=False)


def load_bundle(path: str | os.PathLike) -> Bundle:
    """Load a bundle after checking the SHA-256 of its manifest and of ``model.skops``.

    A model file already read in this process (the same SHA-256: the same bytes) is not
    audited and rebuilt again: a copy of the model read then is handed out, so that a
    notebook, a service or ``riskmodel demo`` that reads one bundle several times pays once.
    The checks of the manifest, the file's SHA-256 and the versions run every time.

    Raises
    ------
    DataError
        Not a bundle, a pickle bundle of an earlier version, a modified manifest or model file
        (checked before the model is read), a model file naming a type outside
        :data:`TRUSTED_TYPES`, or a model this installation cannot load (the message says how
        to rebuild it).

    Warns
    -----
    BundleVersionWarning
        For each tracked library whose version differs from the one the bundle was built with.
    """
    path = Path(path)
    manifest = read_manifest(path)
    actual = file_sha256(path / MODEL_FILE)
    if actual != manifest["model_sha256"]:
        raise DataError(
            BUNDLE_MODIFIED.format(path=path, actual=actual, expected=manifest["model_sha256"])
        )
    built = manifest.get("versions", {})
    installed = library_versions()
    for library in TRACKED_LIBRARIES:
        if library in built and built[library] != installed.get(library):
            warnings.warn(
                VERSION_MISMATCH.format(
                    path=path,
                    library=library,
                    built=built[library],
                    installed=installed.get(library),
                ),
                BundleVersionWarning,
                stacklevel=2,
            )
    model = _model_read_before(actual)
    if model is None:
        model = _read_model(path, built)
        _keep_model_read(actual, model)
    return Bundle(model=model, manifest=manifest, path=path)


def _read_model(path: Path, built: dict[str, str]) -> Any:
    """The model of ``path / model.skops``, read with the allowlist (see :func:`load_bundle`)."""
    built_text = ", ".join(f"{k} {v}" for k, v in built.items()) or "unrecorded versions"
    with warnings.catch_warnings():
        # scikit-learn's own version warning is replaced by BundleVersionWarning above
        warnings.simplefilter("ignore", UserWarning)
        import skops.io as sio  # imported when a bundle is read: start-up stays short
        from skops.io.exceptions import UntrustedTypesFoundException

        def unloadable(exc: Exception) -> DataError:
            return DataError(
                BUNDLE_UNLOADABLE.format(
                    path=path, reason=f"{type(exc).__name__}: {exc}", built=built_text
                )
            )

        try:
            # One pass: skops audits the file against the allowlist before building anything.
            model = sio.load(path / MODEL_FILE, trusted=sorted(TRUSTED_TYPES))
        except UntrustedTypesFoundException:
            try:  # read again, only to name the types outside the allowlist
                types = sio.get_untrusted_types(file=path / MODEL_FILE)
            except Exception as exc:
                raise unloadable(exc) from exc
            unknown = sorted(set(types) - TRUSTED_TYPES)
            raise DataError(UNTRUSTED_TYPES.format(path=path, types=", ".join(unknown))) from None
        except Exception as exc:  # not a skops file, or one from other library versions
            raise unloadable(exc) from exc
    if not callable(getattr(model, "predict_proba", None)):
        raise DataError(NOT_A_MODEL.format(path=path, kind=type(model).__name__))
    return model
