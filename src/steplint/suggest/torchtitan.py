"""torchtitan: a job TOML.

Key names from pytorch/torchtitan v0.2.2 (73a0e697) `torchtitan/config/job_config.py` and
`components/lr_scheduler.py`, as steplint's dialect reads them (steplint/dialects/torchtitan.py):
[training] local_batch_size (per data-parallel rank), global_batch_size, seq_len, steps;
[optimizer] lr; [lr_scheduler] warmup_steps, decay_type = "cosine", min_lr_factor (a
ratio of the peak LR); [parallelism] tensor_parallel_degree, pipeline_parallel_degree.
"""

from __future__ import annotations

from steplint.suggest import explanation, yaml_float
from steplint.suggest.recipe import Recipe


def render(r: Recipe) -> tuple[str, list[str]]:
    lay = r.layout
    factor = r.min_lr / r.lr
    lines = [f"# {line}".rstrip() for line in explanation(r)] + [
        f"# min_lr_factor is a ratio of the peak: {factor!r} x {yaml_float(r.lr)} = {yaml_float(r.min_lr)}.",
        "# Set [model] name and flavor to your model's: torchtitan builds the model from them, and steplint",
        "# reads N from them (the placeholder below stops both until it is replaced).",
        "[job]",
        'dump_folder = "./outputs"',
        "",
        "[model]",
        'name = "llama3"',
        'flavor = "set-me"',
        "",
        "[training]",
        f"local_batch_size = {lay.micro_batch}",
        f"global_batch_size = {r.batch_sequences}",
        f"seq_len = {r.seq_len}",
        f"steps = {r.train_steps}",
        "",
        "[optimizer]",
        'name = "AdamW"',
        f"lr = {yaml_float(r.lr)}",
        "",
        "[lr_scheduler]",
        f"warmup_steps = {r.warmup_steps}",
        'decay_type = "cosine"',
        f"min_lr_factor = {factor!r}",
        "",
        "[parallelism]",
        f"tensor_parallel_degree = {lay.tensor_parallel}",
        f"pipeline_parallel_degree = {lay.pipeline_parallel}",
    ]
    return "\n".join(lines) + "\n", []
