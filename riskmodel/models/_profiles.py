"""Offending profiles: a latent class analysis of the offence mix and the need levels.

People who offend differ in kind as well as in frequency: some offend mostly for gain and
to fund drug use, some mostly violently and when drunk, some across the board. The mix of a
person's offences and their need levels are noisy readings of that kind, and the risk of
reoffending depends on the kind. :class:`LatentProfiles` estimates the kinds from the training
people alone (unsupervised, inside the model pipeline, so nothing leaks from evaluation rows)
and gives every person their posterior probability of each profile.

The model is a finite mixture (latent class analysis): profile ``k`` has a share ``pi_k``, an
offence-group distribution ``theta_k`` (the counts are multinomial draws from it) and, for every
need area, a distribution ``phi_k,a`` over the levels 0, 1, 2 (a missing level is no reading).
It is fitted by expectation-maximisation from several seeded starts; the start with the highest
log-likelihood is kept. Smoothing (a symmetric Dirichlet prior) keeps every probability
positive, so a person with an offence no training profile had still gets a posterior.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from riskmodel.contract._vocabulary import NEED_AREAS, OFFENCE_GROUPS
from riskmodel.features._catalogue import OFFENCE_GROUP_LABELS

__all__ = [
    "PROFILE_BANDED",
    "PROFILE_COUNTS",
    "PROFILE_FEATURE",
    "PROFILE_LEVELS",
    "LatentProfiles",
    "profile_descriptions",
    "with_profiles",
]

#: Name of the explanation feature that stands for the profile columns together.
PROFILE_FEATURE = "offending_profile"
#: Offence counts the profiles read (breach is compliance, not a kind of offending).
PROFILE_COUNTS: tuple[str, ...] = tuple(
    f"offence_count_{group}" for group in OFFENCE_GROUPS if group != "breach"
)
#: Need levels the profiles read (the latest assessment's score of each area).
PROFILE_LEVELS: tuple[str, ...] = tuple(f"need_{area}" for area in NEED_AREAS)
#: Numeric features the profiles read in thirds (profiles differ in age and offending rate).
PROFILE_BANDED: tuple[str, ...] = ("age_at_index", "copas_rate")


def with_profiles(numeric: list[str]) -> bool:
    """Whether a model over these numeric features reads offending profiles: when it has every
    offence count by group, every need level, age and Copas rate (event data; not flat tables
    such as COMPAS).

    Examples
    --------
    >>> columns = [*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED]
    >>> with_profiles(columns), with_profiles(["age", "priors"])
    (True, False)
    """
    return {*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED} <= set(numeric)


#: Profiles estimated in this process, by digest of their data and parameters (oldest first).
_FITTED: dict[str, tuple[float, int, tuple[np.ndarray, ...]]] = {}
_FITTED_MAX = 16


class LatentProfiles(TransformerMixin, BaseEstimator):
    """Posterior probabilities of latent offending profiles (latent class analysis).

    Parameters
    ----------
    counts : list of str
        Columns of offence counts by group (non-negative; missing counts as 0).
    levels : list of str
        Columns of need levels ``0 .. n_levels - 1`` (rounded; missing is no reading).
    banded : list of str
        Numeric columns read as levels too: cut into ``n_levels`` bands at their training
        quantiles (missing is no reading).
    n_profiles : int
        Number of profiles.
    n_levels : int
        Number of levels of every level column.
    n_init : int
        Seeded random starts of expectation-maximisation; the best log-likelihood wins.
    max_iter : int
        Most iterations of one start.
    tol : float
        A start stops when its mean log-likelihood per person improves by less than this.
    smoothing : float
        Pseudo-count added to every offence-group and level count of every profile.
    max_rows : int
        The profiles are estimated on at most this many training rows (a seeded sample): a
        few dozen parameters per profile need no more, and fitting stays fast.
    seed : int
        Seed of the random starts and of the sample.

    Attributes
    ----------
    weights_ : ndarray of shape (n_profiles,)
        Profile shares ``pi``.
    offence_mix_ : ndarray of shape (n_profiles, len(counts))
        Offence-group distribution of each profile.
    level_probabilities_ : ndarray of shape (n_profiles, len(levels) + len(banded), n_levels)
        Level distribution of each profile and reading.
    band_edges_ : list of ndarray
        Cut points of each banded column.
    log_likelihood_ : float
        Mean log-likelihood per training person of the start kept.
    n_iter_ : int
        Iterations of that start.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> kind = rng.integers(0, 2, 400)
    >>> X = pd.DataFrame({"theft": rng.poisson(np.where(kind, 4, 0.2)),
    ...                   "violence": rng.poisson(np.where(kind, 0.2, 4)),
    ...                   "drugs": np.where(kind, 2.0, 0.0)})
    >>> profiles = LatentProfiles(counts=["theft", "violence"], levels=["drugs"], banded=[],
    ...                           n_profiles=2).fit(X)
    >>> q = profiles.transform(X)
    >>> q.shape, bool(np.allclose(q.sum(axis=1), 1))
    ((400, 2), True)
    """

    def __init__(
        self,
        *,
        counts: list[str] | tuple[str, ...] = PROFILE_COUNTS,
        levels: list[str] | tuple[str, ...] = PROFILE_LEVELS,
        banded: list[str] | tuple[str, ...] = PROFILE_BANDED,
        n_profiles: int = 8,
        n_levels: int = 3,
        n_init: int = 3,
        max_iter: int = 200,
        tol: float = 1e-5,
        smoothing: float = 0.5,
        max_rows: int = 20_000,
        seed: int = 0,
    ) -> None:
        self.counts = counts
        self.levels = levels
        self.banded = banded
        self.n_profiles = n_profiles
        self.n_levels = n_levels
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.smoothing = smoothing
        self.max_rows = max_rows
        self.seed = seed

    # -- data ------------------------------------------------------------------------------
    def _frame(self, X: Any) -> pd.DataFrame:
        return X if isinstance(X, pd.DataFrame) else pd.DataFrame(X, columns=self._columns())

    def _arrays(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """Offence counts (people, groups) and level indicators (people, readings, levels)."""
        frame = self._frame(X)
        counts = frame[list(self.counts)].to_numpy(dtype=np.float64, na_value=0.0)
        counts = np.clip(np.nan_to_num(counts, nan=0.0), 0.0, None)
        raw = frame[list(self.levels)].to_numpy(dtype=np.float64, na_value=np.nan)
        level = np.where(np.isfinite(raw), np.clip(np.round(raw), 0, self.n_levels - 1), -1)
        if len(self.banded):
            values = frame[list(self.banded)].to_numpy(dtype=np.float64, na_value=np.nan)
            bands = np.column_stack(
                [
                    np.searchsorted(e, v, side="right")
                    for e, v in zip(self.band_edges_, values.T, strict=True)
                ]
            )
            level = np.hstack([level, np.where(np.isfinite(values), bands, -1)])
        indicators = (level[:, :, None] == np.arange(self.n_levels)).astype(np.float64)
        return counts, indicators

    def _columns(self) -> list[str]:
        return [*self.counts, *self.levels, *self.banded]

    def _fit_bands(self, X: Any) -> None:
        frame = self._frame(X)
        quantiles = np.arange(1, self.n_levels) / self.n_levels
        self.band_edges_ = []
        for column in self.banded:
            values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            values = values[np.isfinite(values)]
            edges = np.quantile(values, quantiles) if values.size else np.zeros(0)
            self.band_edges_.append(np.asarray(edges, dtype=np.float64))

    # -- expectation-maximisation ------------------------------------------------------------
    @staticmethod
    def _log_joint(
        counts: np.ndarray,
        indicators: np.ndarray,
        weights: np.ndarray,
        mix: np.ndarray,
        level_probabilities: np.ndarray,
    ) -> np.ndarray:
        """log P(profile, readings) up to a per-person constant: (people, profiles)."""
        return (
            np.log(weights)[None, :]
            + counts @ np.log(mix).T
            + indicators.reshape(len(indicators), -1)
            @ np.log(level_probabilities).reshape(len(weights), -1).T
        )

    def _maximise(
        self, counts: np.ndarray, indicators: np.ndarray, resp: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        weights = (resp.sum(axis=0) + 1e-9) / (len(resp) + 1e-9 * resp.shape[1])
        mix = resp.T @ counts + self.smoothing
        mix /= mix.sum(axis=1, keepdims=True)
        flat = resp.T @ indicators.reshape(len(indicators), -1)
        levels = flat.reshape(resp.shape[1], *indicators.shape[1:]) + self.smoothing
        levels /= levels.sum(axis=2, keepdims=True)
        return weights, mix, levels

    def _climb(
        self, counts: np.ndarray, indicators: np.ndarray, resp: np.ndarray
    ) -> tuple[float, int, tuple[np.ndarray, ...]]:
        """Expectation-maximisation from the responsibilities ``resp``: the mean
        log-likelihood reached, the iterations taken and the parameters."""
        previous, iterations = -np.inf, 0
        while iterations < self.max_iter:
            iterations += 1
            params = self._maximise(counts, indicators, resp)
            joint = self._log_joint(counts, indicators, *params)
            total = logsumexp(joint, axis=1)
            resp = np.exp(joint - total[:, None])
            current = float(total.mean())
            if current - previous < self.tol:
                break
            previous = current
        return current, iterations, params

    def fit(self, X: Any, y: Any = None) -> LatentProfiles:
        """Estimate the profiles from ``X`` (``y`` is ignored: the profiles are unsupervised).

        The same rows with the same parameters always give the same profiles, so a fit is
        remembered (by a digest of its data and parameters) and reused: the candidates of a
        cross-validation share their folds' profiles instead of estimating them again.
        """
        self._fit_bands(X)
        counts, indicators = self._arrays(X)
        key = self._digest(counts, indicators)
        if key not in _FITTED:
            _FITTED[key] = self._estimate(counts, indicators)
            while len(_FITTED) > _FITTED_MAX:
                _FITTED.pop(next(iter(_FITTED)))
        self.log_likelihood_, self.n_iter_, params = _FITTED[key]
        self.weights_, self.offence_mix_, self.level_probabilities_ = (p.copy() for p in params)
        self.n_features_in_ = len(self._columns())
        return self

    def _digest(self, counts: np.ndarray, indicators: np.ndarray) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(repr(sorted(self.get_params().items())).encode())
        for array in (counts, indicators):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def _estimate(
        self, counts: np.ndarray, indicators: np.ndarray
    ) -> tuple[float, int, tuple[np.ndarray, ...]]:
        """The best of ``n_init`` seeded expectation-maximisation runs."""
        rng = np.random.default_rng(self.seed)
        if len(counts) > self.max_rows:
            rows = np.sort(rng.choice(len(counts), self.max_rows, replace=False))
            counts, indicators = counts[rows], indicators[rows]
        best: tuple[float, int, tuple[np.ndarray, ...]] | None = None
        for _ in range(self.n_init):
            start = rng.dirichlet(np.ones(self.n_profiles), size=len(counts))
            run = self._climb(counts, indicators, start)
            if best is None or run[0] > best[0]:
                best = run
        assert best is not None
        return best

    def transform(self, X: Any) -> np.ndarray:
        """Posterior probability of each profile, (people, n_profiles); rows sum to 1."""
        check_is_fitted(self, "weights_")
        counts, indicators = self._arrays(X)
        joint = self._log_joint(
            counts, indicators, self.weights_, self.offence_mix_, self.level_probabilities_
        )
        return np.exp(joint - logsumexp(joint, axis=1)[:, None])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array([f"profile_{k + 1}" for k in range(self.n_profiles)], dtype=object)

    # -- words -----------------------------------------------------------------------------
    def profile_names(self, top: int = 2) -> list[str]:
        """A short description of each profile: the offence groups most over-represented in
        it relative to everyone (``"theft, handling stolen goods"``)."""
        check_is_fitted(self, "weights_")
        overall = self.weights_ @ self.offence_mix_
        lift = self.offence_mix_ / overall[None, :]
        names = []
        for row in lift:
            columns = [str(self.counts[j]) for j in np.argsort(-row, kind="stable")[:top]]
            names.append(", ".join(_offence_words(c) for c in columns))
        return names

    def describe(self, X: Any) -> list[str]:
        """Each person's most probable profile in words, with its probability."""
        posterior = self.transform(X)
        names = self.profile_names()
        best = posterior.argmax(axis=1)
        return [
            f"profile {k + 1} of {self.n_profiles} ({names[k]}; {100 * posterior[i, k]:.0f}%)"
            for i, k in enumerate(best)
        ]


def _offence_words(column: str) -> str:
    """Plain words for an offence-count column (the catalogue's group label when it has one)."""
    group = column.removeprefix("offence_count_")
    return OFFENCE_GROUP_LABELS.get(group, group.replace("_", " "))


def profile_descriptions(pipeline: Any, frame: pd.DataFrame) -> list[str]:
    """Each person's most probable profile in words, from a fitted model pipeline whose
    preprocessing holds the profile block."""
    preprocess = pipeline[:-1]
    columns = preprocess[-1] if hasattr(preprocess, "steps") else preprocess
    profiles = columns.named_transformers_[PROFILE_FEATURE].named_steps["profiles"]
    return profiles.describe(frame)
