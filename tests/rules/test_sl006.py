"""SL006 through the engine: GPT-NeoX split configs (the corpus's Llama 7B pair) grouped with
--recipe, one of them given a conflicting value. (Hugging Face arguments vs their DeepSpeed
JSON are SL701 instead, per architecture.md section 4.)"""

import json
import shutil

from click.testing import CliRunner
from conftest import shared_path

from steplint.cli import cli


def _split_pair(tmp_path, model_iters):
    corpus = shared_path("corpus", "configs", "gpt-neox", "llama_7B_split")
    shutil.copy(corpus / "train_config.yml", tmp_path / "train_config.yml")
    model = (corpus / "7B.yml").read_text()
    if model_iters is not None:
        end = model.rstrip().rfind("}")
        model = model[:end] + f'  "train_iters": {model_iters},\n}}\n'
    (tmp_path / "7B.yml").write_text(model)
    return f"{tmp_path / '7B.yml'},{tmp_path / 'train_config.yml'}"


def _run(tmp_path, group, *passed):
    r = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", "--select", "SL006",
                                 "--recipe", group, *(str(tmp_path / p) for p in passed)])
    assert "Traceback" not in r.output
    return r.exit_code, [(d["code"], d["file"].rsplit("/", 1)[-1], d["line"], d["column"], d["related"][0]["line"])
                         for d in json.loads(r.output)["diagnostics"]]


def test_two_files_of_one_recipe_that_disagree(tmp_path):
    group = _split_pair(tmp_path, 100000)
    code, found = _run(tmp_path, group, "7B.yml", "train_config.yml")
    assert code == 1
    [(rule, file, line, column, other_line)] = found
    assert (rule, file) == ("SL006", "train_config.yml")
    assert (tmp_path / "train_config.yml").read_text().splitlines()[line - 1][column - 1:].startswith("320000")
    assert (tmp_path / "7B.yml").read_text().splitlines()[other_line - 1].strip() == '"train_iters": 100000,'


def test_files_that_agree_are_clean(tmp_path):
    assert _run(tmp_path, _split_pair(tmp_path, None), "7B.yml", "train_config.yml") == (0, [])


def test_a_declared_group_is_loaded_whole_but_reports_only_passed_files(tmp_path):
    """pre-commit passes only the changed file: `--recipe` still loads its partner."""
    group = _split_pair(tmp_path, 100000)
    assert [f[1] for f in _run(tmp_path, group, "train_config.yml")[1]] == ["train_config.yml"]
    assert _run(tmp_path, group, "7B.yml") == (0, [])  # the finding is in a file not passed


