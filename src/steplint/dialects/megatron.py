"""Megatron-LM and Megatron-DeepSpeed: launch scripts, functional-test YAML, `--yaml-cfg` YAML.

All three forms carry the same argparse options, so they are read through one view
(`_Args`, argparse dest name -> where the form writes it) and interpreted once. What this
module knows that nothing else does:

* defaults of Megatron-LM's `arguments.py` (NVIDIA/Megatron-LM d98e8a6, 2026-08) and of the
  bigscience Megatron-DeepSpeed fork (8387ae1): FFN width (4h, or int((4h*2/3)/64)*64 with
  `--swiglu` in Megatron-LM, but 4h for the forks' GLU), GQA only with
  `--group-query-attention`, LR decay style `linear`, min LR 0;
* the scheduler counts *samples* (docs/formats-megatron-deepspeed.md section 2.4), so
  sample-based values and any batch ramp-up (`--rampup-batch-size START INC SAMPLES`) are
  replayed here to give optimizer steps (`RampUp`, also used by the NeMo dialect);
* flag combinations Megatron's own parser rejects (section 2.5/2.6), recorded in
  `extras["incompatible_flags"]` for SL704.

Extras for rules: `variant` (megatron-lm, megatron-deepspeed/bigscience|microsoft),
`layout` (script, test-yaml, yaml-cfg), `activation`, `scheduler` (raw decay style),
`native` (the schedule in samples or iterations as written), `rampup` (start, increment,
samples, final, completes, last_batch), `incompatible_flags`, `ignored_flags` (accepted
but without effect, e.g. --num-query-groups without --group-query-attention),
`deepspeed_blocks_ignored` (the forks pass their own optimizer and scheduler, so those
blocks of the DeepSpeed JSON are dead text), `exit_interval` / `exit_duration_in_mins`.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any, NamedTuple, Optional

from steplint.arch import ArchSpec, count_facts, describe
from steplint.diagnostics import Diagnostic, Severity
from steplint.dialects.base import ExtractContext, Extraction, Reference
from steplint.dialects.config_reader import ConfigReader, FactSheet, Value, as_number, derived
from steplint.documents.nodes import Document, MappingNode, ScalarNode, SequenceNode
from steplint.documents.values import loader_diagnostic, read_number, unusable_number
from steplint.recipe import Source, default_source, key_source

NAME = "megatron"
DESCRIPTION = "Megatron-LM / Megatron-DeepSpeed launch scripts, functional-test YAML and --yaml-cfg YAML"

# Whose defaults apply (docs/formats-megatron-deepspeed.md section 0).
MEGATRON_LM = "Megatron-LM megatron/training/arguments.py @d98e8a6"
BIGSCIENCE = "bigscience Megatron-DeepSpeed megatron/arguments.py @8387ae1"
MICROSOFT = "microsoft Megatron-DeepSpeed megatron/arguments.py"

# Flags only the Megatron-DeepSpeed forks have (section 3).
_DEEPSPEED_FORK_FLAGS = ("--deepspeed", "--deepspeed_config", "--deepspeed-config", "--zero-stage")
_BIGSCIENCE_FLAGS = ("--glu-activation", "--pad-vocab-size-to", "--embed-layernorm", "--train-tokens",
                     "--lr-decay-tokens", "--abort-on-unmet-fused-kernel-constraints")
_MICROSOFT_FLAGS = ("--num-key-value-heads", "--topk", "--expert-interval", "--mlp-type", "--lr-warmup-tokens")
# --yaml-cfg: TransformerConfig fields live under language_model:, parallel sizes under
# model_parallel:, the rest is flat (megatron/training/yaml_arguments.py).
_YAML_ALIASES = {"num_experts": ("num_moe_experts",), "seq_length": ("seq_length", "encoder_seq_length")}
_DECAY_STYLES = {"constant": "constant", "linear": "linear", "cosine": "cosine",
                 "inverse-square-root": "inverse-sqrt", "wsd": "wsd"}


MAX_RAMP_STAGES = 100_000

# ---------------------------------------------------------------------------------------
# Batch ramp-up (megatron/core/num_microbatches_calculator.py, training.py update_train_iters)


class RampUp(NamedTuple):  # a private record: cheaper to define than a dataclass at start-up
    """`--rampup-batch-size START INC SAMPLES` up to the final global batch.

    At `consumed` samples the batch is START + int(consumed / per_increment) * INC while
    consumed <= SAMPLES, then the final batch; per_increment = SAMPLES / ((final - START) // INC).
    Batches are not rounded to multiples of micro x DP (that needs the world size)."""

    start: int
    increment: int
    samples: int
    final: int

    @classmethod
    def of(cls, start: int, increment: int, samples: int, final: int) -> Optional["RampUp"]:
        """A ramp Megatron would accept, or None. Ramps of more than MAX_RAMP_STAGES stages
        are not replayed (the replay walks stage by stage)."""
        if start <= 0 or increment <= 0 or samples <= 0 or final <= start:
            return None  # (samples 0: Megatron divides by its samples per increment, 0)
        if (final - start) // increment > MAX_RAMP_STAGES:
            return None
        return cls(start, increment, samples, final)

    @property
    def per_increment(self) -> float:
        increments = max(1, (self.final - self.start) // self.increment)
        return self.samples / increments

    def batch_at(self, consumed: int) -> int:
        if consumed > self.samples:
            return self.final
        return min(self.final, self.start + int(consumed / self.per_increment) * self.increment)

    def _stage_end(self, consumed: int) -> float:
        """First consumed count at which the batch may change (inf after the ramp)."""
        if consumed > self.samples:
            return math.inf
        k = int(consumed / self.per_increment)
        return min(math.ceil((k + 1) * self.per_increment), self.samples + 1)

    def steps_to_consume(self, samples: int) -> int:
        """Optimizer steps until at least `samples` samples are consumed (where a
        sample-based warmup or decay ends)."""
        consumed = steps = 0
        while consumed < samples:
            batch, end = self.batch_at(consumed), self._stage_end(consumed)
            need = math.ceil((samples - consumed) / batch)
            in_stage = math.ceil((end - consumed) / batch) if end != math.inf else need
            if need <= in_stage:
                return steps + need
            consumed += in_stage * batch
            steps += in_stage
        return steps

    def consumed_after(self, steps: int) -> int:
        consumed = done = 0
        while done < steps:
            batch, end = self.batch_at(consumed), self._stage_end(consumed)
            n = steps - done if end == math.inf else min(steps - done, math.ceil((end - consumed) / batch))
            consumed += n * batch
            done += n
        return consumed

    def train_iters(self, train_samples: int) -> int:
        """Megatron's `update_train_iters`: step while consumed <= min(SAMPLES, train
        samples), then whole final batches."""
        limit = min(self.samples, train_samples)
        consumed = steps = 0
        while consumed <= limit:
            batch, end = self.batch_at(consumed), self._stage_end(consumed)
            n = max(1, math.ceil((min(end, limit + 1) - consumed) / batch))
            consumed += n * batch
            steps += n
        if train_samples > consumed:
            steps += (train_samples - consumed) // self.final
        return steps

    def describe(self) -> str:
        return f"rampup {self.start} +{self.increment} over {self.samples:,} samples to {self.final}"


# ---------------------------------------------------------------------------------------
# Reading arguments from any of the three forms


def _layout(doc: Document) -> Optional[str]:
    root = doc.root
    if not isinstance(root, MappingNode):
        return None
    if doc.kind == "shell":
        program = root.get("program")
        return "script" if isinstance(program, ScalarNode) else None
    model_args = root.get("MODEL_ARGS")
    if isinstance(model_args, MappingNode) and any(str(k).startswith("--") for k in model_args.keys()):
        return "test-yaml"
    if isinstance(root.get("language_model"), MappingNode):
        return "yaml-cfg"
    return None


class _Args:
    """argparse dest name -> value, for whichever form the document is."""

    def __init__(self, doc: Document, layout: str, framework: str):
        self.doc = doc
        self.layout = layout
        self.reader = ConfigReader(doc, framework, last_duplicate_wins=True)
        self.diagnostics: list[Diagnostic] = []
        self.generated: list[str] = []  # notices about files the script writes itself
        self._reported: set[str] = set()

    def candidates(self, dest: str) -> tuple[str, ...]:
        flag = "--" + dest.replace("_", "-")
        if self.layout == "script":
            return (flag, "--" + dest)
        if self.layout == "test-yaml":
            return ("MODEL_ARGS." + flag, "MODEL_ARGS.--" + dest)
        names = _YAML_ALIASES.get(dest, (dest,))
        return tuple(f"language_model.{n}" for n in names) + (f"model_parallel.{dest}",) + names

    def key(self, dest: str) -> Optional[str]:
        for key in self.candidates(dest):
            if self.reader.is_set(key):
                return key
        return None

    def has(self, dest: str) -> bool:
        return self.key(dest) is not None

    def node(self, dest: str):
        key = self.key(dest)
        return None if key is None else self.reader.node(key)

    def source(self, dest: str) -> Source:
        key = self.key(dest)
        assert key is not None
        return self.reader.source(key)

    def _resolved(self, dest: str) -> Optional[str]:
        """The key when its value is usable; SL007 (once) when it is an unresolved reference."""
        key = self.key(dest)
        if key is None:
            return None
        node = self.reader.node(key)
        unresolved = _is_unresolved(self.doc, node) or (
            self.layout != "script" and isinstance(node, ScalarNode)
            and isinstance(node.value, str) and "${" in node.value
        )
        if unresolved:
            if key not in self._reported:
                self._reported.add(key)
                self.diagnostics.append(_unresolved(self.doc.path, key, node))
            return None
        return key

    def number(self, dest: str) -> Optional[Value]:
        key = self._resolved(dest)
        if key is None:
            return None
        if self.layout == "yaml-cfg" and key not in self._reported:
            # --yaml-cfg is read with PyYAML: `lr: 1e-4` is a string there (SL004). Functional-test
            # MODEL_ARGS are not: _run_training.sh turns each into `--key=value` text with yq and
            # argparse converts it (NVIDIA/Megatron-LM d98e8a6,
            # tests/functional_tests/shell_test_utils/_run_training.sh line 97), so `1e-4` is a float.
            node = self.reader.node(key)
            number, problem = read_number(node, "yaml11")
            if problem is not None and number is not None:
                self._reported.add(key)
                self.diagnostics.append(loader_diagnostic(self.doc.path, "SL004", f"`{key}`: {problem}", node))
        return self.reader.number(key)

    def integer(self, dest: str) -> Optional[Value]:
        key = self._resolved(dest)
        return None if key is None else self.reader.integer(key)

    def text(self, dest: str) -> Optional[Value]:
        key = self._resolved(dest)
        return None if key is None else self.reader.text(key)

    def flag(self, dest: str) -> bool:
        """A store_true option: a bare flag, or true in YAML."""
        key = self.key(dest)
        if key is None:
            return False
        node = self.reader.node(key)
        if isinstance(node, ScalarNode):
            if node.value is True:
                return True
            return isinstance(node.value, str) and node.value.strip().lower() == "true"
        return False

    def integers(self, dest: str) -> Optional[tuple[list[int], Source]]:
        """A list-valued option: `192 16 9_765_625` words, a YAML list, or a string
        `"[384 384 97656250]"` (functional-test YAML)."""
        key = self._resolved(dest)
        if key is None:
            return None
        node = self.reader.node(key)
        if isinstance(node, SequenceNode):
            raw = [item.value if isinstance(item, ScalarNode) else None for item in node.items]
            if any(_is_unresolved(self.doc, item) for item in node.items):
                self.diagnostics.append(_unresolved(self.doc.path, key, node))
                return None
        elif isinstance(node, ScalarNode) and isinstance(node.value, str):
            raw = node.value.strip().strip("[]()").replace(",", " ").split()
        else:
            return None
        values = [as_number(v) for v in raw]
        # NaN, inf or past 2**63 first: int() of those raises, and ramps divide by them
        if not values or any(v is None or unusable_number(v) or v != int(v) for v in values):
            return None
        return [int(v) for v in values], self.reader.source(key)


def _is_unresolved(doc: Document, node) -> bool:
    """documents.shell's test. Only the shell reader makes unresolved nodes, so other
    documents are answered without importing it: that import is start-up time."""
    if doc.kind != "shell":
        return False
    from steplint.documents.shell import is_unresolved

    return is_unresolved(node)


def _unresolved(path: str, key: str, node) -> Diagnostic:
    span = getattr(node, "span", None)
    text = getattr(node, "text", "") or str(getattr(node, "value", ""))
    return Diagnostic(
        code="SL007",
        name="unresolved-reference",
        severity=Severity.WARNING,
        message=f"`{key}` is `{text.strip()}`, which cannot be resolved from the file alone; "
                "its value is not guessed",
        file=path,
        line=span.start.line if span else 1,
        column=span.start.column if span else 1,
        end_line=span.end.line if span else 0,
        end_column=span.end.column if span else 0,
    )


# ---------------------------------------------------------------------------------------
# Detection


def detect(doc: Document) -> float:
    layout = _layout(doc)
    if layout is None:
        return 0.0
    root = doc.root
    assert isinstance(root, MappingNode)
    if layout == "script":
        program = root.get("program")
        name = str(program.value).rsplit("/", 1)[-1] if isinstance(program, ScalarNode) else ""
        architecture = sum(1 for flag in ("--num-layers", "--hidden-size", "--micro-batch-size",
                                          "--global-batch-size", "--lr-decay-style") if flag in root)
        if name.startswith("pretrain_") and architecture:
            return 0.95
        return 0.6 if architecture >= 3 else 0.0
    if layout == "test-yaml":
        return 0.95
    flat = sum(1 for key in ("lr_decay_style", "micro_batch_size", "train_samples", "train_iters",
                             "use_legacy_models") if key in root)
    return 0.9 if isinstance(root.get("model_parallel"), MappingNode) or flat >= 2 else 0.5


# ---------------------------------------------------------------------------------------
# Extraction


def _variant(doc: Document, args: _Args) -> tuple[str, str]:
    if args.layout != "script":
        return "megatron-lm", MEGATRON_LM
    root = doc.root
    assert isinstance(root, MappingNode)
    if any(flag in root for flag in _DEEPSPEED_FORK_FLAGS + _BIGSCIENCE_FLAGS + _MICROSOFT_FLAGS):
        # DeepSpeed-MoE (`--num-experts` as a list) exists only in the microsoft fork
        if any(flag in root for flag in _MICROSOFT_FLAGS + ("--num-experts",)):
            return "megatron-deepspeed/microsoft", MICROSOFT
        return "megatron-deepspeed/bigscience", BIGSCIENCE
    return "megatron-lm", MEGATRON_LM


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    layout = _layout(doc) or "script"
    probe = _Args(doc, layout, MEGATRON_LM)
    variant, framework = _variant(doc, probe)
    args = _Args(doc, layout, framework)
    sheet = FactSheet()
    extras: dict[str, Any] = {"variant": variant, "layout": layout}
    incompatible: list[dict] = []

    spec = _architecture(args, variant, sheet, extras)
    if spec is not None:
        counts = count_facts(spec, note=f"{variant} {describe(spec)}")
        if extras.get("experts_per_layer"):
            counts = _pyramid_counts(spec, extras["experts_per_layer"], f"{variant} {describe(spec)}")
        if not spec.vocab_size:
            counts.pop("n_params_total")  # the vocabulary comes from the tokenizer
        sheet.facts.update(counts)

    _parallelism(doc, args, sheet, extras, ctx)
    _training(args, sheet, extras, incompatible, ctx)
    _optimizer(args, sheet)

    references = _references(doc, args, variant)
    if variant.startswith("megatron-deepspeed") and any(r.role == "deepspeed" for r in references):
        extras["deepspeed_blocks_ignored"] = ("optimizer", "scheduler")
    notices: tuple[str, ...] = ()
    if args.flag("use_checkpoint_args"):
        notices = (f"{doc.path}: --use-checkpoint-args loads the architecture from the checkpoint; "
                   "the flags in the file may not be what runs",)
    notices += tuple(args.generated)
    if incompatible:
        extras["incompatible_flags"] = tuple(incompatible)
    out = Extraction(
        dialect=NAME,
        file=doc.path,
        facts=dict(sheet.facts),
        arch=spec,
        references=references,
        diagnostics=tuple(args.diagnostics) + tuple(args.reader.diagnostics),
        notices=notices,
        extras=extras,
    )
    return _hybrid_pattern(args, out)


def _hybrid_pattern(args: "_Args", out: Extraction) -> Extraction:
    """--hybrid-layer-pattern (formerly --hybrid-override-pattern) lists every layer and
    overrides --num-layers (NVIDIA/Megatron-LM d98e8a64, megatron/training/arguments.py);
    its symbols (megatron/core/models/hybrid/hybrid_layer_allocation.py Symbols): M Mamba,
    G gated delta net, * D + attention, - MLP, E MoE. With M or G the model is a hybrid
    (SL305); without, a transformer laid out layer by layer, which steplint does not count."""
    from steplint.dialects import nontransformer

    dest = next((d for d in ("hybrid_layer_pattern", "hybrid_override_pattern") if args.has(d)), None)
    if dest is None:
        return out
    value = args.text(dest)
    pattern = str(value.value) if value is not None else ""
    flag = "--" + dest.replace("_", "-")
    readable = bool(pattern) and set(pattern) <= set("MG*D+-E|/")
    recurrent = [name for symbol, name in (("M", "Mamba"), ("G", "gated delta net")) if symbol in pattern]
    if readable and recurrent:
        return nontransformer.mark(out, f"Megatron {flag} with {' and '.join(recurrent)} layers")
    facts = {k: v for k, v in out.facts.items() if not k.startswith("n_params")}
    what = "lays the model out layer by layer" if readable else f"is {pattern!r}, which steplint cannot read,"
    notice = (f"{out.file}: {flag} {what} (--num-layers is ignored); steplint does not count such patterns, "
              "so N is unknown: pass --params N")
    return out._replace(facts=facts, arch=None, notices=tuple(out.notices) + (notice,))


def _architecture(args: _Args, variant: str, sheet: FactSheet, extras: dict) -> Optional[ArchSpec]:
    reader = args.reader
    layers = sheet.put("num_layers", args.integer("num_layers"))
    hidden = sheet.put("hidden_size", args.integer("hidden_size"))
    heads = sheet.put("num_attention_heads", args.integer("num_attention_heads"))
    if not (layers and hidden and heads) or min(layers.value, hidden.value, heads.value) <= 0:
        return None  # absent or not positive (the loader reports SL004): no architecture
    h = hidden.value

    head_dim = args.integer("kv_channels") or derived(h // heads.value, "hidden_size / num_attention_heads",
                                                      "hidden_size", "num_attention_heads",
                                                      note="--kv-channels not set")
    sheet.put("head_dim", head_dim)

    # GQA: Megatron-LM reads --num-query-groups only with --group-query-attention
    # (arguments.py); the microsoft fork has --num-key-value-heads; the --yaml-cfg form
    # gives TransformerConfig.num_query_groups (None -> MHA).
    kv: Optional[Value] = None
    if variant == "megatron-deepspeed/microsoft" and args.has("num_key_value_heads"):
        kv = args.integer("num_key_value_heads")
    elif args.layout == "yaml-cfg":
        groups = args.integer("num_query_groups")
        if groups is not None and (args.flag("group_query_attention") or not args.has("group_query_attention")):
            kv = groups
        elif groups is not None:
            extras.setdefault("ignored_flags", []).append(
                {"flag": "num_query_groups", "reason": "group_query_attention is false: attention stays MHA"})
    elif args.flag("group_query_attention"):
        kv = args.integer("num_query_groups") or Value(1, default_source(
            reader.framework, "--num-query-groups defaults to 1 (MQA) when --group-query-attention is given"))
    elif args.has("num_query_groups"):
        extras.setdefault("ignored_flags", []).append(
            {"flag": "--num-query-groups", "reason": "ignored without --group-query-attention: attention stays MHA"})
    if kv is not None:
        sheet.put("num_kv_heads", kv)

    gated, activation = _gating(args, variant)
    extras["activation"] = activation
    ffn = args.integer("ffn_hidden_size")
    if ffn is None and args.has("ffn_hidden_size"):
        return None  # written but unresolved (SL007): N is not guessed
    if ffn is None:
        if gated and variant == "megatron-lm":
            ffn = Value(int((4 * h * 2 / 3) / 64) * 64, default_source(
                reader.framework, "--ffn-hidden-size unset with a gated MLP: int((4h*2/3)/64)*64 (validate_args)"))
        else:
            note = "--ffn-hidden-size unset: 4h" + (" (the fork keeps 4h per branch for GLU)" if gated else "")
            ffn = Value(4 * h, default_source(reader.framework, note))
    sheet.put("ffn_hidden_size", ffn)

    experts = 0
    topk = 0
    expert_width = None
    shared_width = None
    dense_layers = 0
    per_layer = None
    if variant == "megatron-deepspeed/microsoft":
        per_layer = _deepspeed_moe(args, layers.value, sheet, extras)
        num_experts = None
    else:
        num_experts = args.integer("num_experts")
    if per_layer is not None:
        experts, topk, dense_layers = per_layer["experts"], per_layer["topk"], per_layer["dense_layers"]
        if per_layer["residual"]:
            shared_width = ffn.value  # PR-MoE: a dense MLP beside the experts in every MoE layer
    if num_experts is not None and num_experts.value and num_experts.value > 1:
        experts = num_experts.value
        sheet.put("num_experts", num_experts)
        top = args.integer("moe_router_topk") or args.integer("topk")
        if top is None:
            default_top = 1 if variant == "megatron-deepspeed/microsoft" else 2
            top = Value(default_top, default_source(reader.framework, "router top-k not set"))
        topk = top.value
        sheet.put("experts_per_token", top)
        width = args.integer("moe_ffn_hidden_size")
        expert_width = width.value if width else None
        shared = args.integer("moe_shared_expert_intermediate_size")
        shared_width = shared.value if shared else None
        dense_layers = _dense_layers(args, layers.value)

    mla = _latent_attention(args, sheet) if args.flag("multi_latent_attention") else {}
    tied = not args.flag("untie_embeddings_and_output_weights")
    vocab = args.integer("vocab_size") or args.integer("pad_vocab_size_to")
    norm = args.text("normalization")
    try:
        return ArchSpec(
            hidden_size=h,
            num_layers=layers.value,
            num_heads=heads.value,
            ffn_hidden_size=ffn.value,
            vocab_size=vocab.value if vocab else 0,
            num_kv_heads=kv.value if kv else None,
            head_dim=head_dim.value,
            gated=gated,
            tied_embeddings=tied,
            num_experts=experts,
            experts_per_token=topk,
            expert_ffn_hidden_size=expert_width,
            shared_experts=1 if shared_width else 0,
            shared_expert_ffn_hidden_size=shared_width,
            num_dense_layers=dense_layers,
            norm="rmsnorm" if norm and str(norm.value).lower() == "rmsnorm" else "layernorm",
            **mla,
        )
    except ValueError:
        return None


def _deepspeed_moe(args: _Args, layers: int, sheet: FactSheet, extras: dict) -> Optional[dict]:
    """DeepSpeed-MoE in the microsoft fork (deepspeedai/Megatron-DeepSpeed 4efb479):
    `--num-experts` takes one count or one per MoE layer (nargs='+', default [1]);
    `--expert-interval` (default 2) puts experts in every layer whose 1-based number is a
    multiple of it, so L // interval layers are MoE (megatron/model/transformer.py,
    get_num_experts_per_layer, which asserts a list has exactly that many entries);
    `--topk` defaults to 1; `--mlp-type residual` adds a dense MLP beside the experts (PR-MoE,
    MoE(use_residual=True)). A per-layer list with different counts (PR-MoE pyramids) is
    recorded in extras["experts_per_layer"]; `experts` is then the largest count and N
    is summed layer by layer by `_pyramid_counts`. None when no layer has experts."""
    got = args.integers("num_experts")
    if got is None:
        return None
    counts, source = got
    interval_value = args.integer("expert_interval")
    interval = interval_value.value if interval_value is not None else 2
    if interval < 1 or layers // interval == 0:
        return None
    moe_layers = layers // interval
    if len(counts) == 1:
        counts = counts * moe_layers
    if len(counts) != moe_layers or max(counts) <= 1:
        return None  # the fork asserts on a list of another length; all-1 is a dense model
    top = args.integer("topk") or Value(1, default_source(MICROSOFT, "--topk not set"))
    sheet.put("num_experts", Value(max(counts), source))
    sheet.put("experts_per_token", top)
    extras["expert_interval"] = interval
    if len(set(counts)) > 1:
        extras["experts_per_layer"] = tuple(counts)
    mlp_type = args.text("mlp_type")
    return {"experts": max(counts), "topk": top.value, "dense_layers": layers - moe_layers,
            "residual": mlp_type is not None and str(mlp_type.value).lower() == "residual",
            "counts": tuple(counts)}


def _pyramid_counts(spec: ArchSpec, counts: tuple[int, ...], note: str) -> dict:
    """Parameter counts of a model whose MoE layers hold different expert counts. Every
    count is a sum over layers plus a layer-independent part, so the model with groups
    g of k_g layers holding e_g experts counts sum_g count(L layers, k_g MoE layers of e_g)
    - (G - 1) x count(all L layers dense)."""
    from steplint.recipe import derived_source, fact

    groups: dict[int, int] = {}
    for e in counts:
        groups[e] = groups.get(e, 0) + 1
    dense = count_facts(spec._replace(num_experts=0, experts_per_token=0, num_dense_layers=0,
                                      shared_experts=0, shared_expert_ffn_hidden_size=None))
    parts = [count_facts(spec._replace(num_experts=e, num_dense_layers=spec.num_layers - k))
             for e, k in groups.items()]
    out = {}
    for name in dense:
        value = sum(part[name].value for part in parts) - (len(parts) - 1) * dense[name].value
        out[name] = fact(name, value, derived_source(
            "sum over MoE layers of their own expert count (--num-experts per layer)", note=note))
    return out


def _latent_attention(args: _Args, sheet: FactSheet) -> dict:
    """ArchSpec fields of `--multi-latent-attention` (DeepSeek MLA), with Megatron's
    argparse defaults (q_lora_rank None, kv_lora_rank 32, qk_head_dim 128,
    qk_pos_emb_head_dim 64, v_head_dim 128; formats-megatron-deepspeed.md section 1)."""
    def read(dest: str, default: Optional[int]) -> Optional[int]:
        got = args.integer(dest)
        return got.value if got is not None else default

    return {
        "q_lora_rank": read("q_lora_rank", None),
        "kv_lora_rank": read("kv_lora_rank", 32),
        "qk_nope_head_dim": read("qk_head_dim", 128),
        "qk_rope_head_dim": read("qk_pos_emb_head_dim", 64),
        "v_head_dim": read("v_head_dim", 128),
    }


def _gating(args: _Args, variant: str) -> tuple[bool, str]:
    """Whether the MLP is gated, and the activation's name."""
    if args.layout == "yaml-cfg":
        activation = args.text("activation_func")
        if activation is not None:
            name = str(activation.value).lower()
            return name.endswith("glu"), name
        if args.flag("gated_linear_unit") or args.flag("swiglu"):
            return True, "swiglu"
        return False, "gelu"
    glu = args.text("glu_activation")
    if glu is not None:
        return True, str(glu.value)
    if args.flag("swiglu"):
        return True, "swiglu"
    if args.flag("quick_geglu"):
        return True, "quick-geglu"
    if args.flag("squared_relu"):
        return False, "squared-relu"
    return False, "gelu"


def moe_layer_count(layers: int, every: int) -> int:
    """Layers i in [0, layers) with i % every == 0 (Megatron, NeMo and NeoX all place
    experts this way, 0-indexed): ceil(layers / every)."""
    return -(-layers // every)


_FREQ_TERM = r"\[\s*([01])\s*\]\s*\*\s*(\d+)"  # compiled (and cached by re) on first use


def _dense_layers(args: _Args, layers: int) -> int:
    """Layers without experts from --moe-layer-freq: an int N (layer i is MoE when
    i % N == 0) or a list expression such as `([0]*3+[1]*58)`."""
    node = args.node("moe_layer_freq")
    if not isinstance(node, ScalarNode):
        return 0
    number = as_number(node.value)
    if number is not None and number >= 1:
        freq = int(number)
        return layers - moe_layer_count(layers, freq)
    text = str(node.value)
    terms = re.findall(_FREQ_TERM, text)
    if terms:  # Megatron asserts the pattern has num_layers entries; never more dense than layers
        return min(layers, sum(int(count) for bit, count in terms if bit == "0"))
    bits = re.findall(r"[01]", text)
    return bits.count("0") if len(bits) == layers else 0


def _parallelism(doc: Document, args: _Args, sheet: FactSheet, extras: dict, ctx: ExtractContext) -> None:
    framework = args.reader.framework
    for field, dest in (("tensor_parallel", "tensor_model_parallel_size"),
                        ("pipeline_parallel", "pipeline_model_parallel_size"),
                        ("context_parallel", "context_parallel_size"),
                        ("expert_parallel", "expert_model_parallel_size")):
        got = args.integer(dest)
        if got is None and not args.has(dest):  # absent, not unresolved (SL007)
            got = Value(1, default_source(framework, f"{dest} not set"))
        sheet.put(field, got)
    world = _world_size(doc)
    if world is not None:
        sheet.put("world_size", world)


def _world_size(doc: Document) -> Optional[Value]:
    """SLURM nodes x GPUs per node, or the launcher's processes per node x nodes."""
    root = doc.root
    if doc.kind != "shell" or not isinstance(root, MappingNode):
        return None
    pairs = (("sbatch", ("--nodes", "-N"), ("--gpus-per-node", "--gres")),
             ("launcher", ("--nnodes", "--num_nodes"), ("--nproc_per_node", "--nproc-per-node", "--num_gpus")))
    for section, node_keys, gpu_keys in pairs:
        block = root.get(section)
        if not isinstance(block, MappingNode):
            continue
        nodes = _last_scalar(block, node_keys)
        gpus = _last_scalar(block, gpu_keys)
        if nodes is None or gpus is None or _is_unresolved(doc, nodes[1]) or _is_unresolved(doc, gpus[1]):
            continue
        n = as_number(str(nodes[1].value).split("-")[-1])
        g = as_number(str(gpus[1].value).rsplit(":", 1)[-1])
        if n and g and not unusable_number(n) and not unusable_number(g) and n == int(n) and g == int(g):
            key = f"{section} {nodes[0]} x {gpus[0]}"
            return Value(int(n) * int(g), key_source(doc.path, key, nodes[1].span,
                                                     note=f"{int(n)} nodes x {int(g)} GPUs per node"))
    return None


def _last_scalar(block: MappingNode, keys: tuple[str, ...]) -> Optional[tuple[str, ScalarNode]]:
    found = None
    for k, v in block.items:
        if k.value in keys and isinstance(v, ScalarNode):
            found = (str(k.value), v)
    return found


def _training(args: _Args, sheet: FactSheet, extras: dict, incompatible: list, ctx: ExtractContext) -> None:
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

    ramp: Optional[RampUp] = None
    ramp_args = args.integers("rampup_batch_size")
    if ramp_args is not None and final is not None and len(ramp_args[0]) == 3:
        ramp = RampUp.of(*ramp_args[0], final.value)
        if ramp is not None:
            extras["rampup"] = {"start": ramp.start, "increment": ramp.increment, "samples": ramp.samples,
                                "final": ramp.final}

    def conflict(flags: list[str], message: str) -> None:
        where = [args.source(d) for d in flags if args.has(d)]
        incompatible.append({
            "flags": [args.key(d) or d for d in flags],
            "message": message,
            "file": args.doc.path,
            "line": where[-1].line if where else 1,
            "column": where[-1].column if where else 1,
        })

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
    native: dict[str, Any] = {}
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
        native.update(unit="samples", train_samples=samples.value)
        if g is not None:
            steps = ramp.train_iters(samples.value) if ramp else samples.value // g
            formula = (f"Megatron update_train_iters over {samples.value:,} samples with the {ramp.describe()}"
                       if ramp else f"train_samples {samples.value:,} // global batch {g}")
            sheet.put("train_steps", derived(steps, formula, "global_batch_sequences"))
        if seq_v:
            sheet.put("tokens", derived(samples.value * seq_v, "train_samples x seq_len", "seq_len"))
        if ramp is not None and samples.value < ramp.samples:
            extras["rampup"]["completes"] = False
            extras["rampup"]["last_batch"] = ramp.batch_at(samples.value)
    elif iters is not None:
        native.update(unit="iterations")
        sheet.put("train_steps", iters)
        if g is not None and seq_v:
            if ramp is not None:
                consumed = ramp.consumed_after(iters.value)
                sheet.put("tokens", derived(consumed * seq_v, f"samples consumed in {iters.value:,} steps "
                                              f"with the {ramp.describe()} x seq_len", "train_steps", "seq_len"))
                if consumed < ramp.samples:
                    extras["rampup"]["completes"] = False
                    extras["rampup"]["last_batch"] = ramp.batch_at(consumed)
            else:
                sheet.put("tokens", derived(iters.value * g * seq_v, "train_steps x global_batch x seq_len",
                                              "train_steps", "global_batch_sequences", "seq_len"))
    if ramp is not None:
        extras["rampup"].setdefault("completes", True)
    _token_stop(args, sheet, g, seq_v)

    # LR schedule (megatron/core/optimizer_param_scheduler.py; units section 2.4)
    sheet.put("peak_lr", args.number("lr"))
    sheet.put("min_lr", args.number("min_lr") or Value(0.0, default_source(framework, "--min-lr not set")))
    style = args.text("lr_decay_style")
    raw_style = str(style.value) if style else "linear"
    extras["scheduler"] = {"name": raw_style}
    normalized = _DECAY_STYLES.get(raw_style.lower(), raw_style.lower())
    sheet.put("decay_style", Value(normalized, style.source if style else default_source(
        framework, "--lr-decay-style not set")))

    decay_samples = args.integer("lr_decay_samples")
    decay_iters = args.integer("lr_decay_iters")
    decay_end: Optional[Value] = None
    decay_span_samples: Optional[int] = None  # for a warmup fraction
    sample_based = samples is not None
    if sample_based:
        count = decay_samples.value if decay_samples else samples.value
        native["lr_decay_samples"] = count
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
            native["lr_warmup_samples"] = count
            warmup = steps_for_samples(count, f"lr_warmup_fraction {fraction.value} x lr decay samples", ())
        elif decay_end is not None and not sample_based:
            base = decay_iters.value if decay_iters else (iters.value if iters else None)
            if base is not None:
                warmup = derived(int(fraction.value * base),
                                 f"lr_warmup_fraction {fraction.value} x lr decay iterations {base:,} "
                                 "(a fraction of the decay span, not of training)", "decay_end_step")
    elif sample_based and w_samples is not None:
        native["lr_warmup_samples"] = w_samples.value
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

    if ramp_args is not None:
        native["rampup_batch_size"] = list(ramp_args[0])
    if native:
        extras["native"] = native
    for dest in ("exit_interval", "exit_duration_in_mins", "train_tokens", "lr_decay_tokens"):
        got = args.number(dest)
        if got is not None:
            extras[dest] = got.value
    # bigscience Megatron-DeepSpeed stops once --train-tokens are consumed, whatever the
    # step count says: a declared budget SL402 holds against steps x batch
    sheet.put("token_budget", _positive(args.integer("train_tokens")))
    if args.flag("use_checkpoint_opt_param_scheduler") and not args.flag("finetune"):
        extras["checkpoint_scheduler"] = True
    from steplint.dialects._megatron_init import put_init

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


_REDIRECT_TO_VARIABLE = re.compile(r">\s*[\"']?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_EXPANSION = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


def _generated_by_script(text: str, value: str) -> bool:
    """Whether the script writes `value` itself: a redirection `> ${V}` where V is assigned a
    pattern (`V="ds_config_gpt_${NAME}.json"`) whose literal parts match the resolved value."""
    for redirect in _REDIRECT_TO_VARIABLE.finditer(text):
        name = redirect.group(1)
        for assigned in re.finditer(rf"^\s*{name}=[\"']?([^\"'\n]*)", text, re.MULTILINE):
            parts = _EXPANSION.split(assigned.group(1).strip())
            if any(parts) and re.fullmatch(".*".join(re.escape(p) for p in parts), value, re.DOTALL):
                return True
    return False


def _references(doc: Document, args: _Args, variant: str) -> tuple[Reference, ...]:
    """Files the run reads besides its flags: the `--yaml-cfg` YAML, and the DeepSpeed JSON
    of a Megatron-DeepSpeed run (a file, or a heredoc in the script, with its variables
    expanded; an unresolved variable in it is SL007)."""
    folder = os.path.dirname(doc.path)
    out: list[Reference] = []
    yaml_cfg = args.key("yaml_cfg")
    node = args.reader.node(yaml_cfg) if yaml_cfg else None
    if isinstance(node, ScalarNode) and not _is_unresolved(doc, node):
        out.append(Reference(path=os.path.normpath(os.path.join(folder, str(node.value))), role="include",
                             key=yaml_cfg, span=node.span))
    key = args.key("deepspeed_config")
    node = args.reader.node(key) if key else None
    if not isinstance(node, ScalarNode):
        return tuple(out)
    if doc.kind == "shell":
        from steplint.documents.shell import heredocs

        for here in heredocs(doc):
            if here.target and (here.target == str(node.value)
                                or os.path.basename(here.target) == os.path.basename(str(node.value))):
                name = os.path.basename(here.target) or "ds_config.json"
                if not name.endswith(".json"):
                    name += ".json"
                for name_unresolved in here.unresolved:
                    args.diagnostics.append(Diagnostic(
                        code="SL007", name="unresolved-reference", severity=Severity.WARNING,
                        message=f"the DeepSpeed config written at line {here.line} uses `{name_unresolved}`, "
                                "which the script does not set; that value is not read",
                        file=doc.path, line=here.span.start.line, column=1))
                out.append(Reference(path=f"{doc.path}#L{here.line}-{name}", role="deepspeed", key=key,
                                     span=node.span, text=here.text))
                return tuple(out)
        if isinstance(node.value, str) and _generated_by_script(doc.text or "", node.value):
            # written by the script itself (`sed ... template > ${config_json}`, the fork's
            # examples_deepspeed/MoE scripts): there is no file to read before the run
            args.generated.append(f"{doc.path}: the DeepSpeed config {node.value} is generated by the script "
                                  "(a redirection); its values are not read")
            return tuple(out)
    if not _is_unresolved(doc, node):
        out.append(Reference(path=os.path.normpath(os.path.join(folder, str(node.value))), role="deepspeed",
                             key=key, span=node.span))
    else:
        args.diagnostics.append(_unresolved(doc.path, key, node))
    return tuple(out)
