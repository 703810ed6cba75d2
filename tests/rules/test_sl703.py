from catalog_cases import files_case
from rule_recipes import Case
from steplint.diagnostics import Severity
from steplint.recipe import Notes
from steplint.rules.base import RuleContext
from steplint.rules.sl703_deprecated_key import RULE, version_tuple
from steplint.settings import Settings

HF = "learning_rate: 2.0e-5\nwarmup_ratio: 0.03\noutput_dir: out\n"


def _run(c: Case, **targets):
    settings = Settings(target_versions=targets)
    return list(RULE.check(RuleContext(recipe=c.recipe, documents=c.documents, rule=RULE, settings=settings)))


def test_warmup_ratio_against_the_default_target_is_a_notice():
    """Gone from transformers 5.15, but a repository on 4.x uses it correctly: without a pinned
    target version the finding is info and says how to pin one."""
    [d] = files_case({"args.yaml": ("hf-training-args", HF)}).run(RULE)
    assert d.severity is Severity.INFO and (d.line, d.column) == (2, 1)
    assert "warmup_ratio is removed in transformers 5.15 (target transformers 5.25): use warmup_steps" in d.message
    assert 'set [tool.steplint.target-version] transformers = "X.Y"' in d.message


def test_warmup_ratio_with_a_pinned_target_is_the_rule_severity():
    [d] = _run(files_case({"args.yaml": ("hf-training-args", HF)}), transformers="5.15")
    assert d.severity is Severity.WARNING
    assert "removed in transformers 5.15 (target transformers 5.15)" in d.message
    assert "steplint assumes" not in d.message


def test_still_read_up_to_5_14():
    [d] = _run(files_case({"args.yaml": ("hf-training-args", HF)}), transformers="5.14")
    assert "deprecated since transformers 5.0 (target transformers 5.14)" in d.message


def test_deprecated_but_still_read_in_5_0():
    [d] = _run(files_case({"args.yaml": ("hf-training-args", HF)}), transformers="5.0")
    assert "deprecated since transformers 5.0" in d.message


def test_older_target_version_is_clean():
    assert _run(files_case({"args.yaml": ("hf-training-args", HF)}), transformers="4.46") == []


def test_torchtitan_toml_renames():
    text = "[training]\nbatch_size = 8\nsteps = 100\n\n[lr_scheduler]\nlr_min = 0.1\n"
    found = files_case({"train.toml": ("torchtitan", text)}).run(RULE)
    assert [(d.line, d.message.split(" ")[0]) for d in found] == [(2, "training.batch_size"), (6, "lr_scheduler.lr_min")]
    assert "use lr_scheduler.min_lr_factor" in found[1].message


def test_megatron_flag_spelled_with_dashes():
    text = "#!/bin/bash\ntorchrun pretrain_gpt.py --checkpoint-activations --train-iters 10\n"
    [d] = files_case({"run.sh": ("megatron", text)}).run(RULE)
    assert "use recompute_activations" in d.message


def test_current_keys_and_unknown_dialects_are_clean():
    assert files_case({"args.yaml": ("hf-training-args", "warmup_steps: 0.03\noutput_dir: o\n")}).run(RULE) == []
    assert files_case({"x.yaml": ("unknown", HF)}).run(RULE) == []


def test_version_tuple():
    assert version_tuple("4.46.1") == (4, 46, 1) and version_tuple("v0.2.2") == (0, 2, 2)
    assert version_tuple("latest") > version_tuple("99.0")


def test_megatron_deepspeed_forks_keep_the_old_flag_names():
    text = "#!/bin/bash\ndeepspeed pretrain_gpt.py --checkpoint-activations --train-iters 10\n"
    c = files_case({"run.sh": ("megatron", text)},
                   notes={"run.sh": Notes(variant="megatron-deepspeed/bigscience")})
    assert c.run(RULE) == []


def test_present_finds_what_the_full_key_walk_finds():
    """SL703 walks only the subtrees that can hold a key of its table (`_present`); for those
    keys it must give exactly what the walk over every key (`_keys`) gives: the later of
    repeated keys, dashes normalized, a key that itself holds a dot, deeper levels."""
    from steplint.documents.load import load_document
    from steplint.rules.sl703_deprecated_key import _keys, _present

    text = ("training:\n  batch-size: 8\n  warmup_steps: 10\n  batch_size: 9\n"
            "a.b:\n  c: 1\na:\n  b.c: 2\n  b:\n    c: 3\n    d: {e: 4}\n--x: 5\nlist: [1, 2]\n")
    root = load_document("t.yaml", text=text).root
    wanted = frozenset({"training.batch_size", "training.warmup_steps", "a.b.c", "a.b.d.e", "x", "list", "nope.z"})
    heads = frozenset(k[:i] for k in wanted for i, ch in enumerate(k) if ch == ".")
    got: dict = {}
    _present(root, wanted, heads, "", got)
    full = {k: v for k, v in dict(_keys(root)).items() if k in wanted}
    assert got == full
    assert set(got) == {"training.batch_size", "training.warmup_steps", "a.b.c", "a.b.d.e", "x", "list"}
    assert got["training.batch_size"][1].value == 9  # the later spelling, as dict(_keys) keeps
