"""MLflow tracking: a local SQLite store, and a real ``mlflow server`` on 127.0.0.1 with the
model registered and loaded back by alias."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.commands import on_flat_table, write_flat_inputs
from tests.test_crossval import LOGISTIC_CONFIG
from tests.test_models import make_flat_frame

FEATURES = ["age", "priors", "employed", "area", "offence"]


@pytest.fixture(scope="module")
def flat_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow")
    return write_flat_inputs(root, make_flat_frame(n=500, seed=7), LOGISTIC_CONFIG)


def _load_pyfunc(uri: str):
    import mlflow

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow's own deprecation notices
        return mlflow.pyfunc.load_model(uri)


def _train(flat_dir: Path, out: Path, *extra: str) -> int:
    return on_flat_table("train", flat_dir, out, "--n-resamples", "30", *extra)


@pytest.mark.slow
def test_local_sqlite_run_serves_probabilities(flat_dir, tmp_path, monkeypatch, capsys):
    import mlflow

    uri = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert _train(flat_dir, tmp_path / "bundle", "--register", "local-model") == 0
    assert "MLflow run" in capsys.readouterr().out
    model = _load_pyfunc("models:/local-model@champion")
    frame = make_flat_frame(n=20, seed=8)[FEATURES]
    frame["employed"] = frame["employed"].astype(float)
    out = model.predict(frame)
    p = np.asarray(out["probability_2y"])
    assert p.shape == (20,) and np.all((p > 0) & (p < 1))
    # the same probabilities as the bundle
    from riskmodel.bundle import load_bundle

    expected = load_bundle(tmp_path / "bundle").model.predict_proba(frame)[:, 1]
    np.testing.assert_allclose(p, expected)
    signature = model.metadata.signature
    assert signature is not None
    assert [c.name for c in signature.inputs.inputs] == FEATURES
    assert (tmp_path / "mlartifacts").exists()
    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(experiment_names=["riskmodel"])
    assert "metrics.test_auc" in runs.columns


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(server: subprocess.Popen, url: str, what: str) -> None:
    """Poll ``url`` until it answers 200; fail when the process dies or after two minutes."""
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} did not start")
        time.sleep(0.2)


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@pytest.mark.slow
def test_real_mlflow_server_registry_by_alias(flat_dir, tmp_path, monkeypatch):
    port = _free_port()
    mlflow_bin = Path(sys.executable).with_name("mlflow")
    server = subprocess.Popen(
        [
            str(mlflow_bin),
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'server.db'}",
            "--artifacts-destination",
            str(tmp_path / "server-artifacts"),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        # Tracking and the registry only: MLflow's job runner (a consumer with ten workers, for
        # its GenAI jobs) would take a core from the tests for nothing.
        env={
            **os.environ,
            "MLFLOW_TRACKING_URI": "",
            "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        },
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(server, f"{url}/health", "mlflow server")
        monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
        assert _train(flat_dir, tmp_path / "bundle", "--register", "riskmodel-test") == 0
        model = _load_pyfunc("models:/riskmodel-test@champion")
        frame = make_flat_frame(n=5, seed=9)[FEATURES]
        frame["employed"] = frame["employed"].astype(float)
        p = np.asarray(model.predict(frame)["probability_2y"])
        assert np.all((p > 0) & (p < 1))
        assert isinstance(model.predict(frame), pd.DataFrame)
    finally:
        _stop(server)


@pytest.mark.slow
def test_crossval_run_is_logged(flat_dir, tmp_path, monkeypatch):
    import mlflow

    uri = f"sqlite:///{tmp_path / 'cv.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    code = on_flat_table(
        "crossval", flat_dir, tmp_path / "cv", "--folds", "3", "--n-resamples", "30"
    )
    assert code == 0
    mlflow.set_tracking_uri(uri)
    runs = mlflow.search_runs(experiment_names=["riskmodel"])
    assert len(runs) == 1
    assert runs.loc[0, "params.configured"] == "logistic"
    assert runs.loc[0, "metrics.logistic_auc"] > 0.5
    assert "metrics.base_rate_brier" in runs.columns


@pytest.mark.slow
def test_mlflow_models_serve_answers_probabilities(flat_dir, tmp_path, monkeypatch):
    import json

    uri = f"sqlite:///{tmp_path / 'serve.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    assert _train(flat_dir, tmp_path / "bundle", "--register", "served-model") == 0
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("mlflow")),
            "models",
            "serve",
            "-m",
            "models:/served-model@champion",
            "--env-manager",
            "local",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
        # the server starts uvicorn by name: the environment's scripts must be on PATH
        env={
            **os.environ,
            "MLFLOW_TRACKING_URI": uri,
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
        },
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(server, f"{url}/ping", "mlflow models serve")
        frame = make_flat_frame(n=12, seed=10)[FEATURES]
        frame["employed"] = frame["employed"].astype(float)
        body = json.dumps({"dataframe_split": json.loads(frame.to_json(orient="split"))})
        request = urllib.request.Request(
            f"{url}/invocations",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        served = np.asarray([row["probability_2y"] for row in answer["predictions"]])
        from riskmodel.bundle import load_bundle

        expected = load_bundle(tmp_path / "bundle").model.predict_proba(frame)[:, 1]
        np.testing.assert_allclose(served, expected, rtol=1e-9)
        assert np.all((served > 0) & (served < 1))  # probabilities, not 0/1 labels
    finally:
        _stop(server)


@pytest.mark.slow
def test_a_one_year_model_serves_probability_1y(tmp_path, monkeypatch):
    """A flat table with ``follow_up_months = 12``: the logged model's output and signature
    name the one-year probability."""
    config = LOGISTIC_CONFIG.replace("follow_up_months = 24", "follow_up_months = 12")
    config = config.replace("within two years", "within one year")
    flat = write_flat_inputs(tmp_path, make_flat_frame(n=300, seed=9), config)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'runs.db'}")
    assert _train(flat, tmp_path / "bundle", "--register", "one-year") == 0
    model = _load_pyfunc("models:/one-year@champion")
    frame = make_flat_frame(n=5, seed=8)[FEATURES]
    frame["employed"] = frame["employed"].astype(float)
    assert list(model.predict(frame).columns) == ["probability_1y"]
    assert [c.name for c in model.metadata.signature.outputs.inputs] == ["probability_1y"]
