"""The glue tables the cross-file rules read (shapes: `steplint.glue`): which files are
DeepSpeed's and HF TrainingArguments', the pairs the HF Trainer checks against DeepSpeed,
the keys it fills, HF's scheduler kwargs and the flags a framework's parser refuses together.

They live with the dialects, which own every framework key name; the resolver attaches
`GLUE` to each Recipe. Plain tuples and frozensets: this module is on every run's path.
"""

from __future__ import annotations

from types import MappingProxyType

from steplint.glue import DeepSpeedKeys, Exclusive, Glue, HfScheduler, HfTrainerKeys, TrainerPair

# Keys only a DeepSpeed JSON has (deepspeed/runtime/constants.py); `gradient_accumulation_steps`
# is shared with HF TrainingArguments, so it does not count.
DEEPSPEED = DeepSpeedKeys(
    dialects=frozenset({"deepspeed"}),
    markers=frozenset({
        "train_batch_size", "train_micro_batch_size_per_gpu", "zero_optimization",
        "gradient_clipping", "zero_allow_untested_optimizer", "steps_per_print", "wall_clock_breakdown",
    }),
    # deepspeed/runtime/config.py (_batch_assertion) at edaa72212672
    train="train_batch_size",
    micro="train_micro_batch_size_per_gpu",
    accumulation="gradient_accumulation_steps",
    betas="optimizer.params.betas",
)

# DeepSpeed key -> (TrainingArguments key, its default) that HfTrainerDeepSpeedConfig
# compares at start and refuses to run on a mismatch (transformers/integrations/deepspeed.py,
# trainer_config_process; defaults from training_args.py). SL701 reports these pairs.
DEEPSPEED_PAIRS: tuple[TrainerPair, ...] = (
    TrainerPair("train_micro_batch_size_per_gpu", "per_device_train_batch_size", 8),
    TrainerPair("gradient_accumulation_steps", "gradient_accumulation_steps", 1),
    TrainerPair("gradient_clipping", "max_grad_norm", 1.0),
    TrainerPair("optimizer.params.lr", "learning_rate", 5e-5),
    TrainerPair("optimizer.params.eps", "adam_epsilon", 1e-8),
    TrainerPair("optimizer.params.weight_decay", "weight_decay", 0.0),
    TrainerPair("scheduler.params.warmup_max_lr", "learning_rate", 5e-5),
)
# Every DeepSpeed key the Trainer cross-checks: the pairs, the betas against adam_beta1/2,
# and train_batch_size against world x micro x accumulation.
TRAINER_CHECKED_DS_KEYS = frozenset(
    [pair.ds_key for pair in DEEPSPEED_PAIRS] + [DEEPSPEED.betas, DEEPSPEED.train])

# Keys only HF TrainingArguments (and the YAML front ends that pass them through:
# TRL, LLaMA-Factory, alignment-handbook) have (transformers/training_args.py).
HF_TRAINER = HfTrainerKeys(
    dialects=frozenset({"hf-training-args", "llama-factory"}),
    markers=frozenset({
        "per_device_train_batch_size", "lr_scheduler_type", "output_dir", "num_train_epochs",
        "adam_epsilon", "max_grad_norm", "per_device_eval_batch_size", "logging_steps",
    }),
    pairs=DEEPSPEED_PAIRS,
    micro=("per_device_train_batch_size", 8),
    accumulation=("gradient_accumulation_steps", 1),
    beta1=("adam_beta1", 0.9),
    beta2=("adam_beta2", 0.999),
    deepspeed="deepspeed",
    # Keys HfTrainerDeepSpeedConfig fills from TrainingArguments and the model config
    # (transformers/integrations/deepspeed.py: trainer_config_process, trainer_config_finalize).
    filled=frozenset({
        "train_micro_batch_size_per_gpu", "gradient_accumulation_steps", "train_batch_size", "gradient_clipping",
        "optimizer.params.lr", "optimizer.params.betas", "optimizer.params.eps", "optimizer.params.weight_decay",
        "scheduler.params.warmup_min_lr", "scheduler.params.warmup_max_lr",
        "scheduler.params.warmup_num_steps", "scheduler.params.total_num_steps",
        "fp16.enabled", "bf16.enabled", "amp.enabled", "amp.opt_level",
        "zero_optimization.reduce_bucket_size", "zero_optimization.stage3_prefetch_bucket_size",
        "zero_optimization.stage3_param_persistence_threshold",
    }),
    # axolotl hands `deepspeed:` to AxolotlTrainingArguments, a transformers TrainingArguments,
    # so HfTrainerDeepSpeedConfig fills "auto" (axolotl-ai-cloud/axolotl 067b021,
    # src/axolotl/core/builders/causal.py l.191-193).
    launchers=frozenset({"axolotl"}),
)

# Keyword arguments each `lr_scheduler_type` accepts beyond the optimizer and step counts
# (transformers/optimization.py, TYPE_TO_SCHEDULER_FUNCTION, transformers v5 line).
# reduce_lr_on_plateau passes torch's ReduceLROnPlateau kwargs and is not checked.
HF_SCHEDULER = HfScheduler(
    type_key="lr_scheduler_type",
    kwargs_key="lr_scheduler_kwargs",
    accepted=MappingProxyType({
        "linear": frozenset(),
        "cosine": frozenset({"num_cycles"}),
        "cosine_with_restarts": frozenset({"num_cycles"}),
        "polynomial": frozenset({"lr_end", "power"}),
        "constant": frozenset(),
        "constant_with_warmup": frozenset(),
        "inverse_sqrt": frozenset({"timescale"}),
        "cosine_with_min_lr": frozenset({"num_cycles", "min_lr", "min_lr_rate"}),
        "cosine_warmup_with_min_lr": frozenset({"num_cycles", "min_lr", "min_lr_rate", "warmup_lr_rate"}),
        "warmup_stable_decay": frozenset({
            "num_stable_steps", "num_decay_steps", "warmup_type", "decay_type", "min_lr_ratio", "num_cycles",
        }),
    }),
    min_lr_schedulers=frozenset({"cosine_with_min_lr", "cosine_warmup_with_min_lr"}),
    floors=("min_lr", "min_lr_rate"),
    # Names people reach for from other libraries (torch CosineAnnealingLR eta_min; Megatron min_lr
    # spelled differently) that mean the absolute floor.
    floor_aliases=("eta_min", "min_learning_rate", "lr_min", "final_lr"),
)

# Flags each framework's own parser refuses together. Megatron-LM's parser conflicts (train
# iters vs samples, sample/iteration LR flags, warmup forms, ramp-up with iterations, step batch
# schedule with a global batch) are found by the Megatron dialect, which reads flags through
# shell indirection, and arrive in each file's `Notes.incompatible_flags`; only
# precision is in this table.
_MEGATRON = (
    Exclusive(("fp16",), ("bf16",), "Megatron-LM asserts fp16 and bf16 are not both set",
              "megatron/training/arguments.py validate_args at d98e8a64ddf3"),
)
_DEEPSPEED = (
    Exclusive(("fp16.enabled",), ("bf16.enabled",),
              "DeepSpeed refuses fp16 and bf16 enabled together",
              "deepspeed/runtime/config.py (bf16 and fp16 modes cannot be simultaneously enabled)"),
)
_HF = (
    Exclusive(("fp16",), ("bf16",), "TrainingArguments raises when fp16 and bf16 are both true",
              "transformers/training_args.py __post_init__"),
)
_AXOLOTL = (
    Exclusive(("gradient_accumulation_steps",), ("batch_size",),
              "axolotl takes gradient_accumulation_steps or batch_size, not both",
              "axolotl src/axolotl/utils/schemas/validation.py at 067b021c8b87"),
    Exclusive(("warmup_steps",), ("warmup_ratio",),
              "axolotl rejects warmup_steps together with warmup_ratio",
              "axolotl src/axolotl/utils/schemas/validation.py at 067b021c8b87"),
)
EXCLUSIVE_FLAGS = MappingProxyType({
    "megatron": _MEGATRON,
    "deepspeed": _DEEPSPEED,
    "hf-training-args": _HF, "llama-factory": _HF,
    "axolotl": _AXOLOTL,
})

GLUE = Glue(deepspeed=DEEPSPEED, hf=HF_TRAINER, hf_scheduler=HF_SCHEDULER, exclusive=EXCLUSIVE_FLAGS)
