"""GPT-NeoX YAML: NeoXArgs keys in either spelling, DeepSpeed keys at the top level.

What is specific (docs/formats-megatron-deepspeed.md section 6; EleutherAI/gpt-neox
ea7aefd `megatron/neox_arguments/neox_args.py`, `megatron/model/transformer.py`,
`megatron/learning_rates.py`):

* `train-iters` and `train_iters` are one key (NeoX replaces "-" with "_"); both in one
  file with different values is SL002 and the later one is used, as NeoX does;
* the FFN width rule of `ParallelMLP` (a gated MLP's `intermediate_size` is the width
  *before* the 2/3 scaling; MoE experts use it as is);
* the peak LR is `optimizer.params.lr`; `warmup` is a fraction (default 0.01) of the
  *decay* span; a cosine whose decay ends before the run climbs back
  (`Notes.cosine_climbs_back`);
* `gradient_accumulation_steps` defaults to 1, so the global batch of a micro-batch-only
  file is micro x DP (the resolver multiplies once the world size is known).

A run combines several files (`deepy.py train.py 7B.yml train_config.yml`); a fragment
reports only what it holds, and framework defaults for the schedule are given only by a
file that configures training at all, so a model-only fragment does not invent an LR.

Extras for rules: `activation`, `scheduler` (name), `cosine_climbs_back` (decay end and
train iters), `train_epochs`, `ignored_lr` (a top-level `lr` NeoX overwrites).
"""

from __future__ import annotations

import math
from typing import Any, Optional

from steplint.arch import ArchSpec, count_facts, describe
from steplint.diagnostics import Diagnostic, Location, Severity
from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import _UNSEEN, ConfigReader, DottedPath, FactSheet, Value, derived
from steplint.dialects.deepspeed import put_betas
from steplint.dialects.megatron import moe_layer_count
from steplint.documents.nodes import Document, MappingNode, Node, ScalarNode, to_python
from steplint.documents.values import loader_diagnostic, read_number
from steplint.recipe import Notes, default_source

NAME = "neox"
DESCRIPTION = "GPT-NeoX YAML (NeoXArgs, hyphen or underscore keys)"
FRAMEWORK = "GPT-NeoX megatron/neox_arguments/neox_args.py @ea7aefd"

# Keys only NeoX configs carry (section 8 of the formats note).
_NEOX_KEYS = ("pipe_parallel_size", "model_parallel_size", "pos_emb", "gpt_j_residual", "no_weight_tying",
              "checkpoint_factor", "tokenizer_type", "rotary_pct", "warmup", "data_impl", "norm",
              "output_layer_parallelism", "scaled_upper_triang_masked_softmax_fusion", "override_lr_scheduler",
              "synchronize_each_layer", "partition_activations", "init_method", "mlp_multiple_of")
_GATED = frozenset({"geglu", "reglu", "swiglu", "glu", "bilinear"})
_TRAINING_KEYS = ("train_iters", "lr_decay_iters", "lr_decay_style", "optimizer", "min_lr", "warmup",
                  "train_epochs", "lr_decay_fraction")


# Data, checkpoint-path, logging and tokenizer arguments (NeoXArgsLogging, NeoXArgsTokenizer
# and the data / checkpoint fields of NeoXArgsTraining in megatron/neox_arguments/neox_args.py
# @ea7aefd). A file holding only these (configs/local_setup.yml) says nothing about the model
# or the schedule, so no dialect claims it alone; in a recipe with a NeoX file it is a NeoX
# fragment (`deepy.py train.py 125M.yml local_setup.yml` merges them), not an unknown format.
DATA_LOGGING_KEYS = frozenset((
    "use_wandb", "wandb_group", "wandb_run_name", "wandb_team", "wandb_project", "wandb_host",
    "wandb_init_all_ranks", "git_hash", "log_dir", "tensorboard_dir", "use_comet", "comet_workspace",
    "comet_project", "comet_experiment_name", "comet_tags", "comet_others", "comet_experiment",
    "peak_theoretical_tflops", "log_interval", "log_grad_pct_zeros", "log_param_norm", "log_grad_norm",
    "log_optimizer_states", "log_gradient_noise_scale", "gradient_noise_scale_n_batches",
    "gradient_noise_scale_cpu_offload", "memory_profiling", "memory_profiling_path", "profile",
    "profile_step_start", "profile_step_stop", "tokenizer_type", "padded_vocab_size",
    "data_path", "train_data_paths", "train_label_data_paths", "test_data_paths", "test_label_data_paths",
    "valid_data_paths", "valid_label_data_paths", "train_data_weights", "valid_data_weights",
    "test_data_weights", "weight_by_num_documents", "weighted_sampler_alpha", "data_impl", "pack_impl",
    "dataset_impl", "mmap_warmup", "save", "s3_path", "load", "checkpoint_validation_with_forward_pass",
    "checkpoint_scale", "checkpoint_factor", "extra_save_iters", "no_save_optim", "no_save_rng",
    "eval_iters", "keep_last_n_checkpoints", "eval_interval", "split", "vocab_file", "merge_file",
    "num_workers", "hostfile", "include", "exclude", "num_nodes", "num_gpus", "master_port", "launcher",
    "deepspeed_slurm", "seed",
))


def is_data_fragment(doc: Document) -> bool:
    """Whether `doc` holds only NeoX data / checkpoint-path / logging keys (at least one)."""
    root = doc.root
    if not isinstance(root, MappingNode) or not root.items:
        return False
    return all(isinstance(k, str) and k.replace("-", "_") in DATA_LOGGING_KEYS for k in root.keys())


def _round_up(value: int, multiple: int) -> int:
    return value if multiple <= 1 else -(-value // multiple) * multiple


class NeoxNames(DottedPath):
    """ConfigReader key resolution for NeoX names: a top-level key is one name however it
    spells hyphens and underscores (NeoX normalizes them; two spellings with different
    values are SL002 and the later one is kept)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.written: dict[str, str] = {}  # normalized -> key as written (the one NeoX uses)
        self.diagnostics: list[Diagnostic] = []
        self._flagged: set[str] = set()
        self._last: dict[str, tuple[ScalarNode, Any]] = {}
        self._keys: dict[str, Optional[str]] = {}
        root = doc.root
        if not isinstance(root, MappingNode):
            return
        # Most files spell each name one way: then no SL002 is due, and two comprehensions build
        # what the loop below does (a key repeated as written keeps its first place and its last
        # value in both); the loop runs only when two spellings make one name
        last = {key.value.replace("-", "_"): (key, value) for key, value in root.items if isinstance(key.value, str)}
        if len(last) == len(root_names(doc)):  # as many names as distinct spellings
            self._last = last
            self.written = {name: pair[0].value for name, pair in last.items()}
            return
        seen: dict[str, tuple[ScalarNode, Any]] = {}
        for key, value in root.items:
            if not isinstance(key.value, str):
                continue
            name = key.value.replace("-", "_")
            earlier = seen.get(name)
            if earlier is not None and earlier[0].value != key.value:
                first_value = getattr(earlier[1], "value", None)
                if first_value != getattr(value, "value", None) or not isinstance(value, ScalarNode):
                    self.diagnostics.append(Diagnostic(
                        code="SL002", name="duplicate-key", severity=Severity.ERROR,
                        message=f"`{key.value}` and `{earlier[0].value}` are one NeoX key with different values; "
                                f"NeoX keeps the later one",
                        file=doc.path, line=key.span.start.line, column=key.span.start.column,
                        end_line=key.span.end.line, end_column=key.span.end.column,
                        related=(Location(doc.path, earlier[0].span.start.line, earlier[0].span.start.column,
                                          "the other spelling"),),
                    ))
            seen[name] = (key, value)
            self.written[name] = key.value
        self._last = seen

    def key_as_written(self, name: str) -> Optional[str]:
        head, _, rest = name.partition(".")
        written = self.written.get(head)
        if written is None:
            return None
        return written + ("." + rest if rest else "")

    def key(self, reader: ConfigReader, name: str) -> Optional[str]:
        """The key as written, when it holds a value (the last spelling's, not null)."""
        found = self._keys.get(name, _UNSEEN)
        if found is _UNSEEN:  # each name once per document: the extraction asks for many several times
            key = self.key_as_written(name)
            found = self._keys[name] = None if key is None or self.value_node(name) is None else key
        return found  # type: ignore[no-any-return]  # a key or None here

    def value_node(self, name: str) -> Optional[Node]:
        head, _, rest = name.partition(".")
        pair = self._last.get(head)
        if pair is None:
            return None
        node: Optional[Node] = pair[1]
        for part in rest.split(".") if rest else ():
            node = node.get(part) if isinstance(node, MappingNode) else None
            if node is None:
                return None
        if isinstance(node, ScalarNode) and node.value is None:
            return None
        return node

    def usable(self, reader: ConfigReader, name: str, key: str, kind: str) -> bool:
        if kind == "number" and name not in self._flagged:
            node = self.value_node(name)
            number, problem = read_number(node, "yaml11")
            if problem is not None and number is not None:
                # NeoX reads its YAML with PyYAML: `lr: 1e-4` is a string there (SL004)
                self._flagged.add(name)
                self.diagnostics.append(loader_diagnostic(self.doc.path, "SL004", f"`{key}`: {problem}", node))
        return True


class _Keys:
    """The document's top-level keys by NeoX name, read through one ConfigReader."""

    def __init__(self, doc: Document):
        self.names = NeoxNames(doc)
        self.reader = ConfigReader(doc, FRAMEWORK, keys=self.names)
        self.diagnostics = self.names.diagnostics

    def key(self, name: str) -> Optional[str]:
        return self.names.key_as_written(name)

    def is_set(self, name: str) -> bool:
        return self.reader.locate(name) is not None

    def number(self, name: str) -> Optional[Value]:
        return self.reader.read(name, "number")

    def integer(self, name: str) -> Optional[Value]:
        return self.reader.read(name, "integer")

    def text(self, name: str) -> Optional[Value]:
        return self.reader.read(name, "text")

    def flag(self, name: str) -> Optional[Value]:
        return self.reader.read(name, "flag")


def _normalized(names: frozenset[str]) -> frozenset[str]:
    """`names` with "-" spelled "_" (NeoX's normalization), in one pass of C string
    operations rather than a replace per key (a key holding a NUL takes the long way)."""
    joined = "\0".join(names)
    if "-" not in joined:
        return names
    if joined.count("\0") != len(names) - 1:  # a key holds a NUL itself
        return frozenset(k.replace("-", "_") for k in names)
    return frozenset(joined.replace("-", "_").split("\0"))


def detect(doc: Document) -> float:
    root = doc.root
    if not isinstance(root, MappingNode):
        return 0.0
    # (string keys: a key of another type never spells one of the names below)
    names = _normalized(root_names(doc))
    specific = len(names.intersection(_NEOX_KEYS))  # (each name once in _NEOX_KEYS)
    if "trainer" in names or "model" in names or "language_model" in names:
        return 0.0
    if specific >= 3:
        return 0.9
    if specific >= 1 and ("num_layers" in names or "train_iters" in names):
        return 0.7
    return 0.0


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    keys = _Keys(doc)
    sheet = FactSheet()
    notes: dict[str, Any] = {}
    spec = _architecture(keys, sheet)
    if spec is not None:
        # no n_params_total: the vocabulary comes from the tokenizer, not the file
        counts = count_facts(spec, note=f"NeoX {describe(spec)}", total=False)
        sheet.facts.update(counts)
    _batch(keys, sheet)
    _schedule(keys, sheet, notes)
    out = Extraction(dialect=NAME, file=doc.path, facts=dict(sheet.facts), arch=spec,
                     diagnostics=tuple(keys.diagnostics) + tuple(keys.reader.diagnostics), notes=Notes(**notes))
    layer_types = _non_transformer_layers(keys)
    if layer_types:
        from steplint.dialects import nontransformer

        out = nontransformer.mark(out, f"NeoX attention_config with {'/'.join(layer_types)} layers")
    return out


# megatron/model/gpt2_model.py (EleutherAI/gpt-neox ea7aefd8) builds these attention_config
# layer types as gMLP/aMLP, RWKV and Mamba blocks instead of attention + MLP.
_NON_TRANSFORMER_LAYERS = ("mamba", "rwkv", "gmlp", "amlp")


def _non_transformer_layers(keys: _Keys) -> tuple[str, ...]:
    """Layer types of `attention_config` ([[types], repeat] pairs) that are not attention."""
    node = keys.names.value_node("attention_config")
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str) and value.lower() in _NON_TRANSFORMER_LAYERS and value.lower() not in found:
            found.append(value.lower())
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    walk(to_python(node) if node is not None else None)
    return tuple(found)


def _architecture(keys: _Keys, sheet: FactSheet) -> Optional[ArchSpec]:
    seq = sheet.put("seq_len", keys.integer("seq_length"))
    if seq is not None:
        sheet.put("max_position_embeddings", keys.integer("max_position_embeddings"))
    core = sheet.put_core(keys.integer("num_layers"), keys.integer("hidden_size"), keys.integer("num_attention_heads"))
    if core is None:
        return None
    layers, hidden, heads = core
    h = hidden.value
    kv = sheet.put("num_kv_heads", keys.integer("num_kv_heads"))
    activation = keys.text("activation")
    act = str(activation.value).lower() if activation else "gelu"
    gated = act in _GATED
    multiple = keys.integer("mlp_multiple_of")
    m = multiple.value if multiple else 1
    size = keys.integer("intermediate_size")
    factor = keys.number("expansion_factor")
    if size is not None:
        base, base_note = size.value, "intermediate_size"
    elif factor is not None:
        base, base_note = int(factor.value * h), f"int(expansion_factor {factor.value} x hidden)"
    else:
        base, base_note = 4 * h, "4 x hidden (intermediate_size unset)"
    # ParallelMLP (megatron/model/transformer.py): gated -> per-branch width
    # round_up(int(I*2/3)//2, m); plain -> round_up(I, m)
    if gated:
        width = _round_up(int(base * 2 / 3) // 2, m)
        formula = f"round_up(int({base_note} {base} x 2/3) // 2, mlp_multiple_of {m}) (NeoX ParallelMLP, gated)"
    else:
        width = _round_up(base, m)
        formula = f"round_up({base_note} {base}, mlp_multiple_of {m}) (NeoX ParallelMLP)"
    sheet.put("ffn_hidden_size", derived(width, formula, "hidden_size"))

    experts = keys.integer("moe_num_experts")
    num_experts = experts.value if experts and experts.value > 1 else 0
    topk = expert_width = None
    dense_layers = 0
    if num_experts:
        sheet.put("num_experts", experts)
        top = keys.integer("moe_top_k") or Value(1, default_source(FRAMEWORK, "moe_top_k not set"))
        topk = top.value
        sheet.put("experts_per_token", top)
        # moe_mlp.py: experts use intermediate_size as is, else 4h (plain) or int(8h/3)
        # rounded up to 256 (gated)
        if size is not None:
            expert_width = size.value
        else:
            expert_width = _round_up(int(8 * h / 3), 256) if gated else 4 * h
        interval = keys.integer("moe_expert_interval")
        every = interval.value if interval and interval.value > 0 else 1
        dense_layers = layers.value - moe_layer_count(layers.value, every)
    tied = keys.flag("no_weight_tying")
    norm = keys.text("norm")
    try:
        return ArchSpec(
            hidden_size=h, num_layers=layers.value, num_heads=heads.value, ffn_hidden_size=width,
            num_kv_heads=kv.value if kv else None, gated=gated,
            tied_embeddings=not (tied is not None and tied.value),
            num_experts=num_experts, experts_per_token=topk or 0, expert_ffn_hidden_size=expert_width,
            num_dense_layers=dense_layers,
            norm="rmsnorm" if norm and "rms" in str(norm.value).lower() else "layernorm",
        )
    except ValueError:
        return None


def _batch(keys: _Keys, sheet: FactSheet) -> None:
    sheet.put("global_batch_sequences", keys.integer("train_batch_size"))
    micro = sheet.put("micro_batch", keys.integer("train_micro_batch_size_per_gpu") or keys.integer("batch_size"))
    accum = sheet.put("grad_accum", keys.integer("gradient_accumulation_steps"))
    if accum is None and micro is not None:
        sheet.put("grad_accum", Value(1, default_source(FRAMEWORK, "gradient_accumulation_steps defaults to 1")))
    mp = keys.integer("model_parallel_size")
    pp = keys.integer("pipe_parallel_size")
    if mp is not None or pp is not None:
        sheet.put("tensor_parallel", mp or Value(1, default_source(FRAMEWORK, "model_parallel_size not set")))
        # pipe_parallel_size 0 (the default) means no pipeline: DP = world / (max(pp,1) x max(mp,1))
        if pp is not None and pp.value == 0:
            pp = Value(1, pp.source)
        sheet.put("pipeline_parallel", pp or Value(1, default_source(FRAMEWORK, "pipe_parallel_size not set")))
    sheet.put("world_size", keys.integer("global_num_gpus"))


def _schedule(keys: _Keys, sheet: FactSheet, notes: dict[str, Any]) -> None:
    configures_training = any(keys.is_set(k) for k in _TRAINING_KEYS)
    sheet.put("peak_lr", keys.number("optimizer.params.lr"))
    opt = keys.text("optimizer.type")
    if opt is not None:
        sheet.put("optimizer", Value(str(opt.value).lower(), opt.source))
        betas = keys.key("optimizer.params.betas")
        if betas is not None:
            put_betas(keys.reader, betas, sheet)
        sheet.put("adam_eps", keys.number("optimizer.params.eps"))
    sheet.put("weight_decay", keys.number("weight_decay"))
    sheet.put("grad_clip", keys.number("gradient_clipping"))
    for block in ("bf16", "fp16"):
        enabled = keys.flag(f"{block}.enabled")
        if enabled is not None and enabled.value:
            kind = keys.text(f"{block}.type")
            sheet.put("precision", Value("bf16" if block == "bf16" or (kind and "bfloat16" in str(kind.value))
                                         else "fp16", enabled.source))
            break
    # neox_args.py @ea7aefd: `finetune` loads the weights only and resets the iteration;
    # `no_load_optim` with `load` keeps the weights without the optimizer (a warm start).
    # `load` alone resumes this run's own checkpoints (NeoX is Megatron's checkpointing).
    finetune = keys.flag("finetune")
    no_optim = keys.flag("no_load_optim")
    if finetune is not None and finetune.value:
        sheet.put("init", Value("finetune", finetune.source))
    elif no_optim is not None and no_optim.value and keys.is_set("load"):
        sheet.put("init", Value("checkpoint", no_optim.source))
    elif configures_training:
        sheet.put("init", Value("scratch", default_source(FRAMEWORK, "no finetune / no_load_optim: random init, "
                                                                    "or this run resuming itself from load")))
    if not configures_training:
        return

    iters = sheet.put("train_steps", keys.integer("train_iters"))
    sheet.put("min_lr", keys.number("min_lr") or Value(0.0, default_source(FRAMEWORK, "min_lr not set")))
    style = keys.text("lr_decay_style")
    name = str(style.value).lower() if style else "linear"
    notes["scheduler"] = name
    sheet.put("decay_style", Value(name, style.source if style else default_source(
        FRAMEWORK, "lr_decay_style not set")))
    decay = keys.integer("lr_decay_iters")
    fraction = keys.number("lr_decay_fraction")
    if decay is None and iters is not None:
        if fraction is not None:
            decay = derived(math.floor(iters.value * fraction.value), "floor(train_iters x lr_decay_fraction)",
                            "train_steps")
        else:
            decay = derived(iters.value, "lr_decay_iters unset: train_iters", "train_steps")
    if decay is not None and name != "constant":
        sheet.put("decay_end_step", decay)
    warmup = keys.number("warmup") or Value(0.01, default_source(FRAMEWORK, "warmup not set: 0.01"))
    if decay is not None:
        # training.py: warmup_iter = warmup x lr_decay_iters (a fraction of the decay span)
        steps = math.floor(warmup.value * decay.value + 1e-9)
        sheet.put("warmup_steps", derived(steps, f"warmup {warmup.value} x lr decay iterations {decay.value:,} "
                                          "(NeoX warmup is a fraction of the decay span)", "decay_end_step"))
    if name == "cosine" and decay is not None and iters is not None and iters.value > decay.value:
        # AnnealingLR has no clamp after the decay span: the cosine rises again
        notes["cosine_climbs_back"] = (decay.value, iters.value)
    keys.integer("train_epochs")  # read for its SL004 (epochs that are no integer)
    lr_key = keys.number("lr")
    if lr_key is not None and keys.is_set("optimizer.params.lr"):
        notes["ignored_lr"] = lr_key.value  # NeoX overwrites lr from optimizer.params.lr
