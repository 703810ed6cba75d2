"""Levanter YAML (draccus) for `levanter.main.train_lm`.

The batch is global (`trainer.train_batch_size` sequences, possibly a schedule: B is its
last value, D sums every segment), the run is `trainer.num_train_steps`, and the optimizer's
`warmup` / `decay` read a value <= 1 as a fraction of the cycle and a larger whole number
as steps (`warmup: 1` is the whole run, not one step). The floor is `min_lr_ratio` of the
peak. The vocabulary comes from the tokenizer, so N is known but the total is not.

Keys, defaults and schedule: src/levanter/optim/config.py (`lr_scheduler`,
`_get_cycle_minima`, `_convert_frac_or_steps`, AdamConfig), trainer.py and
models/{llama,gpt2,mistral,mixtral}.py of stanford-crfm/levanter at 9263f81e;
formats-hf-modern.md section 11.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from steplint.dialects.base import ExtractContext, Extraction, root_names
from steplint.dialects.config_reader import (
    CASTS_STRINGS, ConfigReader, FactSheet, Value, derived, never_raises, present, finish,
)
from steplint.documents.nodes import Document, MappingNode, ScalarNode, SequenceNode
from steplint.recipe import Notes, default_source, key_source

if TYPE_CHECKING:
    from steplint.arch import ArchSpec

NAME = "levanter"
DESCRIPTION = "Levanter train_lm YAML (trainer.train_batch_size, optimizer.warmup/decay, model.type)"

FRAMEWORK = "Levanter 9263f81e (src/levanter/optim/config.py, trainer.py)"

DEFAULT_BATCH = 512
DEFAULT_STEPS = 400_000
DEFAULT_LR = 6e-4
DEFAULT_MIN_LR_RATIO = 0.1
DEFAULT_WARMUP = 0.01
DEFAULT_SCHEDULE = "cosine"
DEFAULT_WEIGHT_DECAY = 0.1
# AdamConfig defaults (also LionConfig's).
DEFAULT_ADAM = {"beta1": 0.9, "beta2": 0.95, "epsilon": 1e-8, "max_grad_norm": 1.0}

# model.type -> class defaults (models/<type>.py). `mlp` is "gated" (SwiGLU) or "plain".
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "llama": {"hidden_dim": 4096, "intermediate_dim": 11008, "num_layers": 32, "num_heads": 32,
              "num_kv_heads": 32, "head_dim": None, "seq_len": 2048, "tie_word_embeddings": False,
              "mlp": "gated"},
    "gpt2": {"hidden_dim": 768, "num_layers": 12, "num_heads": 12, "mlp_scale": 4, "seq_len": 1024,
             "tie_word_embeddings": True, "mlp": "plain"},
    # MistralConfig docstring defaults (models/mistral.py): Mistral-7B.
    "mistral": {"hidden_dim": 4096, "intermediate_dim": 14336, "num_layers": 32, "num_heads": 32,
                "num_kv_heads": 8, "head_dim": None, "seq_len": 8192, "tie_word_embeddings": False,
                "mlp": "gated"},
    "mixtral": {"hidden_dim": 4096, "intermediate_dim": 14336, "num_layers": 32, "num_heads": 32,
                "num_kv_heads": 8, "head_dim": None, "seq_len": 8192, "tie_word_embeddings": False,
                "n_routed_experts": 8, "num_experts_per_tok": 2, "mlp": "gated"},
}

DECAY_STYLES = {"cosine": "cosine", "linear": "linear", "constant": "constant", "inv": "inverse",
                "inv_sqrt": "inverse-sqrt"}
# Schedules that reach min_lr at the end of the decay window.
FLOORED = ("cosine", "linear", "inv")

_MARKERS = ("trainer.train_batch_size", "trainer.num_train_steps", "trainer.mp", "trainer.checkpointer",
            "optimizer.min_lr_ratio", "optimizer.lr_schedule", "optimizer.warmup", "model.type",
            "model.hidden_dim", "data.tokenizer", "data.cache_dir")


def detect(doc: Document) -> float:
    if doc.kind not in ("yaml", "json"):
        return 0.0
    names = root_names(doc)
    if "trainer" not in names and "optimizer" not in names:  # neither below can be there: no lookup
        return 0.0
    reader = ConfigReader(doc, FRAMEWORK)
    if not isinstance(reader.node("trainer"), MappingNode) and not reader.has("optimizer.min_lr_ratio"):
        return 0.0
    hits = present(_MARKERS, reader)
    return 0.0 if hits < 2 else min(0.95, 0.3 + 0.08 * hits)


@never_raises(NAME, "Levanter config")
def extract(doc: Document, ctx: ExtractContext) -> Extraction:
    reader = ConfigReader(doc, FRAMEWORK, loader=CASTS_STRINGS)
    sheet = FactSheet()
    notices: list[str] = []
    notes: dict[str, Any] = {}
    spec, seq_default = _architecture(reader, sheet, notices)
    _batch(reader, sheet, seq_default)
    _schedule(reader, sheet, notices, notes)
    _optimizer(reader, sheet)
    _scheduled_tokens(reader, sheet)
    return finish(NAME, doc, reader, sheet, arch=spec, notices=notices, notes=Notes(**notes))


def _architecture(reader: ConfigReader, sheet: FactSheet, notices: list[str]
                  ) -> tuple[Optional[ArchSpec], Optional[Value]]:
    from steplint.arch import ArchSpec

    hub = reader.raw("initialize_from_hf")
    from_hub = hub is not None and hub.value not in (False, "", None)
    has_model = isinstance(reader.node("model"), MappingNode)
    use_hf_config = reader.flag("use_hf_model_config")
    # The architecture of a run that starts from hub weights is the checkpoint's when the file
    # has no `model:` (lora_lm.py's LoraLmConfig has no model field: HFCheckpointConverter.from_hf,
    # l.56) or asks for it (train_lm.py l.46-47, use_hf_model_config). steplint reads no hub: N
    # stays unknown rather than falling back to a default model (stanford-crfm/levanter 9263f81e).
    if hub is not None and from_hub and (not has_model or (use_hf_config is not None and use_hf_config.value is True)):
        notices.append(f"the architecture is the Hugging Face checkpoint's ({hub.value}), which steplint does "
                       "not fetch: pass --model config.json or --params N")
        return None, None
    kind = reader.text("model.type")
    if kind is None and has_model:
        # LmConfig is a draccus choice registry with no default choice: `model:` needs `type:`
        notices.append("model has no type: Levanter needs one to choose the model class; N is not counted")
        return None, None
    # No `model:` at all: TrainLmConfig's default model is LlamaConfig (train_lm.py l.42)
    model_type = kind.value if kind is not None else "llama"
    defaults = MODEL_DEFAULTS.get(model_type)
    origin = f"Levanter 9263f81e models/{model_type}.py"

    def get(key: str) -> Optional[Value]:
        got = reader.count(f"model.{key}")
        if got is not None:
            return got
        if defaults is not None and defaults.get(key) is not None:
            return Value(defaults[key], default_source(origin, f"model.{key} not set"))
        return None

    seq = get("seq_len")
    if defaults is None:
        notices.append(f"Levanter model type {model_type!r} has no defaults table in steplint; N is counted "
                       "only when every dimension is in the file")
    hidden, layers, heads = get("hidden_dim"), get("num_layers"), get("num_heads")
    if model_type == "gpt2":
        scale = get("mlp_scale")
        ffn = scale and hidden and derived(scale.value * hidden.value, "mlp_scale * hidden_dim", "hidden_size")
        kv = heads
    else:
        ffn, kv = get("intermediate_dim"), get("num_kv_heads") or heads
    if hidden is None or layers is None or heads is None or ffn is None or kv is None:
        return None, seq
    tied = reader.flag("model.tie_word_embeddings")
    fields: dict[str, Any] = dict(
        hidden_size=hidden.value, num_layers=layers.value, num_heads=heads.value, num_kv_heads=kv.value,
        head_dim=head_dim.value if (head_dim := get("head_dim")) else None, ffn_hidden_size=ffn.value,
        gated=(defaults or {}).get("mlp", "gated") == "gated",
        tied_embeddings=model_type == "gpt2" or bool(tied.value if tied is not None else False),
    )
    experts = get("n_routed_experts")
    if experts is not None:
        top_k = get("num_experts_per_tok")
        fields.update(num_experts=experts.value, experts_per_token=top_k.value if top_k else 1,
                      expert_ffn_hidden_size=ffn.value)
        sheet.put("num_experts", experts)
        sheet.put("experts_per_token", top_k)
    try:
        spec = ArchSpec(**fields)
    except ValueError as exc:
        notices.append(f"cannot read the Levanter architecture: {exc}")
        return None, seq
    sheet.put("hidden_size", hidden)
    sheet.put("num_layers", layers)
    sheet.put("num_attention_heads", heads)
    sheet.put("num_kv_heads", kv)
    sheet.put("ffn_hidden_size", ffn)
    # The vocabulary is len(tokenizer) (data.tokenizer), not a model key: no total count.
    sheet.put_param_counts(spec, f"Levanter model type {model_type}", vocab_known=False)
    return spec, seq


def _batch(reader: ConfigReader, sheet: FactSheet, seq_default: Optional[Value]) -> None:
    sheet.put("seq_len", seq_default)
    node = reader.node("trainer.train_batch_size")
    if isinstance(node, SequenceNode) and node.items:
        # IntSchedule: [{start, value}, ...]; the batch the run ends with is the last value.
        last = node.items[-1]
        index = len(node.items) - 1
        got = reader.count(f"trainer.train_batch_size.{index}.value") if isinstance(last, MappingNode) else None
        sheet.put("global_batch_sequences", got)
    elif isinstance(node, ScalarNode) and node.value == -1:
        # trainer.py (stanford-crfm/levanter 9263f81, TrainerConfig lines 694-696, 922-935): -1 is
        # the documented sentinel "per_device_parallelism x data axis size", with no
        # accumulation; the data axis needs the device count (--world-size), so the global
        # batch is derived by resolve from micro x 1 x data parallel, never read as -1.
        per_device = reader.count("trainer.per_device_parallelism")
        sheet.put("micro_batch", per_device)
        if per_device is not None:
            sheet.put("grad_accum", Value(1, reader.source(
                "trainer.train_batch_size", "-1: per_device_parallelism x data axis size, no accumulation")))
    elif isinstance(node, ScalarNode):
        sheet.put("global_batch_sequences", reader.count("trainer.train_batch_size"))
    else:
        sheet.put("global_batch_sequences", reader.default(DEFAULT_BATCH, "trainer.train_batch_size not set"))


def batch_schedule(reader: ConfigReader) -> Optional[list[tuple[int, int]]]:
    """`trainer.train_batch_size` as an IntSchedule, [(start step, sequences), ...], or None
    when it is a plain number (or any entry is unreadable)."""
    node = reader.node("trainer.train_batch_size")
    if not isinstance(node, SequenceNode) or not node.items:
        return None
    out = []
    for index in range(len(node.items)):
        start = reader.integer(f"trainer.train_batch_size.{index}.start")
        value = reader.count(f"trainer.train_batch_size.{index}.value")
        if start is None or value is None:
            return None
        out.append((start.value, value.value))
    return sorted(out)


def _scheduled_tokens(reader: ConfigReader, sheet: FactSheet) -> None:
    """With a batch schedule, D sums each segment's batch over its steps (the final batch
    alone would overcount the ramp)."""
    schedule = batch_schedule(reader)
    steps, seq = sheet.value("train_steps"), sheet.value("seq_len")
    if not schedule or steps is None or seq is None:
        return
    bounds = [start for start, _ in schedule[1:]] + [steps]
    sequences = sum(value * max(0, min(end, steps) - max(start, 0))
                    for (start, value), end in zip(schedule, bounds, strict=True))
    sheet.put("tokens", derived(sequences * seq, "seq_len * sum(batch of each schedule segment * its steps)",
                                "seq_len", "train_steps", at=reader.source("trainer.train_batch_size")))


def frac_or_steps(value: float, total: int) -> int:
    """Levanter's _convert_frac_or_steps: <= 1 is a fraction of `total`, else whole steps."""
    return int(value * total) if value <= 1.0 else int(value)


def _schedule(reader: ConfigReader, sheet: FactSheet, notices: list[str], notes: dict[str, Any]) -> None:
    steps = sheet.put("train_steps", reader.count_or_default("trainer.num_train_steps", DEFAULT_STEPS))
    peak = sheet.put("peak_lr", reader.positive_or_default("optimizer.learning_rate", DEFAULT_LR))
    ratio = reader.fraction_or_default("optimizer.min_lr_ratio", DEFAULT_MIN_LR_RATIO)
    sheet.put("min_lr", derived(peak.value * ratio.value, "learning_rate * min_lr_ratio", "peak_lr",
                                note=f"min_lr_ratio {ratio.value} is a ratio", at=ratio.source))
    kind = reader.text_or_default("optimizer.lr_schedule", DEFAULT_SCHEDULE)
    notes["scheduler"] = kind.value
    sheet.put("decay_style", Value(DECAY_STYLES.get(kind.value, kind.value), kind.source))

    cooldown = reader.number("optimizer.cooldown")
    main_steps = steps.value - (frac_or_steps(cooldown.value, steps.value) if cooldown else 0)
    cycle_end = _first_cycle_end(reader, main_steps, notices)
    warmup = reader.number_or_default("optimizer.warmup", DEFAULT_WARMUP)
    warmup_steps = frac_or_steps(warmup.value, cycle_end)
    sheet.put("warmup_steps", derived(warmup_steps, "optimizer.warmup: <= 1 a fraction of the cycle, else steps",
                                      "train_steps", note=f"warmup {warmup.value}", at=warmup.source))
    decay = reader.number("optimizer.decay")
    decay_steps = frac_or_steps(decay.value, cycle_end) if decay is not None else cycle_end - warmup_steps
    notes["decay_steps"] = decay_steps
    notes["stable_steps"] = cycle_end - warmup_steps - decay_steps
    if kind.value in FLOORED:
        end = steps.value if cooldown else cycle_end
        sheet.put("decay_end_step", derived(
            end, "end of the first cycle (warmup + stable + decay)" if not cooldown else "num_train_steps (cooldown)",
            "train_steps", note=f"decay {decay_steps} steps", at=(decay or steps).source))


def _first_cycle_end(reader: ConfigReader, main_steps: int, notices: list[str]) -> int:
    """Where the first cycle ends (the LR first reaches its floor): cycle_length or cycles."""
    length = reader.number("optimizer.cycle_length")
    cycles = reader.count("optimizer.cycles")
    if length is not None and cycles is not None:
        # optim/config.py _get_cycle_minima: "Can't use both cycle_length and cycles."
        reader.rejected(("optimizer.cycle_length", "optimizer.cycles"),
                        "Levanter raises when both are set; give one of them", "optimizer.cycles")
    if length is not None:
        cycle = frac_or_steps(length.value, main_steps)
        if 0 < cycle < main_steps:
            notices.append(f"cycle_length {cycle}: the LR decays to its floor every {cycle} steps and re-warms")
            return cycle
    elif cycles is not None and cycles.value > 1:
        notices.append(f"cycles {cycles.value}: the LR decays to its floor {cycles.value} times")
        return int(main_steps / cycles.value)
    return main_steps


def _optimizer(reader: ConfigReader, sheet: FactSheet) -> None:
    kind = reader.text_or_default("optimizer.type", "adam")
    sheet.put("optimizer", kind)
    sheet.put("adam_beta1", reader.number_or_default("optimizer.beta1", DEFAULT_ADAM["beta1"]))
    sheet.put("adam_beta2", reader.number_or_default("optimizer.beta2", DEFAULT_ADAM["beta2"]))
    sheet.put("adam_eps", reader.number_or_default("optimizer.epsilon", DEFAULT_ADAM["epsilon"]))
    sheet.put("weight_decay", reader.number_or_default("optimizer.weight_decay", DEFAULT_WEIGHT_DECAY))
    if reader.has("optimizer.max_grad_norm") and not reader.is_set("optimizer.max_grad_norm"):
        sheet.put("grad_clip", Value(0.0, reader.source("optimizer.max_grad_norm", "null: no clipping")))
    else:
        sheet.put("grad_clip", reader.number_or_default("optimizer.max_grad_norm", DEFAULT_ADAM["max_grad_norm"]))
    mp = reader.text("trainer.mp")
    if mp is not None:
        # jmp policy string: "compute=bfloat16,params=float32" or the short "c=bf16,p=f32".
        policy: dict[str, str] = dict(part.strip().split("=", 1) for part in mp.value.split(",") if "=" in part)
        compute = policy.get("compute", policy.get("c", ""))
        precision = {"bfloat16": "bf16", "bf16": "bf16", "float16": "fp16", "f16": "fp16",
                     "float32": "fp32", "f32": "fp32"}.get(compute)
        if precision:
            sheet.put("precision", Value(precision, mp.source))
    _init(reader, sheet)


def _init(reader: ConfigReader, sheet: FactSheet) -> None:
    """Where the weights start (stanford-crfm/levanter 9263f81): lora_lm.py's LoraLmConfig
    trains the `lora:` adapters on `initialize_from_hf` weights; sft.py's SFTConfig trains
    `supervised_data` / `chat_train_urls` (dataset_type chat_jsonl by default); train_lm.py
    loads `initialize_from_hf` (true: the model's reference checkpoint, or a hub name) or
    `initialize_from_checkpoint_path` at step 0, and `trainer.initialize_from` is a trainer
    checkpoint (trainer.py line 333-339)."""
    root = reader.doc.root
    pair = root.get_pair("lora") if isinstance(root, MappingNode) else None
    if pair is not None and isinstance(pair[1], MappingNode):  # blame the `lora:` key, not its first entry
        sheet.put("init", Value("lora", key_source(reader.doc.path, "lora", pair[0].span,
                                                   "LoRA adapters (levanter.main.lora_lm)")))
        return
    # Fields only LoraLmConfig has (lora_lm.py l.41-47): a LoRA run that keeps lora's defaults
    lora_only = next((k for k in ("peft_save_path", "peft_hf_upload", "merged_hf_save_path") if reader.is_set(k)), None)
    if lora_only is not None:
        sheet.put("init", Value("lora", reader.source(lora_only, "a LoraLmConfig field (levanter.main.lora_lm)")))
        return
    start = None
    for key in ("trainer.initialize_from", "initialize_from_hf", "initialize_from_checkpoint_path"):
        got = reader.raw(key)
        if got is not None and got.value not in (False, ""):
            start = got
            break
    supervised = next((k for k in ("supervised_data", "chat_train_urls") if reader.is_set(k)), None)
    if supervised is not None:
        note = "supervised fine-tuning (levanter.main.sft)"
        sheet.put("init", Value("finetune", start.source._replace(note=note) if start is not None
                                else reader.source(supervised, note)))
        return
    if start is not None:
        sheet.put("init", Value("checkpoint", start.source))
        return
    sheet.put("init", reader.default("scratch", "no initialize_from*: random init"))
