"""Shared fixtures (headless Chromium rendering of HTML reports, the scoring tests' bundles,
built once per run) and the order in which the tests are handed to xdist workers."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge behaviour, never speed: a loaded machine must not fail them on hypothesis's
# per-example deadline (speed targets live in `make bench`).
settings.register_profile("riskmodel", deadline=None)
settings.load_profile("riskmodel")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

#: Seconds (setup and call, about those of a quiet 2-core machine) of the tests and test files
#: that take longest. They are handed out first, longest first, so that no worker is left running
#: a long test while the other has finished; anything not named keeps its place after them. A file
#: whose tests share a module-scoped fixture runs as one unit on one worker (``xdist_group``,
#: with ``--dist loadgroup``), so that its fixture is built once; its tests named here add up.
LONGEST = {
    "tests/test_demo.py::test_demo_pages": 56,
    "tests/test_train_mlflow.py": 32,
    "tests/test_benchmarks.py": 32,
    "tests/test_explain.py": 30,
    "tests/test_scoring.py": 24,
    "tests/test_scoring_dask.py": 18,
    "tests/test_crossval.py": 17,
    "tests/test_monotone.py": 17,
    "tests/test_hostile_interrupts.py": 15,
    "tests/test_hostile_misc.py": 11,
    "tests/test_fairness_cli.py::"
    "test_model_features_checked_as_proxies_of_the_data_group_columns": 11,
    "tests/test_score_reasons.py": 9,
    "tests/test_explain_report.py": 9,
    "tests/test_hostile_tables.py": 9,
    "tests/test_train.py": 8,
    "tests/test_hostile_rows.py": 7,
    "tests/test_horizon.py": 7,
    "tests/test_grouped_splits.py": 6,
    "tests/test_notebooks.py::test_notebook_runs_top_to_bottom[04_compas]": 6,
    "tests/test_notebooks.py::test_notebook_runs_top_to_bottom[02_review]": 6,
    "tests/test_notebooks.py::test_notebook_runs_top_to_bottom[01_quickstart]": 6,
    "tests/test_notebooks.py::test_notebook_runs_top_to_bottom[03_allocation]": 5,
    "tests/test_models.py": 6,
    "tests/test_survival.py": 6,
    "tests/test_synthetic.py": 5,
    "tests/test_scoring_engines.py::test_workers_give_the_single_process_output_row_for_row": 5,
    "tests/test_programme_sources.py": 4,
    "tests/test_outputs_cli.py": 4,
}


def _module_fixtures(item: pytest.Item) -> bool:
    """Whether ``item`` uses a fixture that lives as long as its module (or class)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        definitions[-1].scope in ("module", "class", "package")
        for definitions in info.name2fixturedefs.values()
        if definitions
    )


def _name_group(config: pytest.Config, item: pytest.Item, group: str) -> None:
    """Give ``item`` the ``@group`` suffix by which ``--dist loadgroup`` sends a group to one
    worker. pytest-xdist adds it by setting ``item._nodeid``, which pytest 9.2 no longer reads
    (its node id is ``item._id``): without this, a grouped file's tests were spread over both
    workers, each building the file's module-scoped fixtures."""
    if not getattr(config.option, "loadgroup", False) or "@" in item.nodeid:
        return
    named = f"{item.nodeid}@{group}"
    if hasattr(item, "_id"):
        item._id = type(item._id).parse(named)
    else:
        item._nodeid = named  # pytest before 9.2


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group each file that has module-scoped fixtures, and put the longest units first."""
    path = {item: item.nodeid.split("::")[0] for item in items}
    grouped = {path[item] for item in items if _module_fixtures(item)}
    for item in items:
        if path[item] in grouped:
            item.add_marker(pytest.mark.xdist_group(path[item]))

    def unit(item: pytest.Item) -> str:
        return path[item] if path[item] in grouped else item.nodeid

    first_seen: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for index, item in enumerate(items):
        first_seen.setdefault(unit(item), index)
        seconds[unit(item)] = seconds.get(unit(item), 0) + LONGEST.get(item.nodeid, 0)
    for name in seconds:  # a file named as a whole, run as one unit
        seconds[name] = max(seconds[name], LONGEST.get(name, 0))
    items.sort(key=lambda item: (-seconds[unit(item)], first_seen[unit(item)]))
    for item in items:
        if path[item] in grouped:
            _name_group(config, item, path[item])


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """The directory ``name``, made by ``build(directory)`` once per test run: the xdist
    workers of a run share it (the first to ask builds it, the others wait for it)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's directory, above each worker's own
    target = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / f"{name}.done").exists():
                shutil.rmtree(target, ignore_errors=True)
                target.mkdir()
                build(target)
                (root / f"{name}.done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small logistic model trained on event data, saved as a bundle with a drift reference
    (read only: a test that changes a bundle works on a copy)."""
    from tests.test_scoring import build_event_bundle

    return built_once(tmp_path_factory, "event-bundle", build_event_bundle) / "bundle"


@pytest.fixture(scope="session")
def flat_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small logistic model trained on a flat table, and its configuration file."""
    from tests.test_scoring import build_flat_bundle

    where = built_once(tmp_path_factory, "flat-bundle", build_flat_bundle)
    return where / "flat-bundle", where / "flat.toml"


@dataclass
class RenderedPage:
    """What headless Chromium saw when it opened a report."""

    text: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    broken_images: int = 0
    #: ``document.documentElement.scrollWidth``: wider than the viewport means the page
    #: scrolls sideways.
    scroll_width: int = 0


@pytest.fixture(scope="session")
def render_html() -> Callable[..., RenderedPage]:
    """Open an HTML file in headless Chromium (optionally ``width`` pixels wide) and report its
    text, any errors and its scroll width.

    Skips (with the reason) where Chromium or Playwright is missing; ``.ci/run`` installs
    Chromium so that CI always runs these tests.
    """
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    manager = sync_api.sync_playwright().start()
    browser = manager.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )

    def render(path: Path, width: int | None = None) -> RenderedPage:
        page = browser.new_page(**({"viewport": {"width": width, "height": 844}} if width else {}))
        result = RenderedPage(text="")
        page.on(
            "console",
            lambda m: result.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_load_state("load")
        result.text = page.inner_text("body")
        result.broken_images = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
        )
        result.scroll_width = page.evaluate("document.documentElement.scrollWidth")
        page.close()
        return result

    render.browser = browser  # for tests that drive a page themselves (axe-core)
    yield render
    browser.close()
    manager.stop()
