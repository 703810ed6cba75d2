"""GPT-NeoX: a YAML of NeoXArgs (merged with the model's YAML by `deepy.py`).

Key names from EleutherAI/gpt-neox ea7aefd `megatron/neox_arguments/neox_args.py`
(train_micro_batch_size_per_gpu, gradient_accumulation_steps, train_batch_size come from
DeepSpeed's config and NeoX accepts them at the top level; train_iters, lr_decay_iters,
lr_decay_style, min_lr, warmup as a fraction of the decay iterations, seq_length,
model_parallel_size, pipe_parallel_size, optimizer.params.lr), as steplint's NeoX dialect
reads them (steplint/dialects/neox.py).
"""

from __future__ import annotations

from steplint.suggest import explanation, yaml_float
from steplint.suggest.recipe import Recipe


def render(r: Recipe) -> tuple[str, list[str]]:
    lay = r.layout
    warmup = r.warmup_steps / r.train_steps
    lines = [f"# {line}".rstrip() for line in explanation(r)] + [
        f"# NeoX's warmup is a fraction of lr_decay_iters: {warmup!r} x {r.train_steps} = {r.warmup_steps} steps.",
        "# Merge with your model YAML (num_layers, hidden_size, num_attention_heads, ...).",
        "{",
        f'  "train_batch_size": {r.batch_sequences},',
        f'  "train_micro_batch_size_per_gpu": {lay.micro_batch},',
        f'  "gradient_accumulation_steps": {r.grad_accum},',
        f'  "model_parallel_size": {lay.tensor_parallel},',
        f'  "pipe_parallel_size": {lay.pipeline_parallel},',
        f'  "seq_length": {r.seq_len},',
        f'  "max_position_embeddings": {r.seq_len},',
        f'  "train_iters": {r.train_steps},',
        f'  "lr_decay_iters": {r.train_steps},',
        '  "lr_decay_style": "cosine",',
        f'  "warmup": {warmup!r},',
        f'  "min_lr": {yaml_float(r.min_lr)},',
        '  "optimizer": {',
        '    "type": "Adam",',
        f'    "params": {{"lr": {yaml_float(r.lr)}}},',
        "  },",
        "}",
    ]
    return "\n".join(lines) + "\n", []
