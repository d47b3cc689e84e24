"""Output paths are checked before anything is written: nothing an output would destroy."""

from __future__ import annotations

import pytest

from riskmodel._errors import ConfigError
from riskmodel._outputs import (
    OUTPUT_IN_INPUT,
    OUTPUT_IS_DIRECTORY,
    OUTPUT_IS_INPUT,
    OUTPUT_NOT_OURS,
    OUTPUTS_COLLIDE,
    SAME_KIND_NEEDS_FORCE,
    check_outputs,
    mark_output,
    output_kind,
)


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "people.csv").write_text("person_id\nA\n")
    return folder


def test_an_output_inside_an_input_directory_is_refused(data_dir):
    with pytest.raises(ConfigError) as info:
        check_outputs({"--out": data_dir / "people.csv"}, input_dirs=[data_dir])
    assert str(info.value) == OUTPUT_IN_INPUT.format(
        option="--out", output=data_dir / "people.csv", input=data_dir.resolve()
    )
    with pytest.raises(ConfigError) as info:
        check_outputs({"--out": data_dir / "new.csv"}, input_dirs=[data_dir])
    assert str(info.value) == OUTPUT_IN_INPUT.format(
        option="--out", output=data_dir / "new.csv", input=data_dir.resolve()
    )


def test_an_output_that_is_an_input_file_or_holds_the_inputs(tmp_path, data_dir):
    table = tmp_path / "table.csv"
    table.write_text("id\n1\n")
    with pytest.raises(ConfigError) as info:
        check_outputs({"--rejects": table}, input_files=[table])
    assert str(info.value) == OUTPUT_IS_INPUT.format(
        option="--rejects", output=table, input=table.resolve()
    )
    with pytest.raises(ConfigError) as info:
        check_outputs({"--out": tmp_path}, input_dirs=[data_dir], directories={"--out": "bundle"})
    assert str(info.value) == OUTPUT_IS_INPUT.format(
        option="--out", output=tmp_path, input=data_dir.resolve()
    )


def test_two_outputs_on_one_path_are_refused(tmp_path):
    path = tmp_path / "scores.csv"
    with pytest.raises(ConfigError) as info:
        check_outputs({"--out": path, "--rejects": path})
    assert str(info.value) == OUTPUTS_COLLIDE.format(
        option="--rejects", output=path, other="--out"
    )


def test_a_directory_that_is_not_ours_is_never_replaced(tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    for force in (False, True):
        with pytest.raises(ConfigError) as info:
            check_outputs({"--out": folder}, directories={"--out": "bundle"}, force=force)
        assert str(info.value) == OUTPUT_NOT_OURS.format(
            option="--out", output=folder, kind="bundle"
        )
    assert (folder / "precious.txt").read_text() == "keep me"


def test_an_earlier_output_of_the_same_kind_needs_force(tmp_path):
    folder = tmp_path / "report"
    mark_output(folder, "fairness")
    (folder / "report.html").write_text("<p>old</p>")
    with pytest.raises(ConfigError) as info:
        check_outputs({"--out": folder}, directories={"--out": "fairness"})
    assert str(info.value) == SAME_KIND_NEEDS_FORCE.format(
        option="--out", output=folder, kind="fairness"
    )
    check_outputs({"--out": folder}, directories={"--out": "fairness"}, force=True)
    with pytest.raises(ConfigError, match="not a riskmodel cohort output"):
        check_outputs({"--out": folder}, directories={"--out": "cohort"}, force=True)


def test_empty_or_new_directories_and_plain_files_are_fine(tmp_path):
    (tmp_path / "empty").mkdir()
    check_outputs({"--out": tmp_path / "empty"}, directories={"--out": "explain"})
    check_outputs({"--out": tmp_path / "new"}, directories={"--out": "explain"})
    (tmp_path / "old.csv").write_text("x\n")
    check_outputs({"--out": tmp_path / "old.csv"})
    assert output_kind(tmp_path / "empty") is None


def test_a_file_output_onto_a_directory_is_refused(tmp_path):
    with pytest.raises(ConfigError) as info:
        check_outputs({"--out": tmp_path})
    assert str(info.value) == OUTPUT_IS_DIRECTORY.format(option="--out", output=tmp_path)


def test_outputs_written_before_markers_are_recognised(tmp_path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "manifest.json").write_text('{"model_sha256": "x"}')
    synthetic = tmp_path / "synthetic"
    synthetic.mkdir()
    (synthetic / "metadata.json").write_text('{"seed": 1, "extract_date": "2026-06-30"}')
    (synthetic / "truth.csv").write_text("person_id,true_probability_2y\n")
    assert (output_kind(bundle), output_kind(synthetic)) == ("bundle", "synthetic")
    check_outputs({"--out": synthetic}, directories={"--out": "synthetic"}, force=True)
    (synthetic / "truth.csv").unlink()
    assert output_kind(synthetic) is None
