"""NeMo 1.x Hydra YAML (`megatron_gpt_config.yaml`) and NeMo-Framework-Launcher training configs.

Values are read as OmegaConf reads them: `${...}` interpolations resolved (see
`steplint.interpolation`) and `1e-4` a float. What is specific here
(docs/formats-megatron-deepspeed.md section 4.1; NVIDIA/NeMo 8cfedd7
`nemo/core/optim/lr_scheduler.py`, `megatron_base_model.py`):

* the model is built as a Megatron-Core TransformerConfig: FFN width 4h when absent (no
  2/3 rule), `num_query_groups` alone sets GQA (null -> MHA), gated when the activation
  name ends in `glu`;
* the world size is in the file (`trainer.devices x trainer.num_nodes`);
* schedules: `sched.max_steps` defaults to `trainer.max_steps`; `warmup_ratio` is a
  fraction of max_steps; CosineAnnealing reaches min_lr at max_steps - constant_steps
  and holds it; Hold policies hold the peak after warmup (a WSD-like shape);
* `model.rampup_batch_size` uses Megatron's ramp-up calculator, replayed as in Megatron.

Extras for rules: `variant` (nemo1, nemo-launcher), `activation`, `scheduler` (sched.name,
`max_steps_differs` when sched.max_steps is not trainer.max_steps), `native`
(constant_steps, hold_steps), `rampup`, `max_epochs` (max_steps < 0: length from epochs).
Not read: Hydra `defaults:` lists and the launcher's global config (`${training...}`,
`${base_results_dir}` stay unresolved, SL007 where a value is needed).
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING, Any, Optional

from steplint.arch import ArchSpec, count_facts, describe
from steplint.diagnostics import Diagnostic, Severity
from steplint.dialects.base import ExtractContext, Extraction
from steplint.dialects.config_reader import ConfigReader, DottedPath, FactSheet, Resolved, Value, derived
from steplint.dialects.megatron import RampUp, moe_layer_count
from steplint.documents.nodes import Document, MappingNode, SequenceNode
from steplint.recipe import Notes, Source, default_source, derived_source, key_source

if TYPE_CHECKING:  # the interpolator is imported when a NeMo file is read, not when one is detected
    from steplint.interpolation import Resolution

NAME = "nemo"
DESCRIPTION = "NeMo 1.x Hydra YAML and NeMo-Framework-Launcher training configs"
FRAMEWORK = "NeMo megatron_gpt_config.yaml / nemo/core/optim/lr_scheduler.py @8cfedd7"
MCORE = "Megatron-Core TransformerConfig (as NeMo builds it)"

# sched.name -> steplint's normalized decay style (architecture.md section 3)
DECAY_STYLES = {
    "CosineAnnealing": "cosine",
    "WarmupAnnealing": "linear",
    "WarmupHoldAnnealLinear": "wsd",
    "WarmupHoldAnnealOneMinusSquareRoot": "wsd",
    "SquareAnnealing": "polynomial",
    "SquareRootAnnealing": "polynomial",
    "PolynomialDecayAnnealing": "polynomial",
    "PolynomialHoldDecayAnnealing": "polynomial",
    "InverseSquareRootAnnealing": "inverse-sqrt",
    "T5InverseSquareRootAnnealing": "inverse-sqrt",
    "NoamAnnealing": "inverse-sqrt",
    "NoamHoldAnnealing": "inverse-sqrt",
    "WarmupPolicy": "constant",
    "WarmupHoldPolicy": "constant",
    "StepLR": "step",
    "ExponentialLR": "exponential",
}


def detect(doc: Document) -> float:
    root = doc.root
    if not isinstance(root, MappingNode):
        return 0.0
    model = root.get("model")
    if not (isinstance(root.get("trainer"), MappingNode) and isinstance(model, MappingNode)):
        return 0.0
    if "_target_" in model or isinstance(model.get("config"), MappingNode):
        return 0.3  # NeMo 2.0 export: not read here
    nemo_keys = sum(1 for key in ("encoder_seq_length", "global_batch_size", "optim",
                                  "tensor_model_parallel_size", "micro_batch_size") if key in model)
    return 0.95 if nemo_keys >= 2 else 0.6


# Config groups of NeMo-Framework-Launcher's launcher_scripts/conf/config.yaml `defaults:` list
# (NVIDIA/NeMo-Framework-Launcher): each file of conf/<group>/ is composed under the key <group>
# (Hydra's default package), so `${peft.model.data.seq_length}` in conf/peft/llama/sft.yaml is that
# file's own model.data.seq_length.
LAUNCHER_GROUPS = ("training", "fine_tuning", "peft", "prompt_learning", "adapter_learning", "ia3_learning",
                   "evaluation", "export", "conversion", "fw_inference", "rlhf_rm", "rlhf_ppo", "steerlm_reg",
                   "ptq", "generic")
_LAUNCHER_PATH = re.compile(r"(?:^|[/\\])conf[/\\](" + "|".join(LAUNCHER_GROUPS) + r")[/\\]")


def launcher_package(path: str) -> Optional[str]:
    """The launcher config group a file under `conf/<group>/` is composed under, else None."""
    found = _LAUNCHER_PATH.search(path)
    return found.group(1) if found else None


class OmegaConfInterpolation(DottedPath):
    """ConfigReader key resolution as OmegaConf reads a key: its `${...}` interpolations
    resolved (steplint.interpolation) and the value typed as OmegaConf types it. What does not
    resolve is SL007 each time it is read (in reading order, with the reader's findings), and
    its value is not guessed."""

    typed = True

    def __init__(self, doc: Document):
        from steplint.interpolation import Interpolator

        super().__init__()
        self.interpolator = Interpolator(doc.root, package=launcher_package(doc.path))

    def get(self, reader: ConfigReader, dotted: str) -> Optional[Resolution]:
        """The resolution at `dotted` (a scalar, or a mapping / sequence node); None when absent,
        null or unresolved (SL007)."""
        got = self.interpolator.get(dotted)
        if got is None:
            return None
        if got.error is not None:  # not got.ok
            node = got.node
            reader.diagnostics.append(Diagnostic(
                code="SL007", name="unresolved-reference", severity=Severity.WARNING,
                message=f"`{dotted}` is `{node.text if node else '?'}`: {got.error}; its value is not guessed",
                file=reader.doc.path,
                line=node.span.start.line if node else 1, column=node.span.start.column if node else 1,
                end_line=node.span.end.line if node else 0, end_column=node.span.end.column if node else 0))
            return None
        return None if got.value is None else got

    def resolve(self, reader: ConfigReader, key: str) -> Optional[Resolved]:
        got = self.get(reader, key)
        if got is None or isinstance(got.value, (MappingNode, SequenceNode)):
            return None
        return Resolved(got.value, got.node, self.source(reader, key, got))

    def source(self, reader: ConfigReader, dotted: str, got: Resolution) -> Source:
        if got.formula is not None and got.node is None:
            return derived_source(got.formula, note=f"{dotted} = ${{{got.formula}}} (OmegaConf resolver)")
        node = got.node
        note = f"via {' -> '.join(got.via)}" if got.via and got.key != dotted else None
        return Source("key", reader.doc.path, got.key or dotted, node.span if node else None, None, None, note)


def _keys(reader: ConfigReader) -> OmegaConfInterpolation:
    keys = reader.keys
    assert isinstance(keys, OmegaConfInterpolation)  # every NeMo reader is built in extract()
    return keys


def _peek(reader: ConfigReader, dotted: str) -> Optional[Resolution]:
    """The resolution at `dotted` without a finding: is the key written, does it resolve?"""
    return _keys(reader).interpolator.get(dotted)


def _integers(reader: ConfigReader, dotted: str) -> Optional[tuple[list[int], Source]]:
    got = _keys(reader).get(reader, dotted)
    if got is None or not isinstance(got.value, SequenceNode):
        return None
    values = []
    for i in range(len(got.value)):
        item = reader.integer(f"{dotted}.{i}")
        if item is None:
            return None
        values.append(item.value)
    return values, key_source(reader.doc.path, dotted, got.value.span)


def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK, keys=OmegaConfInterpolation(doc))
    sheet = FactSheet()
    root = doc.root
    launcher = isinstance(root, MappingNode) and isinstance(root.get("run"), MappingNode)
    notes: dict[str, Any] = {"variant": "nemo-launcher" if launcher else "nemo1"}
    spec = _architecture(reader, sheet)
    if spec is not None:
        # no n_params_total: the padded vocabulary comes from the tokenizer
        counts = count_facts(spec, note=f"NeMo {describe(spec)}", total=False)
        sheet.facts.update(counts)
    _parallelism(reader, sheet)
    _training(reader, sheet, notes)
    _init(reader, sheet)
    notices: tuple[str, ...] = ()
    max_time = reader.text("trainer.max_time")
    if max_time is not None and str(max_time.value).strip().lower() not in ("", "null", "none"):
        # Lightning stops at whichever of max_steps and max_time comes first
        notices = (f"{doc.path}: trainer.max_time {max_time.value} may stop the run before max_steps; "
                   "the tokens D are an upper bound",)
    # megatron_gpt_distillation.py (NVIDIA/NeMo 8cfedd7, examples/nlp/language_modeling) reads
    # model.kd_teacher_restore_from_path, the teacher whose logits the student is trained on
    # (conf/megatron_llama_distill.yaml): not the next-token loss Step Law was fitted on.
    model = root.get("model") if isinstance(root, MappingNode) else None
    if isinstance(model, MappingNode) and "kd_teacher_restore_from_path" in model:  # (its key index: no key list)
        notes["objective"] = "knowledge distillation from a teacher (model.kd_teacher_restore_from_path)"
    out = Extraction(dialect=NAME, file=doc.path, facts=dict(sheet.facts), arch=spec,
                     diagnostics=tuple(reader.diagnostics), notices=notices, notes=Notes(**notes))
    recurrent = _recurrent_model(root)
    if recurrent:
        from steplint.dialects import nontransformer

        out = nontransformer.mark(out, recurrent)
    return out


# Keys only NeMo's recurrent models read (NVIDIA/NeMo 8cfedd72,
# nemo/collections/nlp/models/language_modeling/): megatron_mamba_model.py reads
# hybrid_override_pattern (default "M" x num_layers: all Mamba-2) and mamba_ssm_ngroups;
# megatron_griffin_model.py reads activations_checkpoint_recurrent (RG-LRU blocks).
_RECURRENT_KEYS = (("hybrid_override_pattern", "NeMo Mamba-2 / hybrid model (model.hybrid_override_pattern)"),
                   ("mamba_ssm_ngroups", "NeMo Mamba-2 / hybrid model (model.mamba_ssm_ngroups)"),
                   ("activations_checkpoint_recurrent", "NeMo Griffin recurrent model "
                                                        "(model.activations_checkpoint_recurrent)"),
                   # megatron_gpt_model.py l.492-499 passes cfg.hyena to get_specs, and the spec
                   # `te_gpt_hyena` (modules/common/hyena/hyena_spec.py) puts a HyenaOperator, a long
                   # convolution, where self-attention was (examples/.../megatron_gpt_config_hyena.yaml)
                   ("hyena", "NeMo Hyena long-convolution model (model.hyena)"))


def _recurrent_model(root: Any) -> Optional[str]:
    model = root.get("model") if isinstance(root, MappingNode) else None
    if not isinstance(model, MappingNode):
        return None
    return next((reason for key, reason in _RECURRENT_KEYS if key in model), None)  # (its key index: no key list)


def _architecture(reader: ConfigReader, sheet: FactSheet) -> Optional[ArchSpec]:
    core = sheet.put_core(reader.integer("model.num_layers"), reader.integer("model.hidden_size"),
                          reader.integer("model.num_attention_heads"))
    if core is None:
        return None
    layers, hidden, heads = core
    h = hidden.value
    head_dim = reader.integer("model.kv_channels") or derived(
        h // heads.value, "hidden_size / num_attention_heads", "hidden_size", "num_attention_heads",
        note="kv_channels null")
    sheet.put("head_dim", head_dim)
    kv = sheet.put("num_kv_heads", reader.integer("model.num_query_groups"))
    activation = reader.text("model.activation")
    act = str(activation.value).lower() if activation else "gelu"
    gated = act.endswith("glu")
    ffn = reader.integer("model.ffn_hidden_size")
    if ffn is None:
        if _peek(reader, "model.ffn_hidden_size") is not None:
            return None  # written but unresolved (SL007): N is not guessed
        ffn = Value(4 * h, default_source(MCORE, "ffn_hidden_size unset: 4h (no 2/3 rule in TransformerConfig)"))
    sheet.put("ffn_hidden_size", ffn)
    experts = reader.integer("model.num_moe_experts")
    num_experts = experts.value if experts and experts.value > 1 else 0
    topk = 0
    expert_width = shared_width = None
    dense_layers = 0
    if num_experts:
        sheet.put("num_experts", experts)
        top = reader.integer("model.moe_router_topk") or Value(2, default_source(MCORE, "moe_router_topk unset"))
        topk = top.value
        sheet.put("experts_per_token", top)
        width = reader.integer("model.moe_ffn_hidden_size")
        expert_width = width.value if width else None
        shared = reader.integer("model.moe_shared_expert_intermediate_size")
        shared_width = shared.value if shared else None
        freq = reader.integer("model.moe_layer_freq")
        if freq is not None and freq.value >= 1:
            dense_layers = layers.value - moe_layer_count(layers.value, freq.value)
    tied = reader.flag("model.share_embeddings_and_output_weights")
    try:
        return ArchSpec(
            hidden_size=h, num_layers=layers.value, num_heads=heads.value, ffn_hidden_size=ffn.value,
            num_kv_heads=kv.value if kv else None, head_dim=head_dim.value, gated=gated,
            tied_embeddings=tied is None or tied.value, num_experts=num_experts, experts_per_token=topk,
            expert_ffn_hidden_size=expert_width, shared_experts=1 if shared_width else 0,
            shared_expert_ffn_hidden_size=shared_width, num_dense_layers=dense_layers,
        )
    except ValueError:
        return None


def _parallelism(reader: ConfigReader, sheet: FactSheet) -> None:
    for field, key in (("tensor_parallel", "tensor_model_parallel_size"),
                       ("pipeline_parallel", "pipeline_model_parallel_size"),
                       ("context_parallel", "context_parallel_size"),
                       ("expert_parallel", "expert_model_parallel_size")):
        got = reader.integer(f"model.{key}")
        if got is None and _peek(reader, f"model.{key}") is None:  # absent, not unresolved
            got = Value(1, default_source(FRAMEWORK, f"{key} not set"))
        sheet.put(field, got)
    devices = reader.integer("trainer.devices")
    nodes = reader.integer("trainer.num_nodes")
    if devices and devices.value > 0 and (nodes is None or nodes.value > 0):
        n = nodes.value if nodes else 1
        sheet.put("world_size", derived(devices.value * n, "trainer.devices x trainer.num_nodes",
                                        note=f"{devices.value} devices x {n} nodes"))


def _data_seq_length(reader: ConfigReader) -> Optional[Value]:
    """model.data.seq_length when it resolves. The launcher writes it as
    `${training.model.encoder_seq_length}` (a key of the launcher's composed config, which is
    this file under `training:`): that names the position range itself, so the fallback to
    model.encoder_seq_length is exact there and no SL007 is due."""
    got = _peek(reader, "model.data.seq_length")
    if got is not None and not got.ok:
        text = got.node.text if got.node is not None else ""
        if "encoder_seq_length}" in text.replace(" ", ""):
            return None
    return reader.integer("model.data.seq_length")


def _training(reader: ConfigReader, sheet: FactSheet, notes: dict[str, Any]) -> None:
    # The GPT dataset builds samples of model.data.seq_length tokens (NVIDIA/NeMo 8cfedd7,
    # megatron_gpt_model.py lines 1673-1686, the GPT dataset config: `sequence_length: cfg.data.seq_length`);
    # model.encoder_seq_length sizes the position range and is only the fallback when data
    # does not say (megatron_gpt_config.yaml writes `seq_length: ${model.encoder_seq_length}`).
    seq = sheet.put("seq_len", _data_seq_length(reader) or reader.integer("model.encoder_seq_length"))
    sheet.put("max_position_embeddings", reader.integer("model.max_position_embeddings"))
    sheet.put("micro_batch", reader.integer("model.micro_batch_size"))
    final = reader.integer("model.global_batch_size")
    final = sheet.put("global_batch_sequences", final if final is not None and final.value > 0 else None)
    steps = reader.integer("trainer.max_steps")
    if steps is not None and steps.value < 0:  # max_steps -1: the epochs decide
        steps = None
    sheet.put("train_steps", steps)

    ramp_args = _integers(reader, "model.rampup_batch_size")
    ramp = RampUp.from_flag(ramp_args, final.value if final is not None else None)
    if ramp is not None and (steps is None or seq is None):
        notes["rampup"] = ramp.note()._replace(completes=None)
    if ramp is not None and steps is not None and seq is not None:
        consumed = ramp.consumed_after(steps.value)
        notes["rampup"] = ramp.note(consumed)
        sheet.put("tokens", derived(consumed * seq.value, f"samples consumed in {steps.value:,} steps with the "
                                    f"{ramp.describe()} x seq_len", "train_steps", "seq_len"))

    sheet.put("peak_lr", reader.number("model.optim.lr"))
    name = reader.text("model.optim.name")
    if name is not None:
        sheet.put("optimizer", name)
    for field, index in (("adam_beta1", 0), ("adam_beta2", 1)):
        sheet.put(field, reader.number(f"model.optim.betas.{index}"))
    sheet.put("adam_eps", reader.number("model.optim.eps"))
    sheet.put("weight_decay", reader.number("model.optim.weight_decay"))
    sheet.put("grad_clip", reader.number("trainer.gradient_clip_val"))
    precision = reader.text("trainer.precision")
    if precision is not None:
        text = str(precision.value).lower()
        # Lightning spellings: bf16, bf16-mixed, 16, 16-mixed, 32, 32-true
        value = "bf16" if "bf16" in text else "fp16" if text.startswith("16") else \
            "fp32" if text.startswith("32") else None
        if value:
            sheet.put("precision", Value(value, precision.source))

    sched = reader.text("model.optim.sched.name")
    if sched is None:
        return
    style = DECAY_STYLES.get(str(sched.value))
    notes["scheduler"] = str(sched.value)
    if style is not None:
        sheet.put("decay_style", Value(style, sched.source))
    max_steps = reader.integer("model.optim.sched.max_steps")
    if max_steps is None and steps is not None:
        max_steps = derived(steps.value, "sched.max_steps unset: trainer.max_steps", "train_steps")
    elif max_steps is not None and steps is not None and max_steps.value != steps.value:
        notes["steps_differ"] = (max_steps.value, steps.value)
    sheet.put("min_lr", reader.number("model.optim.sched.min_lr") or Value(0.0, default_source(
        FRAMEWORK, "sched.min_lr not set")))

    def span_steps(kind: str) -> Optional[Value]:
        """`<kind>_steps`, or int(`<kind>_ratio` x max_steps) (lr_scheduler.py)."""
        given = reader.integer(f"model.optim.sched.{kind}_steps")
        if given is not None:
            return given
        ratio = reader.number(f"model.optim.sched.{kind}_ratio")
        if ratio is not None and max_steps is not None:
            return derived(int(ratio.value * max_steps.value), f"int({kind}_ratio {ratio.value} x max_steps)",
                           "train_steps")
        return None

    warmup = span_steps("warmup")
    sheet.put("warmup_steps", warmup or Value(0, default_source(FRAMEWORK, "no warmup_steps / warmup_ratio")))
    constant = span_steps("constant")
    hold = span_steps("hold")
    notes.update(constant_steps=constant.value if constant else 0, hold_steps=hold.value if hold else 0)
    if max_steps is None or style in (None, "constant", "inverse-sqrt"):
        return
    if str(sched.value) == "CosineAnnealing" and constant is not None:
        # lr_scheduler.py: decay_steps = max_steps - (constant_steps + warmup_steps), and past
        # warmup + decay_steps the LR is min_lr. When warmup + constant exceed max_steps the
        # decay is empty: min_lr right after the warmup, never a negative step.
        end = max_steps.value - constant.value
        warm = warmup.value if warmup is not None else 0
        formula = "max_steps - constant_steps (CosineAnnealing holds min_lr for the last constant_steps)"
        if end <= warm:
            # The decay is empty: the LR is the peak at step warmup and min_lr from the next
            # step on (step > warmup + decay_steps). A warmup as long as the run never ends:
            # the horizon is then the run's end.
            end, formula = min(max(warm, 0) + 1, max_steps.value), (
                "warmup_steps + 1: warmup + constant_steps reach max_steps, so the cosine decay is empty and "
                "the LR drops to min_lr right after the warmup")
        sheet.put("decay_end_step", derived(end, formula, "train_steps"))
    else:
        sheet.put("decay_end_step", max_steps if max_steps.source.kind != "derived" else derived(
            max_steps.value, "sched.max_steps unset: trainer.max_steps", "train_steps"))


# model.peft.peft_scheme values that train adapters only (NeMo 8cfedd7,
# examples/nlp/language_modeling/tuning/conf/megatron_gpt_finetuning_config.yaml: "adapter",
# "ia3", "ptuning", "lora"; "none" is full fine-tuning).
_ADAPTER_SCHEMES = ("lora", "adapter", "ia3", "ptuning", "p_tuning", "prompt_tuning", "canonical", "dora",
                    "qlora")


def _init(reader: ConfigReader, sheet: FactSheet) -> None:
    """Where the weights start (NVIDIA/NeMo 8cfedd7): megatron_gpt_config.yaml reads
    `model.restore_from_path` ("a .nemo file path to restore only the model weights") and
    `model.restore_from_ckpt` ("a training ckpt path to restore both model weights and
    optimizer states"), both "used for continual training"; the fine-tuning config
    (tuning/conf/megatron_gpt_finetuning_config.yaml) requires restore_from_path, trains
    `model.data.train_ds` (supervised, `chat` data) and `model.peft.peft_scheme` adapters.
    The NeMo-Framework-Launcher's fine-tuning and PEFT configs name the weights in
    `model.pretrained_checkpoint.restore_from_path`. `model.resume_from_checkpoint` and
    `exp_manager.resume_if_exists` continue this same run: not a change of start."""
    scheme = reader.text("model.peft.peft_scheme")
    if scheme is not None and str(scheme.value).lower() in _ADAPTER_SCHEMES:
        sheet.put("init", Value("lora", scheme.source._replace(note=f"PEFT {scheme.value}: adapters only")))
        return
    for key in ("model.restore_from_path", "model.pretrained_checkpoint.restore_from_path",
                "model.restore_from_ckpt"):
        path = _set_text(reader, key)
        if path is None:
            continue
        supervised = _peek(reader, "model.data.train_ds") is not None or scheme is not None
        if supervised:
            sheet.put("init", Value("finetune", path.source._replace(
                note="supervised fine-tuning (model.data.train_ds) of these weights")))
        else:
            sheet.put("init", Value("checkpoint", path.source._replace(
                note="continued training from these weights")))
        return
    sheet.put("init", Value("scratch", default_source(FRAMEWORK, "no restore_from_path / restore_from_ckpt / "
                                                                 "pretrained_checkpoint: random init")))


def _set_text(reader: ConfigReader, dotted: str) -> Optional[Value]:
    """A path-like value that is set (not null, not empty); Hydra's `???` counts as set: it is a
    mandatory value the launch command supplies (NeMo's tuning configs write restore_from_path: ???)."""
    node = _peek(reader, dotted)
    if node is not None and not node.ok and node.node is not None and str(node.node.text).strip():
        # `${fine_tuning.run.convert_dir}/results/x.nemo` (the launcher's composed config): a
        # path is named even if this file alone cannot spell it out
        return Value(str(node.node.text), key_source(reader.doc.path, dotted, node.node.span,
                                                     "a path from the launcher's config"))
    if node is None or not node.ok or not isinstance(node.value, str):
        return None
    text = node.value.strip()
    if not text or text in ("null", "None"):
        return None
    source = _keys(reader).source(reader, dotted, node)
    if text == "???":  # Hydra's mandatory value: the fine-tuning configs require the path at launch
        source = source._replace(note="??? : a path the launch must give (Hydra mandatory value)")
    return Value(text, source)
