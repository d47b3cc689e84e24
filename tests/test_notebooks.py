"""Every notebook in notebooks/ runs top to bottom (executed with nbclient, outputs discarded)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
COMPAS = Path(__file__).resolve().parents[2] / "shared" / "data" / "compas"


def test_there_are_notebooks():
    names = {path.stem for path in NOTEBOOKS}
    assert {"01_quickstart", "02_review", "03_allocation", "04_compas"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path, tmp_path):
    if "compas" in path.stem and not (COMPAS / "compas-scores-two-years.csv").exists():
        pytest.skip(f"the shared COMPAS data is absent ({COMPAS})")
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
