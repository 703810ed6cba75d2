import json

from click.testing import CliRunner

from steplint.cli import cli

ARGS = "output_dir: out\nper_device_train_batch_size: 4\ngradient_accumulation_steps: 8\nlearning_rate: 3.0e-4\n" \
       "lr_scheduler_type: cosine\nmax_steps: 1000\ndeepspeed: ds.json\n"
DS = '{{\n  "train_micro_batch_size_per_gpu": {micro},\n  "gradient_accumulation_steps": 8,\n' \
     '  "optimizer": {{"type": "AdamW", "params": {{"lr": {lr}}}}}\n}}\n'


def _run(tmp_path, micro, lr):
    (tmp_path / "args.yaml").write_text(ARGS)
    (tmp_path / "ds.json").write_text(DS.format(micro=micro, lr=lr))
    r = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", "--select", "SL006",
                                 str(tmp_path / "args.yaml"), str(tmp_path / "ds.json")])
    return r.exit_code, [(d["code"], d["file"].rsplit("/", 1)[-1], d["line"], d["column"], d["related"][0]["line"])
                         for d in json.loads(r.output)["diagnostics"]]


def test_hf_arguments_and_deepspeed_json_that_disagree(tmp_path):
    code, found = _run(tmp_path, micro=8, lr="1e-4")
    assert code == 1
    assert found == [("SL006", "ds.json", 2, 37, 2), ("SL006", "ds.json", 4, 51, 4)]


def test_files_that_agree_are_clean(tmp_path):
    assert _run(tmp_path, micro=4, lr="3e-4") == (0, [])
