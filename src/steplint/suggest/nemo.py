"""NeMo 1.x: a Hydra YAML in the shape of `megatron_gpt_config.yaml`.

Key names from NVIDIA/NeMo 8cfedd7 `examples/nlp/language_modeling/conf/megatron_gpt_config.yaml`
and `nemo/core/optim/lr_scheduler.py` (CosineAnnealing: warmup_steps, constant_steps,
min_lr; max_steps from trainer.max_steps), as steplint's NeMo dialect reads them
(steplint/dialects/nemo.py): trainer.devices x trainer.num_nodes is the world size.
"""

from __future__ import annotations

from steplint.suggest import explanation, yaml_float
from steplint.suggest.megatron import _nodes
from steplint.suggest.recipe import Recipe


def render(r: Recipe) -> tuple[str, list[str]]:
    lay = r.layout
    nodes, per_node = _nodes(lay.world_size)
    lines = [f"# {line}".rstrip() for line in explanation(r)] + [
        "# Merge into your megatron_gpt_config.yaml; add the model's architecture keys",
        "# (num_layers, hidden_size, ffn_hidden_size, num_attention_heads, ...) under `model:`.",
        "trainer:",
        f"  devices: {per_node}",
        f"  num_nodes: {nodes}",
        f"  max_steps: {r.train_steps}",
        "model:",
        f"  micro_batch_size: {lay.micro_batch}",
        f"  global_batch_size: {r.batch_sequences}",
        f"  tensor_model_parallel_size: {lay.tensor_parallel}",
        f"  pipeline_model_parallel_size: {lay.pipeline_parallel}",
        f"  encoder_seq_length: {r.seq_len}",
        f"  max_position_embeddings: {r.seq_len}",
        "  optim:",
        "    name: distributed_fused_adam",
        f"    lr: {yaml_float(r.lr)}",
        "    sched:",
        "      name: CosineAnnealing",
        f"      warmup_steps: {r.warmup_steps}",
        "      constant_steps: 0",
        f"      min_lr: {yaml_float(r.min_lr)}",
    ]
    return "\n".join(lines) + "\n", []
