"""Benchmark: batch scoring from Parquet with the model people use, streaming in chunks.

Generates populations with the generator of ``bench_features.py`` (1,000,000 people with about
10,000,000 offence rows, and 2,000,000 people; ``--quick``: 20,000 and 40,000), then measures,
each in a fresh subprocess:

* ``riskmodel.scoring.score_files`` with the **default bundle as shipped** (``models/default``:
  the default family, trained by ``make model`` from ``training/synthetic.toml``; its
  ``model_id`` and fitted family are in the JSON under ``bundle``) on the 1M population
  (Parquet in, Parquet out), once in a single process (``workers=1``) and once with two worker
  processes (``workers=2``, ``riskmodel score --workers 2``: the benchmark machine's two
  cores): wall time, CPU time of the main process and peak resident memory. Peak memory is
  the ``VmHWM`` of the scoring process plus the ``VmHWM`` of each of its worker processes (a
  bound on their simultaneous peak), alongside the largest sampled sum of their current
  resident memory;
* beside it, with two workers on the 1M population, bundles of the other families
  (``logistic`` and ``gbm``, each fitted on a separate 10,000-person population with the
  drift reference a real run stores): ``families`` in the JSON;
* ``pandas.read_parquet`` (pyarrow engine) of the same three files, in the same run, and the
  ratio of each scoring time to that reading time;
* scoring the 2M population with the default bundle the same two ways: peak memory, which
  should stay flat (at most 10% above 1M);
* where the time of one chunk goes (``profile``): the default bundle on the first chunk of the
  1M population (``DEFAULT_CHUNK_SIZE`` people) in one process, stage by stage (reading the
  chunk, validation, features, each member's preprocessing and classifier, calibration,
  drift, the output frame, writing), with the functions taking most time under ``cProfile``;
* start-up: ``python -c "import riskmodel.cli"`` and ``riskmodel score --help`` (median of 3).

**Which figure the targets are judged on**: the default bundle's two-worker run
(``judged_on`` in the JSON). The top-level ``score_seconds``, ``ratio_to_read_parquet``,
``peak_rss_gib`` and ``large`` are those of the judged run, and ``single_process`` and
``parallel`` hold both runs' figures side by side (each with its own ratio, peaks and growth).

Writes ``benchmarks/results/scoring.json`` (``results/quick/`` with ``--quick``).
Targets: ratio at most 8 (aim 5), peak at most 3 GiB, 2M peak at most 1.10 x 1M peak.

Usage::

    python benchmarks/bench_scoring.py [--quick] [--chunk-size N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_gib, write_result
from bench_features import generate

TARGET_RATIO = 8.0
TARGET_PEAK_GIB = 3.0
TARGET_GROWTH = 1.10
TRAIN_PEOPLE = 10_000
#: Worker processes of the run the targets are judged on (1 is measured beside it).
JUDGED_WORKERS = 2
#: The bundle people use: the default family as shipped (``make model``).
DEFAULT_BUNDLE = Path(__file__).resolve().parents[1] / "models" / "default"
#: Families measured beside the default (bundles fitted here, two workers, 1M people).
OTHER_FAMILIES = ("logistic", "gbm")


def train_bundle(directory: Path, bundle: Path, family: str) -> dict[str, float]:
    """Fit a model of ``family`` on a small generated population and save it with a drift
    reference (the bundle a real run would load)."""
    from riskmodel.bundle import save_bundle
    from riskmodel.contract import read_tables, validate_tables
    from riskmodel.features import build_feature_table
    from riskmodel.models import RiskModel
    from riskmodel.scoring import drift_reference
    from riskmodel.training._manifest import feature_spec

    t0 = time.perf_counter()
    if not (directory / "people.parquet").exists():
        generate(directory, TRAIN_PEOPLE, seed=99)
    table = build_feature_table(validate_tables(read_tables(directory)), labels=True).labelled()
    model = RiskModel(family=family, cv=3, inner_cv=2).fit(table.X, table.label)
    p = model.predict_proba(table.X)[:, 1]
    save_bundle(
        bundle,
        model,
        manifest={
            "feature_spec": feature_spec(model, "data"),
            "drift_reference": drift_reference(table.X[list(model.feature_names_in_)], p),
        },
        family=family,
    )
    return {"train_seconds": time.perf_counter() - t0, "train_people": len(table)}


def describe_bundle(bundle: Path, family: str | None = None) -> dict[str, object]:
    """Which bundle was measured: its path, ``model_id`` and family (asked and fitted; a
    bundle fitted here without a model description: the ``family`` it was fitted with)."""
    manifest = json.loads((bundle / "manifest.json").read_text())
    model = manifest.get("model", {})
    return {
        "path": str(bundle),
        "model_id": manifest.get("model_id"),
        "family": model.get("family", family),
        "family_fitted": model.get("family_fitted", family),
        "profiles": model.get("profiles"),
        "training_people": (manifest.get("training_data") or {}).get("n_rows"),
    }


class TreeMemory:
    """Peak memory of this process and of its worker processes, sampled in a thread.

    ``VmHWM`` (the peak) of this process and of every descendant seen, kept per process
    (a worker's last reading is its peak up to then), and the largest sampled sum of their
    current resident memory (``VmRSS``). Descendants are found through
    ``/proc/<pid>/task/<tid>/children``: cheap enough to sample often without slowing the
    measured run (scanning every process of the machine, as ``psutil`` does, is not).
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.hwm: dict[int, float] = {}
        self.largest_sum = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _status(pid: int) -> dict[str, float]:
        values = {}
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(("VmHWM:", "VmRSS:")):
                    values[line[:5]] = int(line.split()[1]) / 2**20
        except OSError:  # the process ended
            pass
        return values

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        for path in Path(f"/proc/{pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # the thread or process ended
                found.extend(int(child) for child in path.read_text().split())
        return found

    def sample(self) -> None:
        pids, at = [os.getpid()], 0
        while at < len(pids):
            pids.extend(self._children(pids[at]))
            at += 1
        total = 0.0
        for pid in pids:
            status = self._status(pid)
            if "VmHWM" in status:
                self.hwm[pid] = max(self.hwm.get(pid, 0.0), status["VmHWM"])
            total += status.get("VmRSS", 0.0)
        self.largest_sum = max(self.largest_sum, total)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def measure_score(
    data: Path, bundle: Path, out: Path, chunk_size: int, workers: int = 1
) -> dict[str, object]:
    """Score in this (fresh) process, with ``workers`` worker processes; timings and peaks."""
    from riskmodel.scoring import score_files

    with TreeMemory() as memory:
        c0, t0 = time.process_time(), time.perf_counter()
        summary = score_files(
            model_dir=bundle, data_dir=data, out=out, chunk_size=chunk_size, workers=workers
        )
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    main_peak = peak_rss_gib()
    worker_peaks = [v for pid, v in memory.hwm.items() if pid != os.getpid()]
    return {
        "workers": summary["workers"],
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_gib": main_peak + sum(worker_peaks),
        "main_peak_rss_gib": main_peak,
        "worker_peak_rss_gib": worker_peaks,
        "largest_sampled_rss_sum_gib": memory.largest_sum,
        "people_read": summary["people_read"],
        "people_scored": summary["people_scored"],
        "people_rejected": summary["people_rejected"],
        "chunks": summary["chunks"],
        "chunk_size": summary["chunk_size"],
        "score_psi": summary["drift"].get("score_psi"),
        "output_bytes": out.stat().st_size,
    }


def measure_read(data: Path) -> dict[str, object]:
    """``pandas.read_parquet`` (pyarrow) of the three files, in this (fresh) process."""
    import pandas as pd

    t0 = time.perf_counter()
    rows = {
        name: len(pd.read_parquet(data / f"{name}.parquet", engine="pyarrow"))
        for name in ("people", "offences", "needs")
    }
    return {"seconds": time.perf_counter() - t0, "rows": rows, "peak_rss_gib": peak_rss_gib()}


def measure_stages(data: Path, bundle: Path, chunk_size: int, top: int = 15) -> dict:
    """Where the time of one chunk goes with ``bundle``: the first chunk of ``data`` scored
    stage by stage in this (fresh) process, then once more under ``cProfile``."""
    import cProfile
    import io
    import pstats

    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from sklearn.utils import _safe_indexing

    from riskmodel.contract import validate_tables
    from riskmodel.contract._read import RawTables
    from riskmodel.features import build_feature_table
    from riskmodel.models._profiles import PROFILE_FEATURE
    from riskmodel.scoring._chunks import PersonPartition, load_chunk, open_event_input
    from riskmodel.scoring._drift import drift_counts
    from riskmodel.scoring._score import Scorer, _output, load_model, score_chunk

    stages: dict[str, float] = {}

    def clock(name: str, work):
        t0 = time.perf_counter()
        value = work()
        stages[name] = stages.get(name, 0.0) + time.perf_counter() - t0
        return value

    model, manifest = clock("load bundle", lambda: load_model(bundle))
    reference = manifest["drift_reference"]
    scorer = Scorer(model=model, model_id=str(manifest["model_id"]), reference=reference)
    with tempfile.TemporaryDirectory(prefix="bench_stages_") as tmp:
        partition = clock(
            "partition (whole input)",
            lambda: PersonPartition.build(
                open_event_input(data), chunk_size=chunk_size, workdir=Path(tmp)
            ),
        )
        chunk = clock("read chunk", lambda: load_chunk(partition.ref(0)))
        raw = RawTables(chunk.people, chunk.offences, chunk.needs, metadata={})
        valid = clock("validation", lambda: validate_tables(raw))
        table = clock("features", lambda: build_feature_table(valid, needs_lookback_months=12))
        X = clock("prepare", lambda: model.prepare(table.X))
        raw_total = np.zeros(len(X))
        for weight, family, pipeline in model.members():
            preprocess, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
            if family == "logistic":  # block by block, as scoring computes it
                weights = np.asarray(classifier.coef_, dtype=np.float64)[0]
                score = np.full(len(X), float(np.ravel(classifier.intercept_)[0]))
                for name, transformer, columns in preprocess.transformers_:
                    where = preprocess.output_indices_.get(name)
                    if transformer == "drop" or where is None or where.stop == where.start:
                        continue
                    part = _safe_indexing(X, columns, axis=1)
                    kind = "profile posteriors" if name == PROFILE_FEATURE else "bases"
                    block = clock(
                        f"logistic: {kind}",
                        lambda t=transformer, part=part: (
                            part if t == "passthrough" else t.transform(part)
                        ),
                    )
                    score += clock(
                        "logistic: weights",
                        lambda b=block, w=weights[where]: np.asarray(b, dtype=np.float64) @ w,
                    )
            else:
                Z = clock(f"{family}: preprocessing", lambda p=preprocess: p.transform(X))
                score = clock(
                    f"{family}: {'boosting' if family == 'gbm' else 'classifier'}",
                    lambda c=classifier, Z=Z: c.decision_function(Z),
                )
            raw_total += weight * score
        fitted = model.calibrated_.calibrated_classifiers_[0]
        probability = clock("calibration", lambda: fitted.calibrators[0].predict(raw_total))
        clock("drift", lambda: drift_counts(table.X, probability, reference))
        carried = pd.DataFrame(index=pd.RangeIndex(len(table.ids)))
        frame = clock(
            "output frame",
            lambda: _output(scorer, table.ids, probability, table.groups, carried, None),
        )
        clock(
            "writing (Parquet)",
            lambda: pq.write_table(
                pa.Table.from_pandas(frame, preserve_index=False), Path(tmp) / "scores.parquet"
            ),
        )
        t0 = time.perf_counter()
        score_chunk(chunk, scorer)
        whole = time.perf_counter() - t0
        profiler = cProfile.Profile()
        profiler.enable()
        score_chunk(chunk, scorer)
        profiler.disable()
        partition.cleanup()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(top)
    functions = []
    for line in text.getvalue().splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[1].replace(".", "", 1).isdigit():
            functions.append(
                {"calls": parts[0], "tottime": float(parts[1]), "cumtime": float(parts[3]),
                 "function": parts[5].replace(str(Path(__file__).resolve().parents[1]), "")}
            )  # fmt: skip
    return {
        "bundle": describe_bundle(bundle),
        "chunk_people": len(chunk.people),
        "chunk_offence_rows": len(chunk.offences),
        "stage_seconds": stages,
        "score_chunk_seconds": whole,
        "cprofile_top_by_own_time": functions,
    }


def measure_startup(repeats: int = 3) -> dict[str, float]:
    """Median wall seconds of ``python -c "import riskmodel.cli"`` and of
    ``riskmodel score --help`` (each a new interpreter)."""
    commands = {
        "import_riskmodel_cli_seconds": [sys.executable, "-c", "import riskmodel.cli"],
        "score_help_seconds": [sys.executable, "-m", "riskmodel.cli", "score", "--help"],
    }
    figures = {}
    for name, command in commands.items():
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        figures[name] = statistics.median(times)
    return figures


#: Worker counts measured: the single process, and the run the targets are judged on.
WORKER_COUNTS = (1, JUDGED_WORKERS)


def _engine_figures(
    sizes: tuple[int, int], small: dict, large: dict, workers: int
) -> dict[str, object]:
    """One engine's figures at both sizes, each size against its own read_parquet."""
    score, score_large = small["score"][workers], large["score"][workers]
    ratio = score["seconds"] / small["read_parquet"]["seconds"]
    growth = score_large["peak_rss_gib"] / score["peak_rss_gib"]
    return {
        "engine": "local",
        "workers": workers,
        "score_seconds": score["seconds"],
        "score_cpu_seconds_main_process": score["cpu_seconds"],
        "read_parquet_seconds": small["read_parquet"]["seconds"],
        "ratio_to_read_parquet": ratio,
        "peak_rss_gib": score["peak_rss_gib"],
        "largest_sampled_rss_sum_gib": score["largest_sampled_rss_sum_gib"],
        "people_per_second": sizes[0] / score["seconds"],
        "offence_rows_per_second": small["rows"]["offences"] / score["seconds"],
        "large": {
            "people": sizes[1],
            "offence_rows": large["rows"]["offences"],
            "score_seconds": score_large["seconds"],
            "read_parquet_seconds": large["read_parquet"]["seconds"],
            "ratio_to_read_parquet": score_large["seconds"] / large["read_parquet"]["seconds"],
            "peak_rss_gib": score_large["peak_rss_gib"],
        },
        "peak_growth_large_over_small": growth,
        "meets_targets": bool(
            ratio <= TARGET_RATIO
            and score["peak_rss_gib"] <= TARGET_PEAK_GIB
            and growth <= TARGET_GROWTH
        ),
    }


def _child(*args: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        raise SystemExit(run.returncode)
    return json.loads(run.stdout.strip().splitlines()[-1])


def _score_child(data: Path, bundle: Path, out: Path, chunk_size: int, workers: int) -> dict:
    figures = _child(
        "--measure-score", str(data), str(bundle), str(out), str(chunk_size), str(workers)
    )
    out.unlink(missing_ok=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 and 40,000 people")
    parser.add_argument("--chunk-size", type=int, default=None, help="people per chunk")
    parser.add_argument("--keep", type=Path, default=None, help="keep generated data here")
    parser.add_argument(
        "--bundle", type=Path, default=DEFAULT_BUNDLE, help="the default bundle measured"
    )
    parser.add_argument("--measure-score", nargs=5, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--measure-read", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--measure-stages", nargs=3, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure_score is not None:
        data, bundle, out, chunk, workers = args.measure_score
        figures = measure_score(Path(data), Path(bundle), Path(out), int(chunk), int(workers))
        print(json.dumps(figures))
        return 0
    if args.measure_read is not None:
        print(json.dumps(measure_read(args.measure_read)))
        return 0
    if args.measure_stages is not None:
        data, bundle, chunk = args.measure_stages
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):  # as a worker process scores: one native thread
            print(json.dumps(measure_stages(Path(data), Path(bundle), int(chunk))))
        return 0

    from riskmodel.scoring import DEFAULT_CHUNK_SIZE

    chunk_size = args.chunk_size or DEFAULT_CHUNK_SIZE
    sizes = (20_000, 40_000) if args.quick else (1_000_000, 2_000_000)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_scoring_"))
    root.mkdir(parents=True, exist_ok=True)
    bundle = args.bundle
    others: dict[str, dict] = {}
    try:
        startup = measure_startup()
        print(f"start-up: {startup}", file=sys.stderr, flush=True)
        for family in OTHER_FAMILIES:
            path = root / f"bundle-{family}"
            others[family] = {"training": train_bundle(root / "train", path, family)}
            print(f"trained {family} in {others[family]['training']['train_seconds']:.1f} s",
                  file=sys.stderr, flush=True)  # fmt: skip
        runs = {}
        for n in sizes:
            data = root / f"data-{n}"
            t0 = time.perf_counter()
            rows = generate(data, n)
            print(f"generated {rows} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            read = _child("--measure-read", str(data))
            scores = {}
            for workers in WORKER_COUNTS:
                out = root / f"scores-{n}-{workers}.parquet"
                scores[workers] = _score_child(data, bundle, out, chunk_size, workers)
                print(
                    f"{n:,} people, default bundle, {workers} worker(s): score "
                    f"{scores[workers]['seconds']:.1f} s, peak "
                    f"{scores[workers]['peak_rss_gib']:.2f} GiB; read_parquet "
                    f"{read['seconds']:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
            if n == sizes[0]:
                profile = _child("--measure-stages", str(data), str(bundle), str(chunk_size))
                for family, record in others.items():
                    out = root / f"scores-{family}.parquet"
                    path = root / f"bundle-{family}"
                    figures = _score_child(data, path, out, chunk_size, JUDGED_WORKERS)
                    record.update(
                        bundle=describe_bundle(path, family),
                        workers=JUDGED_WORKERS,
                        score_seconds=figures["seconds"],
                        ratio_to_read_parquet=figures["seconds"] / read["seconds"],
                        peak_rss_gib=figures["peak_rss_gib"],
                    )
                    print(f"{n:,} people, {family} bundle: {figures['seconds']:.1f} s",
                          file=sys.stderr, flush=True)  # fmt: skip
            runs[n] = {"rows": rows, "read_parquet": read, "score": scores}
            if args.keep is None:
                shutil.rmtree(data, ignore_errors=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)

    small, large = (runs[n] for n in sizes)
    by_engine = {
        workers: _engine_figures(sizes, small, large, workers) for workers in WORKER_COUNTS
    }
    judged = by_engine[JUDGED_WORKERS]
    default = describe_bundle(bundle)
    families = {
        "default": {
            "bundle": default,
            "workers": JUDGED_WORKERS,
            "score_seconds": judged["score_seconds"],
            "ratio_to_read_parquet": judged["ratio_to_read_parquet"],
            "peak_rss_gib": judged["peak_rss_gib"],
        },
        **others,
    }
    result = {
        "people": sizes[0],
        "offence_rows": small["rows"]["offences"],
        "needs_rows": small["rows"]["needs"],
        "chunk_size": small["score"][JUDGED_WORKERS]["chunk_size"],
        "bundle": default,
        "family": default["family"],
        "family_fitted": default["family_fitted"],
        "engine": "local",
        "workers": JUDGED_WORKERS,
        "judged_on": (
            f"the default bundle ({default['path']}, model {default['model_id']}, family "
            f"{default['family']} fitted as {default['family_fitted']}), engine local with "
            f"{JUDGED_WORKERS} worker processes (riskmodel score --workers {JUDGED_WORKERS}); "
            "the single-process figures are under single_process"
        ),
        "score_seconds": judged["score_seconds"],
        "score_cpu_seconds_main_process": judged["score_cpu_seconds_main_process"],
        "read_parquet_seconds": judged["read_parquet_seconds"],
        "ratio_to_read_parquet": judged["ratio_to_read_parquet"],
        "peak_rss_gib": judged["peak_rss_gib"],
        "people_per_second": judged["people_per_second"],
        "offence_rows_per_second": judged["offence_rows_per_second"],
        "large": judged["large"],
        "peak_growth_large_over_small": judged["peak_growth_large_over_small"],
        "single_process": by_engine[1],
        "parallel": judged,
        "families": families,
        "profile": profile,
        "startup": startup,
        "read_parquet_peak_rss_gib": small["read_parquet"]["peak_rss_gib"],
        "runs": {str(k): v for k, v in runs.items()},
        "targets": {
            "ratio_to_read_parquet": TARGET_RATIO,
            "peak_rss_gib": TARGET_PEAK_GIB,
            "peak_growth_large_over_small": TARGET_GROWTH,
        },
        "meets_targets": judged["meets_targets"],
        "load_average_at_end": os.getloadavg()[0],
    }
    write_result("scoring", result, quick=args.quick)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
