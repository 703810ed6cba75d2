"""When Step Law's LR/batch comparison means something, and when it does not.

Step Law was fitted on dense and MoE models trained from scratch with AdamW in standard
parametrization (arXiv 2503.04715; steplaw.md section 4.2). μP moves the meaning of the
base LR, other optimizers have other optima, and fine-tuning, LoRA or continued
pre-training start from a trained model (step-law/steplaw#7). SL301-SL303 stay silent
then, and SL305 says why once.
"""

from __future__ import annotations

from steplint.recipe import Recipe

# Optimizers Step Law's AdamW optimum says nothing about, as spelled in the frameworks
# steplint reads (HF `optim` values such as lion_8bit, adafactor, sgd, ademamix,
# schedule_free_adamw; Megatron/NeMo "sgd"; torchtitan/nanotron "Muon", "Lion"...). A name
# not listed (adamw_torch_fused, fused_adam, NeMo's mcore_distributed_optim, which is Adam)
# counts as AdamW: an unknown spelling must not silence SL301-SL303.
_NOT_ADAMW_MARKERS = (
    "muon", "lion", "adafactor", "soap", "sgd", "shampoo", "sophia", "lamb", "lars", "adagrad",
    "rmsprop", "adan", "ademamix", "lomo", "schedule_free", "schedulefree", "novograd",
)


def _is_adam_family(name: str) -> bool:
    lowered = name.lower()
    return not any(marker in lowered for marker in _NOT_ADAMW_MARKERS)


# The last recipe's exclusions: SL301, SL302, SL303 and SL305 ask in turn for the same
# recipe (by identity: a Recipe is immutable; only the last one is kept).
_LAST: list[tuple[Recipe, tuple[str, ...]]] = []


def steplaw_exclusions(recipe: Recipe) -> tuple[str, ...]:
    """Why Step Law does not apply to this recipe; empty when it does."""
    if _LAST and _LAST[0][0] is recipe:
        return _LAST[0][1]
    reasons = _exclusions(recipe)
    _LAST[:] = [(recipe, reasons)]
    return reasons


def _exclusions(recipe: Recipe) -> tuple[str, ...]:
    reasons: list[str] = []
    if str(recipe.value("parametrization", "standard")).lower() == "mup":
        reasons.append("μP parametrization (Step Law was fitted in standard parametrization)")
    optimizer = recipe.value("optimizer")
    if isinstance(optimizer, str) and optimizer and not _is_adam_family(optimizer):
        reasons.append(f"optimizer {optimizer!r} is not AdamW (Step Law was fitted with AdamW)")
    init = str(recipe.value("init", "scratch")).lower()
    if init == "lora":
        reasons.append("LoRA training (Step Law covers pre-training from scratch)")
    elif init == "finetune":
        reasons.append("fine-tuning a pretrained model (Step Law covers pre-training from scratch)")
    elif init == "checkpoint":
        reasons.append("continued pre-training from a checkpoint (Step Law covers training from scratch)")
    # A dialect that reads a recurrent or hybrid architecture (Mamba, RWKV, Jamba...) says
    # what it is in its Notes: Step Law's grid is dense and MoE transformers only (MHA
    # attention, SwiGLU FFN; steplaw.md section 4), and its N counts attention + FFN weights.
    # A dialect that reads a training objective other than the next-token loss (knowledge
    # distillation) names it here: Step Law's grid trained with plain language-model loss.
    objective = recipe.notes.objective
    if objective:
        reasons.append(f"{objective}; Step Law was fitted on the plain next-token loss")
    not_transformer = recipe.notes.not_transformer
    if not_transformer:
        reasons.append(f"{not_transformer}, not a transformer (Step Law was fitted on dense and MoE "
                       "transformers)")
    return tuple(reasons)


def steplaw_applies(recipe: Recipe) -> bool:
    """True when SL301-SL303 should compare the recipe with Step Law."""
    return not steplaw_exclusions(recipe)


def is_pretraining(recipe: Recipe) -> bool:
    """From-scratch pre-training (the default when no file says otherwise)."""
    return str(recipe.value("init", "scratch")).lower() == "scratch"
