"""DeepSpeed: a JSON config (no comments: the explanation goes to the notes, on stderr).

Key names from microsoft/DeepSpeed 38327e0 `deepspeed/runtime/config.py` and
`runtime/lr_schedules.py` (WarmupCosineLR: total_num_steps, warmup_num_steps,
cos_min_ratio as a ratio of the optimizer's LR, warmup_min_ratio), as steplint's dialect
reads them (steplint/dialects/deepspeed.py). DeepSpeed holds no sequence length nor token
count: the notes give the steps for D.
"""

from __future__ import annotations

import json

from steplint.suggest import explanation
from steplint.suggest.recipe import Recipe


def render(r: Recipe) -> tuple[str, list[str]]:
    lay = r.layout
    config = {
        "train_batch_size": r.batch_sequences,
        "train_micro_batch_size_per_gpu": lay.micro_batch,
        "gradient_accumulation_steps": r.grad_accum,
        "optimizer": {"type": "AdamW", "params": {"lr": r.lr}},
        "scheduler": {"type": "WarmupCosineLR", "params": {
            "total_num_steps": r.train_steps, "warmup_num_steps": r.warmup_steps,
            "warmup_min_ratio": 0.0, "cos_min_ratio": r.min_lr / r.lr}},
    }
    if lay.tensor_parallel * lay.pipeline_parallel > 1:
        notes_parallel = [f"DeepSpeed's batch keys count data-parallel ranks only: DP = {lay.data_parallel} "
                          f"(TP {lay.tensor_parallel} x PP {lay.pipeline_parallel} set in your launcher)"]
    else:
        notes_parallel = []
    notes = [line.strip() for line in explanation(r)] + notes_parallel + [
        f"Run {r.train_steps} steps at sequence length {r.seq_len} for D (DeepSpeed stores neither)."]
    return json.dumps(config, indent=2) + "\n", notes
