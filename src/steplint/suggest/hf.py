"""Hugging Face: a TrainingArguments YAML (TRL / alignment-handbook / run_clm style).

Key names from transformers `training_args.py` and `optimization.py` (the v4 and v5 lines,
as steplint's dialect reads them: steplint/dialects/hf_training_args.py):
per_device_train_batch_size, gradient_accumulation_steps, max_steps, learning_rate,
warmup_steps, lr_scheduler_type `cosine_with_min_lr` with lr_scheduler_kwargs.min_lr
(an absolute floor; `get_cosine_with_min_lr_schedule_with_warmup`). The sequence length is
the training script's key: TRL's `max_length`. TrainingArguments has no tensor or pipeline
parallel keys: the batch counts every GPU as data parallel.
"""

from __future__ import annotations

from steplint.suggest import explanation, yaml_float
from steplint.suggest.recipe import Recipe


def render(r: Recipe) -> tuple[str, list[str]]:
    lay = r.layout
    notes = []
    if lay.tensor_parallel * lay.pipeline_parallel > 1:
        notes.append("TrainingArguments has no tensor/pipeline parallel keys: set them in your launcher "
                     "(DeepSpeed, FSDP, accelerate); the batch below assumes DP = "
                     f"{lay.data_parallel}")
    lines = [f"# {line}".rstrip() for line in explanation(r)] + [f"# Note: {n}" for n in notes] + [
        f"# Launch on {lay.world_size} GPUs (e.g. `accelerate launch --num_processes {lay.world_size}`);",
        "# add model_name_or_path and your data keys. max_length is TRL's SFTConfig key for the sequence",
        "# length (run_clm.py calls it block_size).",
        f"per_device_train_batch_size: {lay.micro_batch}",
        f"gradient_accumulation_steps: {r.grad_accum}",
        f"max_steps: {r.train_steps}",
        f"max_length: {r.seq_len}",
        f"learning_rate: {yaml_float(r.lr)}",
        "lr_scheduler_type: cosine_with_min_lr",
        "lr_scheduler_kwargs:",
        f"  min_lr: {yaml_float(r.min_lr)}",
        f"warmup_steps: {r.warmup_steps}",
    ]
    return "\n".join(lines) + "\n", []
