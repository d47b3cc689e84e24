"""Model bundles: sha256 checked before unpickling, version warnings, clear errors."""

from __future__ import annotations

import json
import re
import shutil

import joblib
import pytest

from riskmodel._errors import DataError
from riskmodel.bundle import (
    BUNDLE_MODIFIED,
    BUNDLE_UNLOADABLE,
    BundleVersionWarning,
    file_sha256,
    load_bundle,
    save_bundle,
)
from riskmodel.models import BaseRateModel
from tests.commands import run_cli


@pytest.fixture
def bundle_dir(tmp_path):
    model = BaseRateModel().fit([[0], [1], [2], [3]], [0, 1, 1, 1])
    save_bundle(
        tmp_path / "bundle",
        model,
        manifest={"outcome": "test outcome", "follow_up_months": 24},
        card="# {model_id}\n\nsha {model_sha256}\n",
        family="base_rate",
    )
    return tmp_path / "bundle"


def _prefix(template: str) -> str:
    return re.escape(template.split("{")[0])


def test_round_trip(bundle_dir):
    bundle = load_bundle(bundle_dir)
    assert bundle.model.base_rate_ == 0.75
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    assert manifest["model_sha256"] == file_sha256(bundle_dir / "model.joblib")
    assert bundle.model_id == manifest["model_id"]
    assert manifest["model_id"] in (bundle_dir / "MODEL_CARD.md").read_text()


def test_one_byte_changed_is_refused(bundle_dir):
    path = bundle_dir / "model.joblib"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"model bundle .* was modified") as info:
        load_bundle(bundle_dir)
    assert "refusing to load it" in str(info.value)
    assert str(info.value).startswith(_prefix(BUNDLE_MODIFIED).replace("\\", "")[:12])


def test_modified_bundle_exits_2_without_traceback(bundle_dir, tmp_path):
    path = bundle_dir / "model.joblib"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    table = tmp_path / "t.csv"
    table.write_text("id,age,y\na,30,1\nb,40,0\n")
    result = run_cli(
        "evaluate", "--model", bundle_dir, "--table", table, "--out", tmp_path / "out"
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "was modified" in result.stderr and "refusing to load it" in result.stderr
    assert not (tmp_path / "out").exists()


def test_version_difference_warns_naming_both(bundle_dir):
    manifest_path = bundle_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    installed = manifest["versions"]["scikit-learn"]
    manifest["versions"]["scikit-learn"] = "0.0.1"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.warns(BundleVersionWarning) as record:
        load_bundle(bundle_dir)
    message = str(record[0].message)
    assert "scikit-learn 0.0.1" in message and installed in message


def test_unloadable_model_says_how_to_rebuild(bundle_dir):
    path = bundle_dir / "model.joblib"
    path.write_bytes(b"not a pickle at all")
    manifest_path = bundle_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["model_sha256"] = file_sha256(path)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=_prefix(BUNDLE_UNLOADABLE)) as info:
        load_bundle(bundle_dir)
    assert "make model" in str(info.value)


def test_not_a_bundle(tmp_path):
    with pytest.raises(DataError, match="is not a model bundle"):
        load_bundle(tmp_path)


def test_rewriting_a_bundle_replaces_it(bundle_dir):
    first = json.loads((bundle_dir / "manifest.json").read_text())["model_sha256"]
    model = BaseRateModel().fit([[0], [1]], [0, 1])
    save_bundle(bundle_dir, model, manifest={}, family="base_rate")
    second = load_bundle(bundle_dir)
    assert second.model.base_rate_ == 0.5
    assert second.manifest["model_sha256"] != first
    assert not (bundle_dir / "MODEL_CARD.md").exists()
    assert not [p for p in bundle_dir.parent.iterdir() if p.name.startswith(".")]


def test_joblib_dump_is_what_is_hashed(bundle_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(bundle_dir, copy)
    assert joblib.load(copy / "model.joblib").base_rate_ == 0.75
    assert load_bundle(copy).manifest["model_sha256"] == file_sha256(copy / "model.joblib")
