"""The per-chunk scoring function runs unchanged on Dask: same output, row for row."""

from __future__ import annotations

import pandas as pd
import pytest

from riskmodel.cli import main
from riskmodel.scoring import score_files
from tests.contract_data import write_data_dir
from tests.test_scoring import bad_batch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as running:
        yield running


def test_dask_output_equals_single_process_output(bundle, cluster, tmp_path):
    tables, _ = bad_batch()
    data = write_data_dir(tmp_path / "data", tables, fmt="parquet")
    local = tmp_path / "local.parquet"
    distributed = tmp_path / "dask.parquet"
    summary_local = score_files(
        model_dir=bundle, data_dir=data, out=local, chunk_size=9, carry="case_officer", explain=1
    )
    summary_dask = score_files(
        model_dir=bundle,
        data_dir=data,
        out=distributed,
        chunk_size=9,
        carry="case_officer",
        explain=1,
        engine="dask",
        scheduler=cluster.scheduler_address,
    )
    assert summary_dask["engine"] == "dask" and summary_dask["workers"] == 2
    assert summary_dask["chunks"] == summary_local["chunks"] > 2
    pd.testing.assert_frame_equal(pd.read_parquet(local), pd.read_parquet(distributed))
    rejects_local = pd.read_csv(tmp_path / "local.rejects.csv")
    rejects_dask = pd.read_csv(tmp_path / "dask.rejects.csv")
    pd.testing.assert_frame_equal(rejects_local, rejects_dask)
    assert len(rejects_local) > 10
    for key in ("people_read", "people_scored", "people_rejected", "drift"):
        assert summary_dask[key] == summary_local[key]


def test_engine_dask_starts_a_local_cluster_by_default(bundle, tmp_path, capsys, monkeypatch):
    # One worker process per core: on a one-core machine, one (each costs seconds to start).
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    tables, _ = bad_batch()
    data = write_data_dir(tmp_path / "data", tables)
    code = main(
        [
            "score",
            "--model",
            str(bundle),
            "--data",
            str(data),
            "--out",
            str(tmp_path / "s.csv"),
            "--engine",
            "dask",
            "--chunk-size",
            "20",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    local = tmp_path / "local.csv"
    score_files(model_dir=bundle, data_dir=data, out=local, chunk_size=20)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s.csv"), pd.read_csv(local))
    assert "people read: 61 = scored" in out
