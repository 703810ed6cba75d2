"""Nothing outside the tree (issue 15 item 5; architecture.md section 5): a path written
inside a config (HF `deepspeed:`, a model folder, Megatron `--deepspeed_config` /
`--yaml-cfg`) is opened only within the root of the file named on the command line: its
git work tree, or outside any git work tree that file's own folder. Elsewhere it is not
read, and an info finding says so; its values never reach the recipe or the output."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from steplint.cli import cli
from steplint.resolve import load_recipe

HF = Path(__file__).resolve().parent / "fixtures" / "hf"
SECRET = "TOP-SECRET-VALUE-" + "x" * 60


def _outside_ds(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ds = folder / "ds.json"
    ds.write_text(json.dumps({"train_micro_batch_size_per_gpu": 8, "gradient_accumulation_steps": 4,
                              "optimizer": {"type": SECRET, "params": {"lr": 6e-4}}}))
    return ds


def _args(folder: Path, deepspeed: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (HF / "pretrain.yaml").read_text().replace("deepspeed: ds_zero2.json", f"deepspeed: {deepspeed}")
    shutil.copytree(HF / "tiny-llama", folder / "tiny-llama")
    path = folder / "args.yaml"
    path.write_text(text)
    return path


def _not_read(loaded):
    return [d for d in loaded.diagnostics if d.code == "SL007" and "not read" in d.message]


def test_a_deepspeed_path_leaving_the_git_work_tree_is_not_read(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    ds = _outside_ds(tmp_path / "elsewhere")
    args = _args(repo / "configs", str(ds))  # absolute path out of the repository
    loaded = load_recipe([str(args)])
    assert str(ds) not in loaded.documents and os.path.realpath(ds) not in map(os.path.realpath, loaded.recipe.files)
    (finding,) = _not_read(loaded)
    assert str(finding.severity) == "info" and finding.line == 3
    relative = _args(repo / "b", "../../elsewhere/ds.json")  # relative, climbing out
    assert _not_read(load_recipe([str(relative)]))


def test_inside_the_work_tree_other_folders_are_fine(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    ds = _outside_ds(repo / "deepspeed")
    args = _args(repo / "configs", "../deepspeed/ds.json")
    loaded = load_recipe([str(args)])
    assert not _not_read(loaded)
    assert any(os.path.realpath(f) == os.path.realpath(ds) for f in loaded.recipe.files)


def test_outside_git_the_root_is_the_files_own_folder(tmp_path):
    _outside_ds(tmp_path / "sibling")
    args = _args(tmp_path / "configs", "../sibling/ds.json")
    from steplint.resolve import tree_root

    assert tree_root(str(args)) == str(tmp_path / "configs")
    assert _not_read(load_recipe([str(args)]))
    _outside_ds(tmp_path / "configs" / "ds")
    args.write_text(args.read_text().replace("../sibling/ds.json", "ds/ds.json"))  # below its folder: read
    assert not _not_read(load_recipe([str(args)]))


def test_a_symlink_inside_the_tree_pointing_out_is_not_followed(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    ds = _outside_ds(tmp_path / "elsewhere")
    (repo / "configs").mkdir(parents=True)
    (repo / "configs" / "ds.json").symlink_to(ds)
    args = _args(repo / "configs", "ds.json")
    assert _not_read(load_recipe([str(args)]))


def test_show_never_prints_a_value_of_a_file_outside_the_tree(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    ds = _outside_ds(tmp_path / "elsewhere")
    args = _args(repo, str(ds))
    for command in (["show", "--format", "json"], ["show"], ["check", "--isolated", "--output-format", "json"]):
        r = CliRunner().invoke(cli, [*command, str(args)])
        assert SECRET[:20] not in r.output, command
        assert "not read" in r.output, command


def test_the_command_line_may_name_any_file(tmp_path):
    """Paths the user names are the user's choice: passing the outside file reads it."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    ds = _outside_ds(tmp_path / "elsewhere")
    args = _args(repo, str(ds))
    loaded = load_recipe([str(args), str(ds)])
    assert any(os.path.realpath(f) == os.path.realpath(ds) for f in loaded.recipe.files)


@pytest.mark.parametrize("key", ["--deepspeed_config", "--yaml-cfg"])
def test_megatron_launch_flags_stay_inside_too(tmp_path, key):
    ds = _outside_ds(tmp_path / "elsewhere")
    (tmp_path / "run").mkdir()
    script = tmp_path / "run" / "train.sh"
    script.write_text(f"#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 24 --hidden-size 2048 "
                      f"--num-attention-heads 16 --seq-length 2048 --lr 3e-4 {key} ../elsewhere/ds.json\n")
    loaded = load_recipe([str(script)])
    assert str(ds) not in loaded.documents
    assert _not_read(loaded), [d.message for d in loaded.diagnostics]


@pytest.mark.parametrize("command", ["check", "show"])
def test_model_must_be_a_model_config(tmp_path, command):
    args = tmp_path / "args.yaml"
    args.write_text((HF / "pretrain.yaml").read_text())
    notes = tmp_path / "notes.txt"
    notes.write_text("root:x:0:0:root:/root:/bin/bash\n" + SECRET + "\n")
    training = tmp_path / "other.yaml"
    training.write_text("learning_rate: 3.0e-4\nper_device_train_batch_size: 8\n")
    binary = tmp_path / "weights.json"
    binary.write_bytes(b"\x00\xff\xfe" + SECRET.encode())
    for bad, says in ((notes, "not a model config"), (binary, "cannot be read as a model config"),
                      (training, "not a model config"),
                      (tmp_path, "no config.json")):
        r = CliRunner().invoke(cli, [command, "--isolated", "--model", str(bad), str(args)])
        assert r.exit_code == 2, r.output
        assert says in r.output and SECRET[:20] not in r.output and "Traceback" not in r.output
    good = CliRunner().invoke(cli, [command, "--isolated", "--model", str(HF / "tiny-llama" / "config.json"), str(args)])
    assert good.exit_code in (0, 1), good.output
    folder = CliRunner().invoke(cli, [command, "--isolated", "--model", str(HF / "tiny-llama"), str(args)])
    assert folder.exit_code == good.exit_code, folder.output  # a folder holding config.json (issue 13's --model DIR)


@pytest.mark.parametrize(("written", "severity"), [("/no/such/container/ds.json", "info"), ("missing_ds.json", "warning")])
def test_a_missing_path_outside_the_tree_is_info(tmp_path, written, severity):
    """`deepspeed: /model/ds.json` (a container path) would not be read even if it existed:
    info that says so; a missing file inside the repository stays a warning."""
    (tmp_path / ".git").mkdir()
    args = _args(tmp_path / "repo", written)
    (tmp_path / "repo" / ".git").mkdir()
    r = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", "--select", "SL007", str(args)])
    [d] = [d for d in json.loads(r.output)["diagnostics"] if "deepspeed" in d["message"]]
    assert d["severity"] == severity
    assert ("outside the checked file's tree" in d["message"]) is (severity == "info")
