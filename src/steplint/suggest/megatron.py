"""Megatron-LM: a bash launch script running `pretrain_gpt.py` with the recipe's flags.

Flag names from Megatron-LM `megatron/training/arguments.py` (NVIDIA/Megatron-LM d98e8a6),
as steplint's Megatron dialect reads them (steplint/dialects/megatron/): --micro-batch-size,
--global-batch-size, --train-iters, --seq-length, --max-position-embeddings, --lr, --min-lr,
--lr-decay-style, --lr-decay-iters, --lr-warmup-iters, --tensor-model-parallel-size,
--pipeline-model-parallel-size. torchrun's --nnodes / --nproc_per_node give the world size
(https://pytorch.org/docs/stable/elastic/run.html).
"""

from __future__ import annotations

from steplint.suggest import explanation, yaml_float
from steplint.suggest.recipe import Recipe


def _nodes(world: int) -> tuple[int, int]:
    per_node = 8 if world % 8 == 0 else world
    return world // per_node, per_node


def render(r: Recipe) -> tuple[str, list[str]]:
    lay = r.layout
    nodes, per_node = _nodes(lay.world_size)
    head = ["#!/bin/bash"] + [f"# {line}".rstrip() for line in explanation(r)] + [
        "# Add your model's flags to MODEL_ARGS (--num-layers, --hidden-size, --num-attention-heads, ...)",
        "# and your data flags; the numbers above assume N is the model's non-embedding parameter count.",
        "set -euo pipefail",
        "",
        f"GPUS_PER_NODE={per_node}",
        f"NNODES={nodes}",
        "",
        "MODEL_ARGS=(",
        f"    --seq-length {r.seq_len}",
        f"    --max-position-embeddings {r.seq_len}",
        ")",
        "TRAINING_ARGS=(",
        f"    --micro-batch-size {lay.micro_batch}",
        f"    --global-batch-size {r.batch_sequences}",
        f"    --train-iters {r.train_steps}",
        f"    --lr {yaml_float(r.lr)}",
        f"    --min-lr {yaml_float(r.min_lr)}",
        "    --lr-decay-style cosine",
        f"    --lr-decay-iters {r.train_steps}",
        f"    --lr-warmup-iters {r.warmup_steps}",
        ")",
        "PARALLEL_ARGS=(",
        f"    --tensor-model-parallel-size {lay.tensor_parallel}",
        f"    --pipeline-model-parallel-size {lay.pipeline_parallel}",
        ")",
        "",
        "torchrun --nproc_per_node $GPUS_PER_NODE --nnodes $NNODES pretrain_gpt.py \\",
        '    "${MODEL_ARGS[@]}" \\',
        '    "${TRAINING_ARGS[@]}" \\',
        '    "${PARALLEL_ARGS[@]}"',
    ]
    return "\n".join(head) + "\n", []
