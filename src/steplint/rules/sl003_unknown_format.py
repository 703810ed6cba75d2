"""SL003 unknown-format: reported by the resolver when no dialect claims a file; docs here."""

from steplint.diagnostics import Severity
from steplint.rules.base import Rule, RuleDocs

RULE = Rule(
    code="SL003",
    name="unknown-format",
    severity=Severity.INFO,
    summary="The file is not a training config of a framework steplint knows, or a config that does not train.",
    docs=RuleDocs(
        what=(
            "No dialect (Megatron-LM, NeMo, DeepSpeed, GPT-NeoX, Hugging Face, torchtitan, ...) "
            "recognises the file. This is info, so an unrelated YAML/JSON/TOML file that happens "
            "to be passed (a GitHub workflow, package.json) never fails a run; it becomes an "
            "error only when `--dialect` forced a framework that the file does not match. Configs "
            "that do not train (a NeMo inference or export YAML, a Megatron text-generation server or "
            "checkpoint conversion script, an HF generation_config.json, `do_train: false` evaluation "
            "runs, LLaMA-Factory inference and export files, lm-evaluation-harness tasks) are recognised "
            "and reported here at info with their kind, instead of being linted as training runs."
        ),
        why=(
            "A hook that runs on every YAML file must stay quiet on files that are not training "
            "configs, yet a config steplint silently skipped would look checked when it was not. "
            "The info line makes the skip visible without failing CI."
        ),
        evidence=(
            "Noisy defaults are the top complaint about YAML linters (yamllint `truthy` on `on:`, "
            "https://github.com/adrienverge/yamllint/issues/744)",
        ),
        example='{"name": "my-web-app", "dependencies": {}}\n',
        fix=(
            "If the file is a training config, name its framework with `--dialect NAME` or "
            "`[tool.steplint] dialect`; otherwise exclude it or ignore SL003."
        ),
    ),
)
