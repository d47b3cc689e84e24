"""Model bundles: skops persistence with an allowlist of types, the manifest and model file
checked before anything is loaded, version warnings, clear errors."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections import OrderedDict
from pathlib import Path

import pytest
import skops.io as sio

from riskmodel._errors import DataError
from riskmodel.bundle import (
    BUNDLE_MODIFIED,
    BUNDLE_UNLOADABLE,
    LEGACY_BUNDLE,
    MANIFEST_MODIFIED,
    NOT_A_BUNDLE,
    NOT_A_MODEL,
    UNTRUSTED_TYPES,
    BundleVersionWarning,
    file_sha256,
    load_bundle,
    manifest_sha256,
    save_bundle,
)
from riskmodel.models import BaseRateModel
from tests.commands import run_here


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


def _edit_manifest(bundle: Path, change, *, reseal: bool) -> None:
    """Change the manifest; ``reseal`` also records its new sha256 (as a rebuild would)."""
    path = bundle / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    if reseal:
        manifest["manifest_sha256"] = manifest_sha256(manifest)
    path.write_text(json.dumps(manifest))


def _replace_model_file(bundle: Path, data: bytes) -> None:
    (bundle / "model.skops").write_bytes(data)
    digest = file_sha256(bundle / "model.skops")
    _edit_manifest(bundle, lambda m: m.update(model_sha256=digest), reseal=True)


def test_round_trip(bundle_dir):
    bundle = load_bundle(bundle_dir)
    assert bundle.model.base_rate_ == 0.75
    manifest = json.loads((bundle_dir / "manifest.json").read_text())
    assert manifest["model_sha256"] == file_sha256(bundle_dir / "model.skops")
    assert manifest["manifest_sha256"] == manifest_sha256(manifest)
    assert bundle.model_id == manifest["model_id"]
    assert manifest["model_id"] in (bundle_dir / "MODEL_CARD.md").read_text()
    assert not (bundle_dir / "model.joblib").exists()


def test_one_byte_changed_is_refused(bundle_dir):
    path = bundle_dir / "model.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"model bundle .* was modified") as info:
        load_bundle(bundle_dir)
    assert "refusing to load it" in str(info.value)
    assert str(info.value).startswith(BUNDLE_MODIFIED.split("{actual}")[0].format(path=bundle_dir))


def test_modified_bundle_exits_2_without_traceback(bundle_dir, tmp_path):
    path = bundle_dir / "model.skops"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    table = tmp_path / "t.csv"
    table.write_text("id,age,y\na,30,1\nb,40,0\n")
    result = run_here("evaluate", "--model", bundle_dir, "--table", table, "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "was modified" in result.stderr and "refusing to load it" in result.stderr
    assert not (tmp_path / "o").exists()


def test_edited_manifest_is_refused(bundle_dir):
    """The needs look-back changes scores: editing it without a rebuild is caught."""
    _edit_manifest(
        bundle_dir, lambda m: m.update(feature_spec={"needs_lookback_months": 3}), reseal=False
    )
    with pytest.raises(DataError) as info:
        load_bundle(bundle_dir)
    assert str(info.value) == MANIFEST_MODIFIED.format(path=bundle_dir)


def test_edited_manifest_stops_scoring_with_exit_2(bundle_dir, tmp_path):
    _edit_manifest(bundle_dir, lambda m: m.update(outcome="edited"), reseal=False)
    (tmp_path / "data").mkdir()
    result = run_here(
        "score", "--model", bundle_dir, "--data", tmp_path / "data", "--out", tmp_path / "s.csv"
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert MANIFEST_MODIFIED.format(path=bundle_dir) in result.stderr


def test_version_difference_warns_naming_both(bundle_dir):
    installed = json.loads((bundle_dir / "manifest.json").read_text())["versions"]
    _edit_manifest(
        bundle_dir, lambda m: m["versions"].update({"scikit-learn": "0.0.1"}), reseal=True
    )
    with pytest.warns(BundleVersionWarning) as record:
        load_bundle(bundle_dir)
    message = str(record[0].message)
    assert "scikit-learn 0.0.1" in message and installed["scikit-learn"] in message


def test_unloadable_model_says_how_to_rebuild(bundle_dir):
    _replace_model_file(bundle_dir, b"not a skops file at all")
    with pytest.raises(DataError) as info:
        load_bundle(bundle_dir)
    assert str(info.value).startswith(
        BUNDLE_UNLOADABLE.split("{reason}")[0].format(path=bundle_dir)
    )
    assert "make model" in str(info.value)


def test_a_type_outside_the_allowlist_is_refused_unloaded(bundle_dir, tmp_path):
    """A model file naming a function that would run code (``os.system``) is refused by name
    before anything is loaded."""
    _replace_model_file(bundle_dir, sio.dumps({"payload": os.system}))
    with pytest.raises(DataError) as info:
        load_bundle(bundle_dir)
    assert str(info.value).startswith(UNTRUSTED_TYPES.split("{types}")[0].format(path=bundle_dir))
    assert "system" in str(info.value)


def test_a_pickle_bundle_never_runs_its_payload(bundle_dir, tmp_path):
    """An earlier version's bundle is a pickle: it is refused, and its payload never runs."""
    marker = tmp_path / "payload-ran"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    legacy = tmp_path / "legacy"
    shutil.copytree(bundle_dir, legacy)
    (legacy / "model.skops").unlink()
    (legacy / "model.joblib").write_bytes(pickle.dumps(Payload()))
    with pytest.raises(DataError) as info:
        load_bundle(legacy)
    assert str(info.value) == LEGACY_BUNDLE.format(path=legacy)
    (tmp_path / "data").mkdir()
    result = run_here(
        "score", "--model", legacy, "--data", tmp_path / "data", "--out", tmp_path / "s.csv"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert LEGACY_BUNDLE.format(path=legacy) in result.stderr
    assert not marker.exists()


def test_a_model_file_of_the_wrong_kind(bundle_dir):
    _replace_model_file(bundle_dir, sio.dumps({"not": "a model"}))
    with pytest.raises(DataError) as info:
        load_bundle(bundle_dir)
    assert str(info.value) == NOT_A_MODEL.format(path=bundle_dir, kind="dict")


def test_a_model_file_that_is_a_directory(bundle_dir):
    (bundle_dir / "model.skops").unlink()
    (bundle_dir / "model.skops").mkdir()
    with pytest.raises(DataError) as info:
        load_bundle(bundle_dir)
    assert str(info.value) == NOT_A_BUNDLE.format(
        path=bundle_dir, reason="manifest.json and model.skops expected"
    )


def test_a_manifest_nested_too_deeply_is_not_a_bundle(bundle_dir):
    (bundle_dir / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataError) as info:
        load_bundle(bundle_dir)
    assert str(info.value).startswith(
        NOT_A_BUNDLE.format(path=bundle_dir, reason="unreadable manifest: ")
    )


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


def test_skops_file_is_what_is_hashed(bundle_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(bundle_dir, copy)
    trusted = sio.get_untrusted_types(file=copy / "model.skops")
    assert sio.load(copy / "model.skops", trusted=trusted).base_rate_ == 0.75
    assert load_bundle(copy).manifest["model_sha256"] == file_sha256(copy / "model.skops")


def test_a_model_file_read_before_is_handed_out_again_as_a_copy(bundle_dir, monkeypatch):
    first = load_bundle(bundle_dir).model
    first.base_rate_ = 0.5  # a caller changing its model changes nobody else's

    def never(*args, **kwargs):
        raise AssertionError("the model file was read again")

    with monkeypatch.context() as patch:
        patch.setattr(sio, "load", never)
        again = load_bundle(bundle_dir).model
        assert again is not first and again.base_rate_ == 0.75
        # the checks still run on every load: a changed file is refused, not served from memory
        path = bundle_dir / "model.skops"
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        with pytest.raises(DataError, match=r"model bundle .* was modified"):
            load_bundle(bundle_dir)


def test_only_the_most_recent_model_files_are_kept(tmp_path, monkeypatch):
    from riskmodel import bundle as bundle_module

    bundles = []
    for k in range(bundle_module._READ_MODELS_KEPT + 1):
        model = BaseRateModel().fit(
            [[0], [1], [2], [3]], [0] * (3 - min(k, 2)) + [1] * (1 + min(k, 2))
        )
        model.seed_ = k  # each file its own bytes
        save_bundle(tmp_path / f"b{k}", model, manifest={"outcome": "o", "follow_up_months": 24})
        bundles.append(tmp_path / f"b{k}")
        load_bundle(bundles[-1])
    reads = []
    real = sio.load
    monkeypatch.setattr(sio, "load", lambda *a, **kw: reads.append(a[0]) or real(*a, **kw))
    load_bundle(bundles[-1])  # kept
    load_bundle(bundles[0])  # the oldest: forgotten, read again
    assert reads == [bundles[0] / "model.skops"]


def test_a_model_that_cannot_be_copied_is_read_from_its_file_each_time(bundle_dir, monkeypatch):
    from riskmodel import bundle as bundle_module

    def cannot(model):
        raise TypeError("cannot copy")

    monkeypatch.setattr(bundle_module, "_read_models", OrderedDict())  # nothing read before
    monkeypatch.setattr(bundle_module.copy, "deepcopy", cannot)
    reads = []
    real = sio.load
    monkeypatch.setattr(sio, "load", lambda *a, **kw: reads.append(a[0]) or real(*a, **kw))
    assert load_bundle(bundle_dir).model.base_rate_ == 0.75
    assert load_bundle(bundle_dir).model.base_rate_ == 0.75
    assert len(reads) == 2
