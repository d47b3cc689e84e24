"""riskmodel: calibrated, explainable and auditable models of two-year proven reoffending."""

from importlib.metadata import PackageNotFoundError, version

from riskmodel._errors import ConfigError, DataError, RiskmodelError

try:
    __version__ = version("riskmodel")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["ConfigError", "DataError", "RiskmodelError", "__version__"]
