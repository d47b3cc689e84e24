"""Outputs that can never destroy anything: every command checks its output paths first.

Before a command writes, :func:`check_outputs` resolves every output path and refuses (a
:class:`~riskmodel._errors.ConfigError`: exit code 2, naming both paths):

- an output that is one of the command's input files, or lies inside one of its input
  directories (a data directory, a model bundle);
- an output equal to another of the same command's outputs (``--rejects`` onto ``--out``,
  or onto the run summary);
- an output directory that exists, is not empty, and is not an earlier output of the same
  kind (recognised by the :data:`MARKER` file every output directory gets, or, for a model
  bundle, its manifest); an earlier output of the same kind is replaced only with
  ``--force``;
- an output file that exists and is a directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from riskmodel._errors import ConfigError

__all__ = [
    "MARKER",
    "OUTPUTS_COLLIDE",
    "OUTPUT_IN_INPUT",
    "OUTPUT_IS_DIRECTORY",
    "OUTPUT_IS_INPUT",
    "OUTPUT_NOT_OURS",
    "SAME_KIND_NEEDS_FORCE",
    "check_outputs",
    "mark_output",
    "output_kind",
]

#: The file that marks a directory as a riskmodel output, and says of which kind.
MARKER = ".riskmodel-output.json"

OUTPUT_IS_INPUT = (
    "{option} {output} is one of this command's inputs ({input}); refusing to overwrite it"
)
OUTPUT_IN_INPUT = (
    "{option} {output} lies inside the input directory {input}; refusing to write there (it "
    "would change or destroy the input): choose a path outside it"
)
OUTPUTS_COLLIDE = "{option} {output} is also {other}: give each output its own path"
OUTPUT_NOT_OURS = (
    "{option} {output} is a directory that is not empty and not a riskmodel {kind} output; "
    "refusing to replace it: choose a new or empty directory"
)
SAME_KIND_NEEDS_FORCE = (
    "{option} {output} already holds a riskmodel {kind} output; add --force to replace it"
)
OUTPUT_IS_DIRECTORY = "{option} {output} is a directory; give a file name"


def _resolve(path: str | os.PathLike) -> Path:
    # no expanduser: the commands write to the path as given, so it is checked as given
    return Path(os.path.abspath(str(path))).resolve()


def _same(a: Path, b: Path) -> bool:
    """One file or directory under two names (also on file systems that ignore case)."""
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def output_kind(directory: str | os.PathLike) -> str | None:
    """The kind of riskmodel output a directory holds (None when it is not one).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> output_kind(folder) is None
    True
    >>> mark_output(folder, "fairness")
    >>> output_kind(folder)
    'fairness'
    """
    directory = Path(directory)
    marker = directory / MARKER
    if marker.is_file():
        try:
            kind = json.loads(marker.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            return None
        return kind if isinstance(kind, str) else None
    manifest = directory / "manifest.json"
    if manifest.is_file():  # bundles written before markers existed
        try:
            return "bundle" if "model_sha256" in json.loads(manifest.read_text()) else None
        except (OSError, ValueError, TypeError):
            return None
    metadata = directory / "metadata.json"
    if metadata.is_file() and (directory / "truth.csv").is_file():  # synth, before markers
        try:
            return "synthetic" if "seed" in json.loads(metadata.read_text()) else None
        except (OSError, ValueError, TypeError):
            return None
    return None


def mark_output(directory: str | os.PathLike, kind: str) -> None:
    """Record that ``directory`` is a riskmodel output of ``kind``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MARKER).write_text(json.dumps({"kind": kind}) + "\n", encoding="utf-8")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_outputs(
    outputs: Mapping[str, str | os.PathLike | None],
    *,
    input_files: Iterable[str | os.PathLike | None] = (),
    input_dirs: Iterable[str | os.PathLike | None] = (),
    directories: Mapping[str, str] | None = None,
    force: bool = False,
) -> None:
    """Refuse outputs that would destroy an input, another output, or somebody's directory.

    Parameters
    ----------
    outputs : mapping
        Option (or description) -> output path; None entries are skipped.
    input_files, input_dirs : iterables of paths
        What the command reads (None entries are skipped).
    directories : mapping, optional
        Option -> kind, for outputs that are directories of that kind.
    force : bool
        Replace an earlier output of the same kind.

    Raises
    ------
    ConfigError
        With one of this module's messages, naming the paths.

    Examples
    --------
    >>> check_outputs({"--out": "data/people.csv"}, input_dirs=["data"])
    Traceback (most recent call last):
    ...
    riskmodel._errors.ConfigError: --out ... lies inside the input directory ...
    """
    directories = dict(directories or {})
    files = [_resolve(p) for p in input_files if p is not None]
    folders = [_resolve(p) for p in input_dirs if p is not None]
    seen: dict[Path, str] = {}
    for option, raw in outputs.items():
        if raw is None:
            continue
        path = _resolve(raw)
        for source in [*files, *folders]:
            if _same(path, source) or (source in folders and _inside(source, path)):
                raise ConfigError(OUTPUT_IS_INPUT.format(option=option, output=raw, input=source))
        for folder in folders:
            if _inside(path, folder):
                raise ConfigError(OUTPUT_IN_INPUT.format(option=option, output=raw, input=folder))
        for source in files:
            if option in directories and _inside(source, path):
                raise ConfigError(OUTPUT_IS_INPUT.format(option=option, output=raw, input=source))
        for other_path, other in seen.items():
            if _same(path, other_path) or _inside(path, other_path) or _inside(other_path, path):
                raise ConfigError(OUTPUTS_COLLIDE.format(option=option, output=raw, other=other))
        seen[path] = option
        if option in directories:
            kind = directories[option]
            if path.is_dir() and any(path.iterdir()):
                found = output_kind(path)
                if found != kind:
                    raise ConfigError(OUTPUT_NOT_OURS.format(option=option, output=raw, kind=kind))
                if not force:
                    raise ConfigError(
                        SAME_KIND_NEEDS_FORCE.format(option=option, output=raw, kind=kind)
                    )
            elif path.exists() and not path.is_dir():
                raise ConfigError(OUTPUT_NOT_OURS.format(option=option, output=raw, kind=kind))
        elif path.is_dir():
            raise ConfigError(OUTPUT_IS_DIRECTORY.format(option=option, output=raw))
