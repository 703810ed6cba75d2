"""How long a Megatron run trains and how its LR moves: steps, tokens, batch ramp-up,
warmup and decay (Megatron's scheduler counts samples: docs/formats-megatron-deepspeed.md
section 2.4), flag combinations its parser rejects (SL704), and the optimizer.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from steplint.dialects.base import ExtractContext
from steplint.dialects.config_reader import FactSheet, Value, derived
from steplint.dialects.megatron.arguments import _Args
from steplint.dialects.megatron.init import put_init
from steplint.dialects.megatron.rampup import RampUp
from steplint.recipe import FlagClash, default_source

_DECAY_STYLES = {"constant": "constant", "linear": "linear", "cosine": "cosine",
                 "inverse-square-root": "inverse-sqrt", "wsd": "wsd"}


def _training(args: _Args, sheet: FactSheet, notes: dict[str, Any], incompatible: list[FlagClash],
              ctx: ExtractContext) -> None:
    framework = args.reader.framework
    seq = sheet.put("seq_len", args.integer("seq_length") or args.integer("encoder_seq_length"))
    if args.has("max_position_embeddings"):
        sheet.put("max_position_embeddings", args.integer("max_position_embeddings"))
    micro = sheet.put("micro_batch", args.integer("micro_batch_size"))
    final = sheet.put("global_batch_sequences", _positive(args.integer("global_batch_size")))
    if final is None and micro is not None:
        # global_batch_size None -> micro x DP (arguments.py): no accumulation
        sheet.put("grad_accum", Value(1, default_source(framework, "--global-batch-size unset: micro x DP")))
        world = ctx.world_size or sheet.value("world_size")
        sizes = [sheet.value(f) for f in ("tensor_parallel", "pipeline_parallel", "context_parallel")]
        split = math.prod(sizes) if all(sizes) else 0
        if world and split and world % split == 0:
            # the sample-based schedule below needs the batch, so it is derived here
            final = sheet.put("global_batch_sequences", derived(
                micro.value * world // split, "micro_batch x world_size / (tensor x pipeline x context parallel) "
                "(--global-batch-size unset)", "micro_batch", "world_size", "tensor_parallel", "pipeline_parallel",
                "context_parallel"))

    ramp_args = args.integers("rampup_batch_size")
    ramp = RampUp.from_flag(ramp_args, final.value if final is not None else None)

    def conflict(flags: list[str], message: str) -> None:
        where = [args.source(d) for d in flags if args.has(d)]
        incompatible.append(FlagClash(
            tuple(args.key(d) or d for d in flags), message, args.doc.path,
            (where[-1].line or 1) if where else 1, (where[-1].column or 1) if where else 1))

    def nonzero(dest: str) -> bool:
        """Set to something other than 0 (the --yaml-cfg form writes unused options as 0)."""
        got = args.number(dest) if args.has(dest) else None
        return got is not None and bool(got.value)

    iters = _positive(args.integer("train_iters"))
    samples = _positive(args.integer("train_samples"))
    if iters and samples:
        conflict(["train_iters", "train_samples"], "only one of --train-iters and --train-samples may be given")
    if ramp_args is not None and iters and args.layout == "script" and not samples:
        conflict(["rampup_batch_size", "train_iters"],
                 "--rampup-batch-size with --train-iters is rejected by older Megatron-LM and Megatron-DeepSpeed")
    if args.has("step_batch_size_schedule") and args.has("global_batch_size"):
        conflict(["step_batch_size_schedule", "global_batch_size"],
                 "--step-batch-size-schedule with --global-batch-size is a ValueError in Megatron-LM")
    warmup_given = [d for d in ("lr_warmup_fraction", "lr_warmup_iters", "lr_warmup_samples") if nonzero(d)]
    if "lr_warmup_fraction" in warmup_given and len(warmup_given) > 1:
        conflict(warmup_given, "only one of --lr-warmup-fraction and --lr-warmup-iters/samples may be given")
    if iters and any(nonzero(d) for d in ("lr_decay_samples", "lr_warmup_samples")):
        conflict(["train_iters", "lr_decay_samples" if args.has("lr_decay_samples") else "lr_warmup_samples"],
                 "sample-based LR flags with --train-iters are rejected (iteration-based training)")
    if samples and any(nonzero(d) for d in ("lr_decay_iters", "lr_warmup_iters")):
        conflict(["train_samples", "lr_decay_iters" if args.has("lr_decay_iters") else "lr_warmup_iters"],
                 "iteration-based LR flags with --train-samples are rejected (sample-based training)")

    g = final.value if final else None
    ramp_stops: Optional[int] = None  # the samples a run consumes, when they end the ramp early
    seq_v = seq.value if seq else None

    def steps_for_samples(count: int, what: str, key_inputs: tuple[str, ...]) -> Optional[Value]:
        if g is None:
            return None
        if ramp is not None:
            return derived(ramp.steps_to_consume(count),
                           f"optimizer steps to consume {what} = {count:,} samples, replaying the {ramp.describe()}",
                           *key_inputs, "global_batch_sequences")
        return derived(math.ceil(count / g), f"ceil({what} {count:,} / global batch {g})",
                       *key_inputs, "global_batch_sequences")

    if samples is not None and samples.value is not None:
        if g is not None:
            steps = ramp.train_iters(samples.value) if ramp else samples.value // g
            formula = (f"Megatron update_train_iters over {samples.value:,} samples with the {ramp.describe()}"
                       if ramp else f"train_samples {samples.value:,} // global batch {g}")
            sheet.put("train_steps", derived(steps, formula, "global_batch_sequences"))
        if seq_v:
            sheet.put("tokens", derived(samples.value * seq_v, "train_samples x seq_len", "seq_len"))
        ramp_stops = samples.value
    elif iters is not None:
        sheet.put("train_steps", iters)
        if g is not None and seq_v:
            if ramp is not None:
                consumed = ramp.consumed_after(iters.value)
                sheet.put("tokens", derived(consumed * seq_v, f"samples consumed in {iters.value:,} steps "
                                              f"with the {ramp.describe()} x seq_len", "train_steps", "seq_len"))
                ramp_stops = consumed
            else:
                sheet.put("tokens", derived(iters.value * g * seq_v, "train_steps x global_batch x seq_len",
                                              "train_steps", "global_batch_sequences", "seq_len"))
    if ramp is not None:
        notes["rampup"] = ramp.note(ramp_stops)
    _token_stop(args, sheet, g, seq_v)

    # LR schedule (megatron/core/optimizer_param_scheduler.py; units section 2.4)
    sheet.put("peak_lr", args.number("lr"))
    sheet.put("min_lr", args.number("min_lr") or Value(0.0, default_source(framework, "--min-lr not set")))
    style = args.text("lr_decay_style")
    raw_style = str(style.value) if style else "linear"
    notes["scheduler"] = raw_style
    normalized = _DECAY_STYLES.get(raw_style.lower(), raw_style.lower())
    sheet.put("decay_style", Value(normalized, style.source if style else default_source(
        framework, "--lr-decay-style not set")))

    decay_samples = args.integer("lr_decay_samples")
    decay_iters = args.integer("lr_decay_iters")
    decay_end: Optional[Value] = None
    decay_span_samples: Optional[int] = None  # for a warmup fraction
    sample_based = samples is not None
    if samples is not None:
        count = decay_samples.value if decay_samples else samples.value
        decay_span_samples = count
        what = "lr_decay_samples" if decay_samples else "train_samples (lr_decay_samples unset)"
        decay_end = steps_for_samples(count, what, ())
    elif iters is not None:
        if decay_iters is not None:
            decay_end = decay_iters
        else:
            decay_end = derived(iters.value, "lr_decay_iters unset: train_iters", "train_steps")
        if ramp is not None and g:
            decay_end = derived(ramp.steps_to_consume(decay_end.value * g),
                                f"the scheduler counts samples: {decay_end.value:,} iterations x {g} samples, "
                                f"replaying the {ramp.describe()}", "global_batch_sequences")
        decay_span_samples = None
    decay_tokens = _positive(args.integer("lr_decay_tokens"))
    if decay_tokens is not None and seq_v:
        # Megatron-DeepSpeed (both forks): with --lr-decay-tokens the scheduler decays by
        # consumed tokens (samples x seq_len) instead of steps or samples, reaching min_lr once
        # they pass the count (formats-megatron-deepspeed.md section 3).
        count = math.ceil(decay_tokens.value / seq_v)
        by_tokens = steps_for_samples(count, f"lr_decay_tokens {decay_tokens.value:,} / seq_len {seq_v:,} =",
                                      ("seq_len",))
        if by_tokens is not None:
            decay_end = derived(by_tokens.value, by_tokens.source.formula, *by_tokens.source.inputs,
                                at=decay_tokens.source)
    if normalized == "constant":
        decay_end = None
    if decay_end is not None:
        sheet.put("decay_end_step", decay_end)

    fraction = args.number("lr_warmup_fraction")
    w_samples = args.integer("lr_warmup_samples")
    w_iters = args.integer("lr_warmup_iters")
    warmup: Optional[Value] = None
    if fraction is not None:
        if sample_based and decay_span_samples is not None:
            count = int(fraction.value * decay_span_samples)
            warmup = steps_for_samples(count, f"lr_warmup_fraction {fraction.value} x lr decay samples", ())
        elif decay_end is not None and not sample_based:
            base = decay_iters.value if decay_iters else (iters.value if iters else None)
            if base is not None:
                warmup = derived(int(fraction.value * base),
                                 f"lr_warmup_fraction {fraction.value} x lr decay iterations {base:,} "
                                 "(a fraction of the decay span, not of training)", "decay_end_step")
    elif sample_based and w_samples is not None:
        warmup = steps_for_samples(w_samples.value, "lr_warmup_samples", ())
    elif (w_tokens := _positive(args.integer("lr_warmup_tokens"))) is not None and seq_v:
        # microsoft Megatron-DeepSpeed (4efb479, megatron/optimizer_param_scheduler.py get_lr):
        # with --lr-warmup-tokens the warmup counts consumed tokens and the step flags are unused
        warmup = steps_for_samples(math.ceil(w_tokens.value / seq_v),
                                   f"lr_warmup_tokens {w_tokens.value:,} / seq_len {seq_v:,} =", ("seq_len",))
        if warmup is not None:
            warmup = derived(warmup.value, warmup.source.formula, *warmup.source.inputs, at=w_tokens.source)
    elif w_iters is not None:
        warmup = w_iters
        if ramp is not None and g:
            warmup = derived(ramp.steps_to_consume(w_iters.value * g),
                             f"the scheduler counts samples: {w_iters.value:,} iterations x {g} samples, "
                             f"replaying the {ramp.describe()}", "global_batch_sequences")
    else:
        warmup = Value(0, default_source(framework, "no --lr-warmup-* flag: no warmup"))
    if warmup is not None:
        sheet.put("warmup_steps", warmup)

    for dest in ("exit_interval", "exit_duration_in_mins", "train_tokens", "lr_decay_tokens"):
        args.number(dest)  # read for its findings (SL004 not a number, SL007 an unresolved shell value)
    # bigscience Megatron-DeepSpeed stops once --train-tokens are consumed, whatever the
    # step count says: a declared budget SL402 holds against steps x batch
    sheet.put("token_budget", _positive(args.integer("train_tokens")))
    put_init(args, sheet)


def _token_stop(args: _Args, sheet: FactSheet, batch: Optional[int], seq: Optional[int]) -> None:
    """Megatron-DeepSpeed trains `while iteration < train_iters and consumed_train_tokens <
    train_tokens` (deepspeedai/Megatron-DeepSpeed 4efb479, megatron/training.py line 1249):
    with `--train-tokens` below what the step count would consume, the run stops there, so
    D is --train-tokens and the steps are the ones that consume it (the fork's GPT/MoE
    examples set --train-iters far beyond the token budget)."""
    budget = _positive(args.integer("train_tokens"))
    tokens = sheet.get("tokens")
    if budget is None or tokens is None or not batch or not seq or budget.value >= tokens.value:
        return
    sheet.facts.pop("tokens", None)
    sheet.facts.pop("train_steps", None)
    sheet.put("tokens", Value(budget.value, budget.source._replace(
        note="the run stops once --train-tokens are consumed, before --train-iters")))
    sheet.put("train_steps", derived(math.ceil(budget.value / (batch * seq)),
                                     "ceil(train_tokens / (global_batch x seq_len))", "tokens",
                                     "global_batch_sequences", "seq_len"))


def _positive(value: Optional[Value]) -> Optional[Value]:
    """A count that must be positive; zero or negative is left out (SL004 names it)."""
    return value if value is not None and value.value > 0 else None


def _optimizer(args: _Args, sheet: FactSheet) -> None:
    framework = args.reader.framework
    name = args.text("optimizer")
    # Megatron's "adam" is Adam with decoupled weight decay (AdamW), megatron/core/optimizer.
    sheet.put("optimizer", Value("adamw" if not name or str(name.value).lower() == "adam" else str(name.value).lower(),
                                   name.source if name else default_source(framework, "--optimizer not set: adam")))
    for field, dest, default in (("adam_beta1", "adam_beta1", 0.9), ("adam_beta2", "adam_beta2", 0.999),
                                 ("adam_eps", "adam_eps", 1e-08), ("weight_decay", "weight_decay", 0.01),
                                 ("grad_clip", "clip_grad", 1.0)):
        sheet.put(field, args.number(dest) or Value(default, default_source(framework, f"{dest} not set")))
    if args.flag("bf16"):
        sheet.put("precision", Value("bf16", args.source("bf16")))
    elif args.flag("fp16"):
        sheet.put("precision", Value("fp16", args.source("fp16")))
    elif args.has("fp8_format") or args.has("fp8"):
        fp8 = args.text("fp8_format") or args.text("fp8")
        if fp8 is not None and str(fp8.value).lower() not in ("false", "none", "null"):
            sheet.put("precision", Value("fp8", fp8.source))

