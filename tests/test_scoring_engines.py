"""Scoring on this machine's cores: worker processes give the single-process output, row for
row; the partition's chunk references, threaded person codes and identifier lookup."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._errors import ConfigError
from riskmodel._tables import IdLookup
from riskmodel.cli import main
from riskmodel.scoring import (
    BAD_WORKERS,
    WORKERS_WITH_DASK,
    ChunkRef,
    PersonPartition,
    load_chunk,
    make_engine,
    open_event_input,
    score_files,
)
from tests.contract_data import write_data_dir
from tests.test_scoring import bad_batch, flat_frame, make_population

SUMMARY_KEYS = (
    "people_read",
    "people_scored",
    "people_rejected",
    "rejects_lines",
    "problems_by_reason",
    "validation",
    "features",
    "bands",
    "drift",
    "chunks",
    "mean_probability",
)


@pytest.mark.slow
def test_workers_give_the_single_process_output_row_for_row(bundle, tmp_path):
    tables, _ = bad_batch()
    data = write_data_dir(tmp_path / "data", tables, fmt="parquet")
    options = {"chunk_size": 9, "carry": "case_officer", "explain": 1}
    one = score_files(model_dir=bundle, data_dir=data, out=tmp_path / "one.parquet", **options)
    two = score_files(
        model_dir=bundle, data_dir=data, out=tmp_path / "two.parquet", workers=2, **options
    )
    assert (one["engine"], one["workers"]) == ("local", 1)
    assert (two["engine"], two["workers"]) == ("local", 2)
    assert two["chunks"] > 4
    scores = pd.read_parquet(tmp_path / "one.parquet")
    pd.testing.assert_frame_equal(scores, pd.read_parquet(tmp_path / "two.parquet"))
    assert len(scores) > 30 and scores["reason_1"].notna().all()
    rejects = pd.read_csv(tmp_path / "one.rejects.csv")
    pd.testing.assert_frame_equal(rejects, pd.read_csv(tmp_path / "two.rejects.csv"))
    assert len(rejects) > 10
    for key in SUMMARY_KEYS:
        assert two[key] == one[key], key
    written = json.loads((tmp_path / "two.summary.json").read_text())
    assert written["workers"] == 2
    assert not list(tmp_path.glob(".riskmodel-score-*"))  # chunk files removed


def test_workers_score_a_flat_table_and_the_cli_takes_workers(
    flat_bundle,
    tmp_path,
    capsys,
):
    model_dir, config = flat_bundle
    table = tmp_path / "flat.parquet"
    flat_frame(120, seed=3).to_parquet(table, index=False)
    outputs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"flat-{workers}.csv"
        args = ["score", "--model", model_dir, "--table", table, "--config", config]
        args += ["--out", out, "--chunk-size", "25", "--workers", workers]
        assert main([str(a) for a in args]) == 0
        outputs[workers] = pd.read_csv(out)
    assert "people read: 120 = scored" in capsys.readouterr().out
    pd.testing.assert_frame_equal(outputs["1"], outputs["2"])
    assert len(outputs["1"]) > 50


def test_bad_worker_counts_are_refused_with_a_message(bundle, tmp_path, capsys):
    for value in (0, -1, 1.5, True):
        with pytest.raises(ConfigError, match=BAD_WORKERS.split("{")[0]):
            make_engine("local", workers=value)
    with pytest.raises(ConfigError) as error:
        make_engine("dask", workers=2)
    assert str(error.value) == WORKERS_WITH_DASK
    assert make_engine("local").workers == 1
    args = ["score", "--model", bundle, "--data", tmp_path, "--out", tmp_path / "x.csv"]
    code = main([*map(str, args), "--workers", "0"])
    assert code == 2
    assert "--workers" in capsys.readouterr().err


def test_a_chunk_reference_loads_the_chunk_in_another_process(tmp_path_factory, tmp_path):
    data = write_data_dir(tmp_path_factory.mktemp("refs"), make_population(30, seed=8, prefix="R"))
    partition = PersonPartition.build(open_event_input(data), chunk_size=8, workdir=tmp_path)
    try:
        refs = list(partition.refs())
        assert [ref.index for ref in refs] == list(range(partition.n_chunks)) == [0, 1, 2, 3]
        for ref in refs:
            sent = pickle.loads(pickle.dumps(ref))  # what a worker process receives
            assert isinstance(sent, ChunkRef)
            loaded, direct = load_chunk(sent), partition.chunk(ref.index)
            assert loaded.index == direct.index == ref.index
            for name in ("people", "offences", "needs"):
                pd.testing.assert_frame_equal(getattr(loaded, name), getattr(direct, name))
            assert load_chunk(direct) is direct
    finally:
        partition.cleanup()


def test_partition_does_not_depend_on_the_batches_it_reads(tmp_path_factory, tmp_path):
    tables = make_population(60, seed=12, prefix="T")
    data = write_data_dir(tmp_path_factory.mktemp("batches"), tables, fmt="parquet")
    whole = PersonPartition.build(open_event_input(data), chunk_size=11, workdir=tmp_path)
    small = PersonPartition.build(
        open_event_input(data), chunk_size=11, workdir=tmp_path, batch_rows=7
    )
    try:
        assert whole.n_chunks == small.n_chunks == 6
        for a, b in zip(whole.chunks(), small.chunks(), strict=True):
            for name in ("people", "offences", "needs"):
                pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
        rows = sorted(r for c in small.chunks() for r in c.offences["__riskmodel_row__"])
        assert rows == list(range(1, len(tables["offences"]) + 1))
    finally:
        whole.cleanup()
        small.cleanup()


identifier = st.text(alphabet="aAb0 /-é中", max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    known=st.lists(identifier, unique=True, max_size=80),
    asked=st.lists(st.one_of(st.none(), identifier), max_size=120),
)
def test_id_lookup_finds_what_arrow_index_in_finds(known, asked):
    unique = pa.array(known, pa.large_string())
    ids = pa.array(asked, pa.large_string())
    expected = pc.fill_null(pc.index_in(ids, value_set=unique), -1).to_numpy(zero_copy_only=False)
    got = IdLookup(unique).codes(ids)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


def test_id_lookup_on_many_ids_with_absent_and_missing_ones():
    rng = np.random.default_rng(0)
    known = np.char.add("P", rng.permutation(200_000).astype("U7"))
    unique = pa.array(known.astype(object), pa.large_string())
    position = rng.integers(0, 250_000, 100_000)
    asked = np.where(position < 200_000, known[np.minimum(position, 199_999)], "NOBODY")
    ids = pa.array(asked.astype(object), pa.large_string())
    ids = pc.if_else(pa.array(rng.random(100_000) < 0.01), pa.scalar(None, ids.type), ids)
    expected = pc.fill_null(pc.index_in(ids, value_set=unique), -1).to_numpy(zero_copy_only=False)
    got = IdLookup(unique).codes(ids)
    np.testing.assert_array_equal(got, expected)
    assert (got == -1).mean() > 0.15
