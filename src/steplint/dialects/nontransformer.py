"""Mark an extraction as a recurrent or hybrid model: Step Law does not apply, N is not counted.

A dialect that finds its framework's own marker of a non-transformer layer stack (NeoX
`attention_config` with mamba/rwkv layers, nanotron `is_mamba_config`, NeMo
`megatron_mamba`/`megatron_griffin`, Megatron `--hybrid-layer-pattern`, HF `model_type`
mamba/rwkv/jamba, MaxText `decoder_block: qwen3_next`) calls `mark`: the transformer counts
it may have made from the generic keys are dropped (they would count Mamba blocks as
attention + MLP), and `Notes.not_transformer` carries the reason SL305 prints.
"""

from __future__ import annotations

from steplint.dialects.base import Extraction


def mark(extraction: Extraction, reason: str) -> Extraction:
    """`extraction` without transformer counts, with the reason for SL305 and a notice."""
    facts = {k: v for k, v in extraction.facts.items() if not k.startswith("n_params")}
    notice = f"{extraction.file}: {reason}, not a transformer: N is not counted"
    return extraction._replace(facts=facts, arch=None, notes=extraction.notes._replace(not_transformer=reason),
                               notices=tuple(extraction.notices) + (notice,))
