"""Native threads: one by default around fitting and scoring, RISKMODEL_THREADS to allow more
(never more than the cores this process may use), a clear message for a bad value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info

from riskmodel._errors import ConfigError
from riskmodel._threads import BAD_THREADS, available_cores, native_threads, thread_limit
from riskmodel.cli import main


def _openmp_threads() -> list[int]:
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp"]


def test_one_native_thread_by_default(monkeypatch) -> None:
    monkeypatch.delenv("RISKMODEL_THREADS", raising=False)
    assert native_threads() == 1
    import sklearn.ensemble  # noqa: F401 (loads scikit-learn's OpenMP runtime)

    with thread_limit() as n:
        assert n == 1
        assert set(_openmp_threads()) <= {1}


def test_the_variable_allows_more_up_to_the_cores(monkeypatch) -> None:
    monkeypatch.setenv("RISKMODEL_THREADS", "2")
    assert native_threads() == min(2, available_cores())
    monkeypatch.setenv("RISKMODEL_THREADS", "999")
    assert native_threads() == available_cores()


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_bad_value_is_named(monkeypatch, value: str) -> None:
    monkeypatch.setenv("RISKMODEL_THREADS", value)
    with pytest.raises(ConfigError) as info:
        native_threads()
    assert str(info.value) == BAD_THREADS.format(value=value)


def test_a_bad_value_stops_a_command_with_exit_2(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setenv("RISKMODEL_THREADS", "lots")
    rng = np.random.default_rng(0)
    table = tmp_path / "t.csv"
    pd.DataFrame(
        {"id": range(60), "age": rng.integers(18, 70, 60), "y": np.arange(60) % 2}
    ).to_csv(table, index=False)
    config = tmp_path / "c.toml"
    config.write_text('[table]\nid = "id"\nlabel = "y"\nnumeric = ["age"]\n')
    code = main(["train", "--table", str(table), "--config", str(config),
                 "--out", str(tmp_path / "m"), "--no-mlflow"])  # fmt: skip
    assert code == 2
    assert BAD_THREADS.format(value="lots") in capsys.readouterr().err
