"""SL103 batch-divisibility: the global batch must split into whole micro batches per rank."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from steplint.diagnostics import Diagnostic, Severity
from steplint.rules._fixes import batch_fix
from steplint.rules._support import dialect_of, human
from steplint.rules.base import Rule, RuleContext, RuleDocs

if TYPE_CHECKING:
    from steplint.diagnostics import Fix
    from steplint.recipe import Fact, Recipe

# Sources of the global batch that make it a product of the cluster size.
_CLUSTER_FIELDS = frozenset({"data_parallel", "world_size"})
# Frameworks with no key that states the global batch: it is always per device x accumulation
# x devices there, so "pin the global batch" cannot be followed. HF TrainingArguments has only
# per_device_train_batch_size and gradient_accumulation_steps (transformers training_args.py,
# `train_batch_size` = per device x n_gpu); LLaMA-Factory passes those through; axolotl's
# `batch_size` is micro x accumulation per device; MaxText's pyconfig sets the global batch to
# int(num_devices x per_device_batch_size) x gradient_accumulation_steps.
_NO_GLOBAL_BATCH_KEY = frozenset({"hf-training-args", "llama-factory", "axolotl", "maxtext"})
# Files that never hold the batch of the run themselves (architecture, DeepSpeed glue).
_NOT_BATCH_DIALECTS = frozenset({"hf-config", "deepspeed", "unknown"})


def _check(ctx: RuleContext) -> Iterator[Diagnostic]:
    recipe = ctx.recipe
    batch = recipe.get("global_batch_sequences")
    micro = recipe.value("micro_batch")
    dp = recipe.value("data_parallel")
    if batch is None or not isinstance(batch.value, int):
        return
    if batch.source.kind == "derived" and _follows_cluster(recipe, batch.source.inputs):
        owners = {d for d in recipe.dialects if d not in _NOT_BATCH_DIALECTS}
        if owners and owners <= _NO_GLOBAL_BATCH_KEY:
            return  # no key could pin it: nothing the user can change in the file
        yield ctx.diagnostic(
            f"the global batch ({human(batch.value)} sequences = {batch.source.formula}) is not written in "
            f"the config: it follows the number of GPUs, so the same file trains with another batch "
            f"(and another optimal LR) on another cluster size; pin the global batch",
            at=batch, severity=Severity.WARNING,
        )
        return
    if not micro or not dp:
        return
    if dialect_of(recipe, batch.source.file or "") == "deepspeed":
        return  # DeepSpeed's train = micro x accumulation x world identity is SL101's finding
    per_step = micro * dp
    if batch.value % per_step:
        lower = batch.value // per_step * per_step
        upper = lower + per_step
        yield ctx.diagnostic(
            f"global batch {human(batch.value)} is not divisible by micro batch {human(micro)} × data parallel "
            f"{human(dp)} = {human(per_step)}; nearest valid: {human(lower) if lower else '-'} or {human(upper)}",
            at=batch, fix=_fix(ctx, batch, lower or upper, recipe.value("seq_len")),
        )
        return
    pp = recipe.value("pipeline_parallel") or 1
    vpp = recipe.value("virtual_pipeline_parallel") or 1
    microbatches = batch.value // per_step
    if pp > 1 and vpp > 1 and microbatches % pp:
        yield ctx.diagnostic(
            f"{human(microbatches)} micro batches per step (global {human(batch.value)} / micro {human(micro)} / "
            f"data parallel {human(dp)}) is not a multiple of pipeline parallel {pp}, which Megatron's "
            f"interleaved (virtual pipeline {vpp}) schedule requires",
            at=batch,
        )


def _follows_cluster(recipe: Recipe, inputs: Iterable[str]) -> bool:
    """The batch was multiplied out from a cluster size no file pins: a --world-size flag
    or a default floats; nanotron's `dp` key, or NeMo's devices x num_nodes, is pinned."""
    return any(_floating(recipe, name) for name in _CLUSTER_FIELDS & set(inputs))


def _floating(recipe: Recipe, name: str, depth: int = 0) -> bool:
    found = recipe.get(name)
    if found is None or found.source.kind in ("override", "default"):
        return True
    if found.source.kind == "derived" and depth < 8:
        return any(_floating(recipe, i, depth + 1) for i in _CLUSTER_FIELDS & set(found.source.inputs))
    return False


def _fix(ctx: RuleContext, batch: Fact, value: int, seq_len: Optional[int]) -> Optional[Fix]:
    """The nearest valid batch; a run written in steps is rescaled to keep D (rules._fixes)."""
    tokens = f" ({human(value * seq_len)} tokens per step)" if seq_len else ""
    fix, _ = batch_fix(ctx.recipe, ctx.documents, [(batch, value)], value * seq_len if seq_len else None,
                       f"set the global batch to {value}{tokens}")
    return fix


RULE = Rule(
    code="SL103",
    name="batch-divisibility",
    severity=Severity.ERROR,
    summary="Global batch not divisible by micro batch × data parallel (× pipeline micro batches); or only implicit.",
    check=_check,
    fix_applicability="unsafe",
    docs=RuleDocs(
        what=(
            "Error when the global batch (sequences) is not a multiple of micro batch × data-parallel "
            "size, or, with Megatron's interleaved pipeline schedule, when the number of micro batches "
            "per step is not a multiple of the pipeline size. Warning when no file states the global "
            "batch and it is derived from micro batch × accumulation × data parallel, so it changes "
            "whenever the job runs on another number of GPUs; only for frameworks with a key that "
            "states the global batch (not Hugging Face TrainingArguments, LLaMA-Factory, axolotl or "
            "MaxText, whose batch is always per device × accumulation × devices)."
        ),
        why=(
            "Megatron-LM asserts divisibility at start (num_microbatches_calculator.py), torchtitan "
            "asserts it in train.py, and others silently truncate the batch (MosaicML added an error "
            "after that). An implicit global batch moves the optimum: Step Law's optimal LR and "
            "batch depend on the token batch, so doubling the GPUs doubles the batch and leaves the "
            "LR behind (libai#345)."
        ),
        evidence=(
            "https://github.com/mosaicml/examples/pull/41",
            "https://github.com/pytorch/torchtitan/pull/784",
            "https://github.com/marin-community/levanter/pull/1261",
            "https://github.com/Oneflow-Inc/libai/issues/345",
            "Megatron-LM megatron/core/num_microbatches_calculator.py and arguments.py (interleaved schedule) at d98e8a64ddf3",
        ),
        example="# Megatron\n--global-batch-size 1000 --micro-batch-size 4   # with data parallel 16: 1000 % 64 ≠ 0",
        fix=(
            "Pick a global batch that is a multiple of micro × data parallel. --unsafe-fixes rounds "
            "the global batch down to the nearest valid value (up when that would be 0) and states "
            "the new token batch; a run written in steps gets its train steps (and warmup and "
            "decay horizon in steps) rescaled so the token budget D stays. For the warning, write "
            "the global batch into the config."
        ),
    ),
)
