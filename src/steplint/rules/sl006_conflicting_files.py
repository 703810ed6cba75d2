"""SL006 conflicting-files: reported by the resolver while merging files; docs here."""

from steplint.diagnostics import Severity
from steplint.rules.base import Rule, RuleDocs

RULE = Rule(
    code="SL006",
    name="conflicting-files",
    severity=Severity.WARNING,
    summary="Two files of one recipe disagree on a value.",
    docs=RuleDocs(
        what=(
            "Two files that form one recipe (for example Hugging Face TrainingArguments and the "
            "DeepSpeed JSON it names, or split GPT-NeoX configs) both set a value and the values "
            "differ. The finding names both places; the related location points at the other file."
        ),
        why=(
            "Which value the run uses depends on merge order rules few people remember; a "
            "reviewer who reads one file sees a different run than the one that will happen. "
            "Values the HF Trainer rejects outright are SL701 instead."
        ),
        evidence=(
            "HF Trainer vs DeepSpeed value mismatches: https://github.com/huggingface/transformers/issues/27830",
        ),
        example="# args.yaml\nlearning_rate: 3.0e-4\n# ds_config.json\n{\"optimizer\": {\"params\": {\"lr\": 1e-4}}}\n",
        fix="Set the value in one file only (for DeepSpeed under HF, use \"auto\").",
    ),
)
