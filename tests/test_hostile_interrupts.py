"""Nothing sensitive left behind when ``score`` is interrupted, and no traceback when its
Dask scheduler cannot be reached.

A run into a directory works in a hidden folder beside its output (Arrow copies of people,
ethnicity included, offences and needs) and writes its outputs through temporaries. Stopped by
SIGTERM or SIGHUP, it removes them, stops its workers and exits with 128 + the signal number
and one line; killed by SIGKILL, its workers die with it and the next run into the same place
removes what it left; a full disk ends in exit code 2 and one message, with nothing left.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from riskmodel._errors import RiskmodelError
from riskmodel._io import atomic_path
from riskmodel._owners import owner_alive, owner_tag, remove_orphans
from riskmodel.cli import main
from riskmodel.cli._messages import TERMINATED
from riskmodel.cli._progress import progress
from riskmodel.cli._signals import Terminated, stop_cleanly_on_signals
from riskmodel.scoring import _chunks, _run
from riskmodel.scoring._chunks import WORKDIR_PREFIX, remove_orphan_workdirs
from riskmodel.scoring._messages import DISK_FULL, SCHEDULER_UNREACHABLE
from riskmodel.synthetic import generate_population, write_population
from tests.hostile import fingerprint, play

ROOT = Path(__file__).resolve().parents[1]
#: Seconds any one wait of these tests may take.
WAIT = 20


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """A data directory of 3,000 synthetic people and a copy of the repository's bundle."""
    where = tmp_path_factory.mktemp("interrupts")
    data = write_population(generate_population(3000, seed=20), where / "data")
    bundle = where / "bundle"
    shutil.copytree(ROOT / "models" / "default", bundle)
    return data, bundle


def leftovers(directory: Path) -> list[str]:
    """Working folders and temporaries in ``directory``."""
    return sorted(
        p.name
        for p in directory.iterdir()
        if p.name.startswith(WORKDIR_PREFIX) or p.name.endswith(".tmp")
    )


def dead_pid() -> int:
    """The id of a process of this host that has ended (and been collected)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=WAIT)
    return child.pid


def running(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those of ``processes`` still running (a zombie has ended)."""
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    return alive


def start_score(data: Path, bundle: Path, out: Path, workers: int, log: Path) -> subprocess.Popen:
    """``riskmodel score`` in chunks of 25 people (120 chunks: a run of several seconds, long
    enough to be stopped, short enough to finish within a wait), output to ``log``."""
    with open(log, "w") as handle:
        return subprocess.Popen(
            [
                sys.executable, "-m", "riskmodel.cli", "score", "--model", str(bundle),
                "--data", str(data), "--out", str(out), "--chunk-size", "25",
                "--workers", str(workers),
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )  # fmt: skip


def started(process: subprocess.Popen, directory: Path, workers: int) -> list[psutil.Process]:
    """Wait until the run works in its folder (and its worker runs); its child processes."""
    deadline = time.monotonic() + WAIT
    parent = psutil.Process(process.pid)
    while time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be interrupted"
        children = parent.children(recursive=True)
        spawned = [c for c in children if "multiprocessing.spawn" in " ".join(c.cmdline())]
        if any(p.name.startswith(WORKDIR_PREFIX) for p in directory.glob(".*")) and (
            workers == 1 or len(spawned) == workers - 1
        ):
            time.sleep(0.5)  # a few chunks scored
            return parent.children(recursive=True)
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the run never created its working folder")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("workers", "signum", "out_name"),
    [
        pytest.param(1, signal.SIGTERM, "scores.csv", id="SIGTERM-one-process"),
        pytest.param(2, signal.SIGTERM, "scores.parquet", id="SIGTERM-two-workers"),
        pytest.param(1, signal.SIGHUP, "scores.csv", id="SIGHUP-one-process"),
    ],
)
def test_a_stopped_run_removes_its_files_and_stops_its_workers(
    inputs, tmp_path, workers, signum, out_name
):
    data, bundle = inputs
    before = fingerprint(data, bundle)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    log = tmp_path / "log.txt"
    process = start_score(data, bundle, out_dir / out_name, workers, log)
    children = started(process, out_dir, workers)
    assert len(children) >= workers - 1
    assert leftovers(out_dir)  # the working folder and the temporaries exist meanwhile
    process.send_signal(signum)
    code = process.wait(timeout=WAIT)
    text = log.read_text()
    assert code == 128 + signum, text
    assert TERMINATED.format(signal=signal.Signals(signum).name) in text
    assert "Traceback" not in text
    assert leftovers(out_dir) == []
    assert list(out_dir.iterdir()) == []  # no output either
    _, alive = psutil.wait_procs(children, timeout=5)
    assert running(alive) == []
    assert fingerprint(data, bundle) == before


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_a_killed_runs_workers_die_and_the_next_run_removes_its_files(inputs, tmp_path, workers):
    data, bundle = inputs
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    process = start_score(data, bundle, out_dir / "scores.csv", workers, tmp_path / "log.txt")
    children = started(process, out_dir, workers)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=WAIT) == -signal.SIGKILL
    _, alive = psutil.wait_procs(children, timeout=5)
    assert running(alive) == []  # no worker outlives its parent
    left = leftovers(out_dir)
    assert any(name.startswith(f"{WORKDIR_PREFIX}{process.pid}@") for name in left)
    assert ".scores.csv." in " ".join(left)  # a temporary output too
    played = play(
        "score", "--model", bundle, "--data", data, "--out", out_dir / "scores.csv",
        inputs=(data, bundle), code=0, summary=out_dir / "scores.summary.json", timeout=WAIT,
    )  # fmt: skip
    assert "people read: 3,000" in played.out
    assert leftovers(out_dir) == []
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "scores.csv",
        "scores.rejects.csv",
        "scores.summary.json",
    ]


def test_a_stop_swallowed_inside_a_library_ends_the_command_at_the_next_item():
    """Python runs the handler between two steps of whatever the main thread does; where a
    library swallows what is raised there, the next item of the command's loop raises again."""
    seen = []
    with pytest.raises(Terminated) as stop, stop_cleanly_on_signals():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # interrupted by the handler
        except BaseException:  # a library that swallows everything
            pass
        for item in progress(range(3), "scoring"):
            seen.append(item)
    assert (stop.value.exit_code, seen) == (143, [])
    assert list(progress(range(3), "scoring")) == [0, 1, 2]  # the next command starts afresh


def test_only_folders_and_temporaries_of_dead_owners_are_removed(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        host = owner_tag().split("@")[1]
        dead, live = f"{dead_pid()}@{host}", f"{sleeper.pid}@{host}"
        assert not owner_alive(dead) and owner_alive(live) and owner_alive(owner_tag())
        names = {
            "dead": f"{WORKDIR_PREFIX}{dead}.abc",
            "live": f"{WORKDIR_PREFIX}{live}.abc",
            "mine": f"{WORKDIR_PREFIX}{owner_tag()}.abc",
            "other host": f"{WORKDIR_PREFIX}{dead.split('@')[0]}@elsewhere.abc",
            "no owner": f"{WORKDIR_PREFIX}abcdefgh",
        }
        for name in names.values():
            (tmp_path / name).mkdir()
            (tmp_path / name / "people-000000.arrow").write_bytes(b"x")
        temporaries = [f".s.csv.{dead}.abc.tmp", f".s.csv.{live}.abc.tmp", ".s.csv.abc.tmp"]
        for name in temporaries:
            (tmp_path / name).write_text("")
        assert remove_orphan_workdirs(tmp_path) == [tmp_path / names["dead"]]
        with atomic_path(tmp_path / "s.csv") as tmp:  # sweeps the temporaries of s.csv
            tmp.write_text("done")
        left = sorted(p.name for p in tmp_path.iterdir())
        kept = [name for key, name in names.items() if key != "dead"]
        assert left == sorted([*kept, *temporaries[1:], "s.csv"]) and len(left) == 7
        assert remove_orphans(tmp_path / "missing", WORKDIR_PREFIX) == []
    finally:
        sleeper.kill()
        sleeper.wait(timeout=WAIT)


def no_room(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("out_name", ["scores.csv", "scores.parquet"])
@pytest.mark.parametrize("where", ["partition", "output"])
def test_a_full_disk_ends_in_one_message_and_leaves_nothing(
    inputs, tmp_path, capsys, monkeypatch, out_name, where
):
    data, bundle = inputs
    out_dir = tmp_path / "out"
    if where == "partition":  # the working folder fills the disk; closing its files fails too
        monkeypatch.setattr(_chunks._ChunkFiles, "write", no_room)
        monkeypatch.setattr(_chunks._ChunkFiles, "close", no_room)
    else:  # the scores fill it, after a first chunk was written
        write = _run._Writer.write
        calls = []

        def write_then_fail(self, frame):
            calls.append(1)
            if len(calls) > 2:
                no_room()
            write(self, frame)

        monkeypatch.setattr(_run._Writer, "write", write_then_fail)
    code = main(
        ["score", "--model", str(bundle), "--data", str(data), "--out", str(out_dir / out_name),
         "--chunk-size", "1000"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.strip() == "error: " + DISK_FULL.format(where=out_dir)
    assert list(out_dir.iterdir()) == []  # no working folder, no temporary, no output


@pytest.mark.slow
def test_the_workers_of_a_failed_run_end(inputs, tmp_path, monkeypatch):
    data, bundle = inputs
    monkeypatch.setattr(_run._Writer, "write", no_room)
    with pytest.raises(RiskmodelError, match=re.escape(DISK_FULL.format(where=tmp_path))):
        _run.score_files(
            model_dir=bundle, data_dir=data, out=tmp_path / "s.csv", chunk_size=500, workers=2
        )
    workers = [
        p for p in psutil.Process().children() if "multiprocessing.spawn" in " ".join(p.cmdline())
    ]
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert running(alive) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_is_one_message(inputs, tmp_path):
    data, bundle = inputs
    with socket.socket() as probe:  # a port of this machine that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    # the wait the user chose, said in the message (that the default wait is 5 s is checked
    # on the engine, in test_error_messages.py)
    expected = SCHEDULER_UNREACHABLE.split(" (")[0].format(address=address, seconds="1.5")
    started_at = time.monotonic()
    played = play(
        "score", "--model", bundle, "--data", data, "--out", tmp_path / "out" / "s.csv",
        "--engine", "dask", "--scheduler", address, "--scheduler-timeout", "1.5",
        inputs=(data, bundle), code=2, message=expected, timeout=WAIT + 10,
    )  # fmt: skip
    assert time.monotonic() - started_at < 1.5 + 15
    assert played.err.count("\n") == 1  # one line
    assert "may need a longer --scheduler-timeout" in played.err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
