"""SL305 steplaw-not-applicable: one notice when Step Law's premises do not hold."""

from __future__ import annotations

from typing import Iterator

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._applicability import steplaw_exclusions
from steplint.rules.base import Rule, RuleContext, RuleDocs

_BLAME_ORDER = ("init", "parametrization", "optimizer")


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    reasons = steplaw_exclusions(ctx.recipe)
    if not reasons:
        return
    at = next((found for found in (ctx.recipe.get(name) for name in _BLAME_ORDER)
               if found is not None and found.source.kind == "key"), None)
    yield ctx.diagnostic(
        "Step Law does not apply: " + "; ".join(reasons) + ". SL301-SL303 are not checked for this recipe.",
        at=at,
    )


RULE = Rule(
    code="SL305",
    name="steplaw-not-applicable",
    severity=Severity.INFO,
    summary="μP, non-AdamW, LoRA, fine-tuning, continued pre-training or a recurrent/hybrid architecture "
            "(Mamba, RWKV, Jamba): SL301-SL303 are silenced.",
    check=_check,
    docs=RuleDocs(
        what=(
            "Detects recipes outside Step Law's premises: μP parametrization (NeoX use-mup, MiniCPM-style "
            "scale factors), an optimizer that is not AdamW (Muon, Lion, Adafactor, SOAP, SGD), LoRA, "
            "fine-tuning a pretrained model, continued pre-training from a checkpoint, a recurrent or "
            "hybrid architecture, or knowledge distillation (NeMo `kd_teacher_restore_from_path`, "
            "Megatron-DeepSpeed `--mos` / `--kd` / `--load-teacher`). It prints one "
            "notice at the key that decided it and turns off SL301-SL303 (only those) for the recipe. "
            "Where a run starts is read from each framework's own keys: OLMo `load_path` with "
            "`restore_dataloader: false` or `reset_*_state`, nanotron `init_method.path` or a "
            "`resume_checkpoint_path` without its optimizer or LR scheduler, Megatron `--finetune`, "
            "`--pretrained-checkpoint`, `--load` with `--no-load-optim` or a fine-tuning entry script, "
            "NeMo `restore_from_path` / `peft`, torchtitan `checkpoint.initial_load_path`, litgpt "
            "`initial_checkpoint_dir` and finetune configs, Levanter `initialize_from_*` / `lora` / SFT "
            "data, HF hub weights with chat or post-training keys, axolotl `base_model`, LLaMA-Factory "
            "`stage` / `finetuning_type` (sft and lora by default). A checkpoint restored with its optimizer, "
            "scheduler and step (Megatron `--load`, a nanotron resume) continues a run and is not a change "
            "of start; `steplint show` names the deciding key as the source of `init`."
        ),
        why=(
            "Step Law was fitted on models trained from scratch with AdamW in standard parametrization. "
            "A μP base LR, a Lion LR or a fine-tuning LR is a different quantity; comparing it with the "
            "law would produce confident but meaningless errors. The authors state the law covers "
            "from-scratch pre-training (steplaw#7)."
        ),
        evidence=(
            "arXiv 2503.04715 (Step Law), training setup; steplaw.md §4",
            "https://github.com/step-law/steplaw/issues/7",
            "https://github.com/microsoft/mup (μP changes what the base LR means)",
        ),
        example="# LLaMA-Factory\nstage: pt\nfinetuning_type: lora",
        fix="Nothing to fix. Use a law fitted for your setting, or ignore the notice with --ignore SL305.",
    ),
)
