"""Person identifiers as text: one rule in pandas and in Arrow.

An identifier is text, stripped of surrounding white space; an empty one, or one that reads
as missing (:data:`MISSING_IDS`: ``NaN``, ``null``, ``N/A``, ``None``, ... in any case), is
missing; a column of whole numbers stored as floats (a column of integers with gaps) reads as
integers (``1.0`` → ``"1"``). Validation, streaming by person and flat tables all read ids this
way, so a person has the same id whichever path reads them. CSV files are read as text, so an
id keeps its leading zeros (``"007"``); ids that differ only by leading zeros
(:func:`unpadded`) are told apart by validation, never silently joined.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Column of the person identifier in every table and output.
PERSON_ID = "person_id"
#: Optional column of ``people`` naming each index event when a person may have several
#: (``person_id`` then repeats); outputs keyed by person carry it next to ``person_id``.
INDEX_ID = "index_id"

#: Identifiers that read as missing (compared stripped and lower-cased): what spreadsheets,
#: databases and pandas write for an empty cell. A person needs a real identifier.
MISSING_IDS: tuple[str, ...] = (
    "", "nan", "-nan", "nat", "null", "none", "na", "n/a", "#n/a", "<na>", "#na", "nil",
)  # fmt: skip
#: A control character (NUL, tab, line break, ...) anywhere in a value.
CONTROL_CHARACTERS = "[\\x00-\\x1f\\x7f]"

#: Label of people whose group value is missing, in every per-group table (in brackets, so
#: that it cannot be taken for a group that is really called "missing").
MISSING_GROUP = "(missing)"


def cell_text(values: pd.Series) -> pd.Series:
    """Values as pandas text, as shown in a rejects line: stripped, empty as missing, whole
    floats as integers; unlike :func:`ids_as_text`, ``"NaN"`` stays ``"NaN"``.

    Examples
    --------
    >>> cell_text(pd.Series([1.0, None, 3.0])).tolist()
    ['1', nan, '3']
    >>> cell_text(pd.Series([" A7 ", "", "null"])).tolist()
    ['A7', nan, 'null']
    >>> cell_text(pd.Series([90.0, float("inf"), 1e308])).tolist()
    ['90.0', 'inf', '1e+308']
    """
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna().to_numpy(dtype=np.float64)
        if len(whole) and (np.abs(whole) < 2**63).all() and (whole == np.round(whole)).all():
            values = values.astype("Int64")
    out = values.astype("str").str.strip()
    return out.where(out != "")


def ids_as_text(values: pd.Series) -> pd.Series:
    """Identifiers as pandas text, by the module's rule.

    Examples
    --------
    >>> ids_as_text(pd.Series([1.0, None, 3.0])).tolist()
    ['1', nan, '3']
    >>> ids_as_text(pd.Series([" A7 ", "", "N/A", "null", "007"])).tolist()
    ['A7', nan, nan, nan, '007']
    """
    return without_missing_ids(cell_text(values))


def without_missing_ids(text: pd.Series) -> pd.Series:
    """Text already read by :func:`cell_text`, with the values that read as missing
    (:data:`MISSING_IDS`) made missing: :func:`ids_as_text` of the original values.

    Examples
    --------
    >>> without_missing_ids(pd.Series(["NaN", "A1", None], dtype="str")).tolist()
    [nan, 'A1', nan]
    """
    lowered = pc.utf8_lower(arrow_text(text))
    missing = pc.is_in(lowered, value_set=pa.array(MISSING_IDS, pa.string()))
    return text.where(~np.asarray(pc.fill_null(missing, False), dtype=bool))


def has_control_characters(text: pd.Series) -> np.ndarray:
    """Whether each text value holds a control character (a NUL, a line break, ...).

    Only values that are not printable ASCII (rare in identifiers) are searched.

    Examples
    --------
    >>> has_control_characters(pd.Series(["A\\x001", "A1", "Zoë", None])).tolist()
    [True, False, False, False]
    """
    values = arrow_text(text)
    out = np.zeros(len(values), dtype=bool)
    printable = pc.fill_null(pc.ascii_is_printable(values), True)
    rows = np.flatnonzero(~np.asarray(printable, dtype=bool))
    if rows.size:
        found = pc.match_substring_regex(values.take(pa.array(rows)), CONTROL_CHARACTERS)
        out[rows] = np.asarray(pc.fill_null(found, False), dtype=bool)
    return out


def unpadded(values: pa.Array) -> pa.Array:
    """Identifiers made only of digits without their leading zeros (``"007"`` → ``"7"``,
    ``"000"`` → ``"0"``); any other identifier, or a missing one, gives null.

    What a number-reading program leaves of an id: two ids with the same unpadded form name
    the same person written two ways.

    Examples
    --------
    >>> unpadded(pa.array(["007", "7", "A7", "000", None])).to_pylist()
    ['7', '7', None, '0', None]
    """
    values = pc.cast(values, pa.large_string())
    digits = pc.fill_null(pc.match_substring_regex(values, "^[0-9]+$"), False)
    trimmed = pc.utf8_ltrim(values, characters="0")
    trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar("0", pa.large_string()), trimmed)
    return pc.if_else(digits, trimmed, pa.scalar(None, pa.large_string()))


def ids_as_arrow(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Identifiers as Arrow ``large_string``, by the module's rule: what
    :func:`ids_as_text` gives, without a Python loop (but for floats that are not all whole
    numbers, which no real identifier column holds).

    Examples
    --------
    >>> [ids_as_arrow(pa.array(v)).to_pylist() for v in ([1.0, None], [" A7 ", "", "NaN"])]
    [['1', None], ['A7', None, None]]
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = pc.cast(values, values.type.value_type)
    if pa.types.is_floating(values.type):
        present = pc.drop_null(values)
        whole = pc.and_(pc.equal(pc.floor(present), present), pc.less(pc.abs(present), 2.0**63))
        if len(present) == 0 or pc.all(whole).as_py():
            values = pc.cast(values, pa.int64())
        else:  # written as pandas writes floats (Arrow would drop the ".0" of 2.0)
            values = pa.array(cell_text(values.to_pandas()), pa.large_string(), from_pandas=True)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = pc.cast(values, pa.string())
    values = pc.cast(values, pa.large_string())
    trimmed = pc.utf8_trim_whitespace(values)
    missing = pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(MISSING_IDS, pa.large_string()))
    return pc.if_else(missing, pa.scalar(None, pa.large_string()), trimmed)


def arrow_text(values: pd.Series | pd.Index | Iterable[object]) -> pa.Array:
    """Text values (already read by the rule) as an Arrow string array, without a Python loop.

    Examples
    --------
    >>> arrow_text(pd.Series(["a", None])).to_pylist()
    ['a', None]
    """
    if not isinstance(values, pd.Series | pd.Index):
        values = pd.Series(list(values), dtype="object")
    return pa.array(values.astype("string[pyarrow]"), type=pa.string())


def repeated_ids(ids: Sequence[pa.Array]) -> list[str]:
    """The identifiers that occur more than once across ``ids`` (in order of first sight).

    Examples
    --------
    >>> repeated_ids([pa.array(["a", "b"]), pa.array(["b", "c", "a"])])
    ['a', 'b']
    """
    values = pa.chunked_array([pc.cast(a, pa.large_string()) for a in ids], pa.large_string())
    counts = pc.value_counts(values)
    return pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1)).to_pylist()


# -- identifiers to positions in a fixed set ------------------------------------------------

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _position_weights(size: int) -> np.ndarray:
    """Odd pseudo-random 64-bit weights, one per byte position (fixed seed: reproducible)."""
    rng = np.random.default_rng(20_240_801)
    return rng.integers(1, 2**63, size=size, dtype=np.uint64) * np.uint64(2) + np.uint64(1)


def hash_ids(values: pa.Array) -> np.ndarray:
    """A 64-bit hash of each string (missing values hash as the empty string), in numpy.

    The sum over bytes of ``byte * weight[position]`` (odd random weights, modulo 2**64),
    mixed with the length and a final avalanche step: linear time over the bytes, no Python
    objects, no hash table. Equal strings always hash equal; callers check equality of
    matches, so a collision can never join two people.

    Examples
    --------
    >>> h = hash_ids(pa.array(["a", "b", "a"], pa.large_string()))
    >>> bool(h[0] == h[2]), bool(h[0] == h[1])
    (True, False)
    """
    values = pc.fill_null(pc.cast(values, pa.large_string()), "")
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[values.offset : values.offset + n + 1]
    start = int(offsets[0])
    local = offsets - start
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)[start : int(offsets[-1])]
        if buffers[2]
        else (np.zeros(0, dtype=np.uint8))
    )
    lengths = np.diff(local)
    position = np.arange(len(data), dtype=np.int64) - np.repeat(local[:-1], lengths)
    longest = int(lengths.max(initial=0))
    weights = _position_weights(max(longest, 1))
    terms = data.astype(np.uint64) * weights[position]
    cumulative = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(terms, out=cumulative[1:])
    h = cumulative[local[1:]] - cumulative[local[:-1]]
    h ^= lengths.astype(np.uint64) * _MIX
    # splitmix64 finaliser
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


class IdLookup:
    """Position of identifiers among a fixed set of distinct identifiers.

    Built once: the 64-bit hashes of the identifiers, sorted, with the first position of
    every bucket of hashes (their top bits; at least twice as many buckets as identifiers).
    Each lookup then goes straight to its bucket and checks its few hashes, then compares
    the matched strings: no hash table is rebuilt per batch and nothing is sorted, so looking
    up all the offence rows costs time proportional to the rows. Falls back to Arrow's
    ``index_in`` if two distinct identifiers ever share a hash.

    Examples
    --------
    >>> lookup = IdLookup(pa.array(["a", "b", "c"], pa.large_string()))
    >>> lookup.codes(pa.array(["c", None, "x", "a"], pa.large_string())).tolist()
    [2, -1, -1, 0]
    >>> lookup = IdLookup(pa.array(["007", "b"], pa.large_string()))
    >>> lookup.codes(pa.array(["7", "b"], pa.large_string()), by_number=True).tolist()
    [0, 1]
    """

    def __init__(self, unique: pa.Array) -> None:
        self.unique = unique
        self.numbers: pa.Array | None = None
        hashes = hash_ids(unique)
        self.order = np.argsort(hashes)
        self.sorted = hashes[self.order]
        self.exact = bool(len(self.sorted) < 2 or (self.sorted[1:] != self.sorted[:-1]).all())
        bits = max(len(self.sorted) - 1, 1).bit_length() + 1
        self.shift = np.uint64(64 - bits)
        buckets = np.arange(2**bits + 1, dtype=np.uint64)
        first = np.searchsorted(self.sorted >> self.shift, buckets)
        self.first = first.astype(np.int32 if len(self.sorted) < 2**31 else np.int64)

    def codes(self, ids: pa.Array, *, by_number: bool = False) -> np.ndarray:
        """Position of each id in ``unique`` (int64; -1 when absent or missing).

        With ``by_number``, an id that is absent but names an identifier of ``unique`` with
        other leading zeros (:func:`unpadded`) gets that identifier's position: the rows stay
        with that person, whose validation rejects them both.
        """
        codes = self._codes(ids)
        if not by_number:
            return codes
        absent = np.flatnonzero(codes < 0)
        if absent.size == 0:
            return codes
        numbers = unpadded(ids.take(pa.array(absent)))
        if numbers.null_count == len(numbers):
            return codes
        if self.numbers is None:
            self.numbers = unpadded(self.unique)
        found = pc.index_in(numbers, value_set=self.numbers, skip_nulls=True)
        codes[absent] = np.asarray(pc.fill_null(found, -1), dtype=np.int64)
        return codes

    def _codes(self, ids: pa.Array) -> np.ndarray:
        if not self.exact:
            found = pc.index_in(ids, value_set=self.unique)
            return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        n = len(ids)
        if n == 0 or len(self.sorted) == 0:
            return np.full(n, -1, dtype=np.int64)
        h = hash_ids(ids)
        bucket = (h >> self.shift).astype(np.intp)
        at = self.first[bucket].astype(np.intp)
        end = self.first[bucket + 1]
        candidate = np.full(n, -1, dtype=np.int64)
        rows = np.flatnonzero(at < end)
        at = at[rows]
        while rows.size:  # a bucket holds one or two hashes, rarely more
            hit = self.sorted[at] == h[rows]
            candidate[rows[hit]] = self.order[at[hit]]
            rows, at = rows[~hit], at[~hit] + 1
            more = at < end[rows]
            rows, at = rows[more], at[more]
        found = candidate >= 0
        same = pc.equal(self.unique.take(pa.array(np.where(found, candidate, 0))), ids)
        same = pc.fill_null(same, False).to_numpy(zero_copy_only=False)
        return np.where(same & found, candidate, -1)
