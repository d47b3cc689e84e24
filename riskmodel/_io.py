"""Atomic output writing and JSON that never contains NaN."""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._owners import owner_tag, remove_orphans


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _naming(exc: OSError, target: Path) -> OSError:
    """``exc`` naming ``target`` when it names nothing or a temporary file of ``target``."""
    name = exc.filename
    temporary = isinstance(name, str) and (
        name.startswith(str(target.parent / f".{target.name}.")) and name.endswith(".tmp")
    )
    if name is None or temporary:
        return OSError(exc.errno, exc.strerror or str(exc), str(target))
    return exc


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success.

    A failure inside the block removes the temporary file, so no half-written output is left.
    An operating-system error on the temporary file (a full disk, a read-only directory)
    names ``target``, the path the user gave. The temporary name,
    ``.NAME.PID@HOST.XXXXXXXX.tmp``, names its owner: temporaries of ``target`` left by a
    killed process (whose owner is dead) are removed on the way in
    (:func:`riskmodel._owners.remove_orphans`).
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_orphans(target.parent, f".{target.name}.", ".tmp")
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{owner_tag()}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise _naming(exc, target) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get ordinary modes
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except OSError as exc:
        if exc.filename == str(tmp_path):
            raise _naming(exc, target) from exc
        raise
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextmanager
def _written(target: str | os.PathLike) -> Iterator[Path]:
    """:func:`atomic_path` for one write: any operating-system error in it names ``target``."""
    with atomic_path(target) as tmp:
        try:
            yield tmp
        except OSError as exc:
            raise _naming(exc, Path(target)) from exc


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars and containers to plain JSON types; NaN and inf become None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is pd.NA or value is pd.NaT or value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def write_json(data: Any, path: str | os.PathLike) -> Path:
    """Write ``data`` as indented JSON atomically; undefined numbers are written as ``null``."""
    with _written(path) as tmp:
        tmp.write_text(json.dumps(to_jsonable(data), indent=2, allow_nan=False) + "\n")
    return Path(path)


def write_text(text: str, path: str | os.PathLike) -> Path:
    """Write ``text`` atomically."""
    with _written(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"^-\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$"


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to open in a spreadsheet: a text cell or a column name starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe,
    which spreadsheets read as "this is text" (the OWASP rule for CSV injection). Numbers, and
    text that is a plain negative number such as ``-12``, are left as they are.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["=HYPERLINK(1)", "+cmd|x", "@SUM(A1)", "-12", "A1"]})
    >>> neutralise_formulas(frame)["id"].tolist()
    ["'=HYPERLINK(1)", "'+cmd|x", "'@SUM(A1)", '-12', 'A1']
    >>> list(neutralise_formulas(pd.DataFrame({"=cmd()": [1]})).columns)
    ["'=cmd()"]
    """
    out = frame
    names = [str(c) for c in frame.columns]
    if any(n[:1] in FORMULA_STARTS and not re.fullmatch(_PLAIN_NUMBER, n) for n in names):
        out = frame.copy()
        out.columns = [
            "'" + n if n[:1] in FORMULA_STARTS and not re.fullmatch(_PLAIN_NUMBER, n) else n
            for n in names
        ]
        frame = out
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            continue
        text = values.astype("string")
        risky = text.str[:1].isin(FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
        if not risky.any():
            continue
        risky = risky & ~text.str.match(_PLAIN_NUMBER).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            if out is frame:
                out = frame.copy()
            fixed = values.astype(object).copy()
            fixed[risky] = "'" + text[risky].astype(str)
            out[column] = fixed
    return out


def write_table(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table atomically as Parquet (``.parquet``) or CSV (anything else; text cells
    that a spreadsheet would run as a formula are neutralised, :func:`neutralise_formulas`)."""
    path = Path(path)
    writer: Callable[[Path], None]
    if path.suffix.lower() == ".parquet":

        def writer(p: Path) -> None:
            frame.to_parquet(p, engine="pyarrow", index=False)

    else:

        def writer(p: Path) -> None:
            neutralise_formulas(frame).to_csv(p, index=False)

    with _written(path) as tmp:
        writer(tmp)
    return path


def rejects_path_for(out: str | os.PathLike) -> Path:
    """The rejects CSV written beside an output: ``scores.csv`` → ``scores.rejects.csv``."""
    out = Path(out)
    return out.with_name(f"{out.stem}.rejects.csv")
