"""Structure-aware generators of hostile training configs, for the fuzz campaign.

Every generator takes a `random.Random`, so one seed replays one input: the default suite
draws them through hypothesis (`st.randoms()`, which shrinks), the long campaign
(`scripts/fuzz_campaign.py`) from a seeded Random. A case is `{file name: bytes}`: one
recipe of one to three files, in every dialect and format steplint reads.

What is generated (issue 15 item 1), and where:
- each dialect's keys with valid values (TEMPLATES), then swapped types, zero, negative,
  huge, NaN/inf, denormals, strings where numbers belong (`_leaf`, HOSTILE_*);
- implicitly typed scalars written raw in each format's own grammar (`Raw`): YAML
  `1.0e+400`, malformed timestamps (`2026-02-30`, `2001-12-14 25:61:61`), base 60; JSON
  `1e400`, 400-digit integers, NaN; TOML `inf`, bad dates;
- every model dimension, count and batch member of every dialect (ARITHMETIC_KEY) forced
  to zero or non-finite divisors (DeepSpeed triple, ramp-up increments of 0), astronomically
  large dimensions and layer counts in the millions to 1e15: nothing may scale with a
  number written in the file;
- duplicate keys, anchors/aliases/merge keys (billion-laughs shapes under and over the
  expansion cap), tags, deep nesting around the depth cap (YAML, JSON, TOML), more values
  than the per-document cap, unicode, NUL, BOM/CRLF, truncation (`mutate_text`);
- shell constructs: heredocs, arrays, nested `$(...)` and `$((...))`, `source`, division
  by zero, paths outside the tree (`to_shell`, `mutate_text`);
- invalid UTF-8 and byte flips (`mutate_bytes`), and byte-level mutations of the shared
  corpus (../shared/corpus) when it is present.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any, Callable

Case = dict  # file name -> bytes

# One recipe template per dialect: realistic keys (the frameworks' own names) and values.
TEMPLATES: dict[str, dict] = {
    "megatron.yaml": {"num_layers": 24, "hidden_size": 2048, "num_attention_heads": 16, "seq_length": 2048,
                      "max_position_embeddings": 2048, "micro_batch_size": 4, "global_batch_size": 256,
                      "rampup_batch_size": [32, 32, 1000000], "lr": 3.0e-4, "min_lr": 1.0e-5,
                      "lr_decay_style": "cosine", "lr_warmup_iters": 2000, "train_iters": 100000,
                      "weight_decay": 0.1, "clip_grad": 1.0, "adam_beta2": 0.95, "tensor_model_parallel_size": 2},
    # model.rampup_batch_size [start, increment, samples]: NeMo docs/source/nlp/nemo_megatron/rampup_batch_size.rst
    # (https://github.com/NVIDIA/NeMo/blob/cfb0620c49bf6d46999b4b22f6e4abd101feb6ab/docs/source/nlp/nemo_megatron/rampup_batch_size.rst)
    "nemo.yaml": {"trainer": {"devices": 8, "num_nodes": 1, "max_steps": 1000, "precision": "bf16"},
                  "model": {"micro_batch_size": 4, "global_batch_size": 256, "rampup_batch_size": [32, 32, 1000000],
                            "encoder_seq_length": 2048,
                            "num_layers": 24, "hidden_size": 2048, "ffn_hidden_size": 8192,
                            "num_attention_heads": 16, "tensor_model_parallel_size": 1,
                            "optim": {"name": "fused_adam", "lr": 3.0e-4, "betas": [0.9, 0.95],
                                      "sched": {"name": "CosineAnnealing", "warmup_steps": 100, "min_lr": 1.0e-5}}}},
    "neox.yml": {"num-layers": 24, "hidden-size": 2048, "num-attention-heads": 16, "seq-length": 2048,
                 "max-position-embeddings": 2048, "train_micro_batch_size_per_gpu": 4,
                 "gradient_accumulation_steps": 8, "train-iters": 10000, "lr-decay-iters": 10000,
                 "optimizer": {"type": "Adam", "params": {"lr": 3.0e-4, "betas": [0.9, 0.95], "eps": 1.0e-8}},
                 "min_lr": 3.0e-5, "lr-decay-style": "cosine", "warmup": 0.01, "model-parallel-size": 1},
    "ds_config.json": {"train_batch_size": 256, "train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": 8,
                       "optimizer": {"type": "AdamW", "params": {"lr": 3e-4, "betas": [0.9, 0.95], "eps": 1e-8,
                                                                 "weight_decay": 0.1}},
                       "scheduler": {"type": "WarmupDecayLR", "params": {"warmup_num_steps": 1000,
                                                                         "total_num_steps": 10000}},
                       "gradient_clipping": 1.0, "bf16": {"enabled": True}},
    "hf_args.yaml": {"per_device_train_batch_size": 8, "gradient_accumulation_steps": 4, "learning_rate": 3.0e-4,
                     "lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr": 1.0e-5},
                     "warmup_steps": 100, "max_steps": 1000, "deepspeed": "ds_config.json",
                     "config_name": "config.json", "block_size": 1024, "adam_beta2": 0.95},
    "config.json": {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 4096,
                    "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
                    "num_key_value_heads": 8, "vocab_size": 32000, "max_position_embeddings": 4096,
                    "rope_theta": 10000.0, "tie_word_embeddings": False},
    "torchtitan.toml": {"model": {"name": "llama3", "flavor": "8B"},
                        "optimizer": {"name": "AdamW", "lr": 3e-4, "eps": 1e-8},
                        "lr_scheduler": {"warmup_steps": 200, "decay_type": "cosine", "min_lr_factor": 0.1},
                        "training": {"local_batch_size": 8, "global_batch_size": 64, "seq_len": 8192, "steps": 1000,
                                     "max_norm": 1.0}},
    "litgpt.yaml": {"model_name": "pythia-160m",
                    "train": {"global_batch_size": 512, "micro_batch_size": 4, "max_tokens": 300000000000,
                              "lr_warmup_steps": 2000, "min_lr": 4.0e-5, "max_seq_length": 2048},
                    "optimizer": {"class_path": "torch.optim.AdamW",
                                  "init_args": {"lr": 4.0e-4, "weight_decay": 0.1, "betas": [0.9, 0.95]}}},
    "olmo.yaml": {"model": {"d_model": 2048, "n_heads": 16, "n_layers": 16, "mlp_ratio": 8,
                            "max_sequence_length": 2048, "vocab_size": 50280},
                  "optimizer": {"name": "adamw", "learning_rate": 4.0e-4, "weight_decay": 0.1, "betas": [0.9, 0.95]},
                  "scheduler": {"name": "cosine_with_warmup", "t_warmup": 2000, "alpha_f": 0.1},
                  "global_train_batch_size": 2048, "device_train_microbatch_size": 8, "max_duration": "2e12T"},
    "levanter.yaml": {"model": {"type": "llama", "hidden_dim": 2048, "num_layers": 24, "num_heads": 16, "seq_len": 2048},
                      "trainer": {"train_batch_size": 256, "num_train_steps": 10000},
                      "optimizer": {"learning_rate": 3.0e-4, "weight_decay": 0.1, "min_lr_ratio": 0.1,
                                    "warmup": 0.01, "lr_schedule": "cosine"}},
    "maxtext.yml": {"base_emb_dim": 2048, "base_num_query_heads": 16, "base_num_kv_heads": 16, "base_mlp_dim": 8192,
                    "base_num_decoder_layers": 16, "max_target_length": 2048, "per_device_batch_size": 4,
                    "learning_rate": 3.0e-4, "steps": 1000, "warmup_steps_fraction": 0.1,
                    "cosine_learning_rate_final_fraction": 0.1},
    "nanotron.yaml": {"model": {"model_config": {"hidden_size": 2048, "num_hidden_layers": 24, "num_attention_heads": 16,
                                                 "intermediate_size": 8192, "vocab_size": 32000,
                                                 "max_position_embeddings": 2048}},
                      "optimizer": {"learning_rate_scheduler": {"learning_rate": 3.0e-4, "lr_warmup_steps": 100,
                                                                "lr_decay_style": "cosine", "min_decay_lr": 1.0e-5}},
                      "tokens": {"sequence_length": 2048, "micro_batch_size": 4, "batch_accumulation_per_replica": 8,
                                 "train_steps": 1000},
                      "parallelism": {"dp": 8, "tp": 1, "pp": 1}},
    "axolotl.yaml": {"base_model": "meta-llama/Llama-2-7b-hf", "sequence_len": 4096, "micro_batch_size": 2,
                     "gradient_accumulation_steps": 4, "learning_rate": 2.0e-4, "lr_scheduler": "cosine",
                     "warmup_steps": 10, "max_steps": 1000, "optimizer": "adamw_torch"},
    "llamafactory.yaml": {"stage": "pt", "model_name_or_path": "model", "finetuning_type": "full", "cutoff_len": 2048,
                          "per_device_train_batch_size": 4, "gradient_accumulation_steps": 8,
                          "learning_rate": 3.0e-4, "lr_scheduler_type": "cosine", "warmup_ratio": 0.1,
                          "max_steps": 1000},
    "train.sh": {"--num-layers": 24, "--hidden-size": 2048, "--num-attention-heads": 16, "--seq-length": 2048,
                 "--max-position-embeddings": 2048, "--micro-batch-size": 4, "--global-batch-size": 256,
                 "--rampup-batch-size": "32 32 1000000", "--lr": "3.0e-4", "--min-lr": "1.0e-5",
                 "--lr-decay-style": "cosine", "--lr-warmup-iters": 2000, "--train-iters": 100000,
                 "--deepspeed_config": "ds_config.json", "--tensor-model-parallel-size": 2},
}

# Values that broke or could break arithmetic: divisors, dimensions, counts, schedules.
HOSTILE_NUMBERS: list[Any] = [
    0, -1, -0.0, 1, 2, 3, 7, 2**31, 2**63, 2**64 + 1, 10**18, 10**30, 1e300, 1e-300, 5e-324,
    float("nan"), float("inf"), float("-inf"), 10**6, 10**9, 10**12, 999999937, 0.5, 1e-12, -3e-4,
]
HOSTILE_TEXTS: list[str] = [
    "1e400", "-1e400", ".nan", ".inf", "-.inf", "NaN", "Infinity", "1" + "0" * 400, "0x1F", "0o17", "017",
    "1_000", "1:30:00", "1:" * 20 + "0", "3e-4", "1e-5", "2001-12-14t21:59:43.10-05:00", "2026-13-45",
    "2026-02-30", "2002-12-14", "1999-99-99 99:99:99", "lots", "", "~", "null", "yes", "no", "on", "True",
    "auto", "${oc.env:HOME}", "${model.lr}", "${missing.key}", "$((1/0))", "`rm -rf /`", "$(echo pwned)",
    "${VAR:-3e-4}", "ℌ𝔢𝔩𝔩𝔬", "\u202e", "\x00", "a\x00b", "\ufeff", "é" * 300, "x" * 5000, "=", "<<",
    "!include base.yaml", "4k", "1.4T", "7B", "-", "[]", "{}", "/etc/passwd", "../../outside/ds_config.json",
    "~/.ssh/id_rsa", "/dev/zero", "/proc/self/environ",
]




class Raw(str):
    """A scalar written verbatim, unquoted, so the parser's implicit typing reads it: YAML's
    `1.0e+400` (an inf float), `2026-02-30` (a timestamp that cannot be built), `1:30:00`
    (base 60); JSON's `1e400` and 400-digit integers; TOML's `inf` and dates. Each format
    gets a token of its own grammar (a YAML timestamp in JSON would only be a parse error)."""

    json_token: str
    toml_token: str


# implicitly typed YAML 1.1 scalars (PyYAML's resolver): malformed timestamps, base 60,
# floats past the double range, huge hex/binary integers, special floats and nulls
IMPLICIT_YAML = [
    "1.0e+400", "-1.0e+400", "1.5e+308", "5.0e-01", "1.0e-400", "2026-02-30", "2026-13-45", "9999-99-99",
    "0000-00-00", "2001-12-14 25:61:61", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    "2002-12-14", "1:30:00", "190:20:30.15", "1:" * 20 + "0", "-1:00", "0x" + "f" * 300, "0b" + "1" * 2000,
    "0o777", "0777", "-0", ".NaN", ".Inf", "-.INF", "1_000_000", "1" + "0" * 400, "~", "Null", "NO", "y", "=",
]
IMPLICIT_JSON = ["1e400", "-1e400", "1E+400", "1e-400", "1" + "0" * 400, "-" + "9" * 400, "NaN", "Infinity",
                 "-Infinity", "-0", "0.0", "1.0e-323"]
IMPLICIT_TOML = ["1e400", "inf", "-inf", "nan", "1" + "0" * 400, "0x" + "f" * 100, "1979-05-27T07:32:00Z",
                 "1979-05-27", "07:32:00", "1979-02-30", "2026-13-45T99:99:99", "1_000", "+0.0"]


def raw(rng: random.Random) -> Raw:
    value = Raw(rng.choice(IMPLICIT_YAML))
    value.json_token, value.toml_token = rng.choice(IMPLICIT_JSON), rng.choice(IMPLICIT_TOML)
    return value


def _leaf(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.4:
        return rng.choice(HOSTILE_NUMBERS)
    if pick < 0.75:
        return rng.choice(HOSTILE_TEXTS)
    if pick < 0.88:
        return raw(rng)
    return rng.choice([None, True, False, [], {}, [1, 2], {"a": 1}, [[[[]]]]])


# keys whose value is a model dimension, a count (layers, heads, steps, tokens) or a member of the
# batch arithmetic, in every dialect's spelling: the classes that divided by zero, overflowed or
# scaled work with a number written in the file
ARITHMETIC_KEY = re.compile(r"batch|accum|rampup|layer|hidden|head|dim|d_model|ffn|intermediate|mlp|vocab|seq|"
                            r"length|position|steps|iters|tokens|duration|parallel|devices|nodes|^--?(dp|tp|pp)$|"
                            r"^(dp|tp|pp)$|query_groups|experts|warmup|decay", re.I)
# zero and non-finite divisors, astronomically large dimensions, layer counts in the millions and
# billions, ramp-up increments of 0, and implicitly typed forms of the same
ARITHMETIC_VALUES: list[Any] = [
    0, -4, -0.0, float("nan"), float("inf"), float("-inf"), 1e-300, 5e-324, 0.5, 10**6, 10**9, 10**12, 10**15, 2**64,
    10**400, 1e308, "1e400", "0", [0, 0, 0], [32, 0, 10], [32, 32, 0], [0, 32, 1000], [32, -32, 10], "0 0 0",
    "32 0 1000", "32 32 0",
]


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.append(prefix + (k,))
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out.append(prefix + (i,))
            out.extend(_paths(v, prefix + (i,)))
    return out


def _set(tree: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        tree = tree[part]
    tree[path[-1]] = value


def _copy(tree: Any) -> Any:
    return json.loads(json.dumps(tree))


def mutate_tree(rng: random.Random, tree: dict) -> dict:
    """Change a few values: swapped types, hostile numbers and texts, dropped keys, and the
    arithmetic classes seen so far (zero/non-finite divisors, huge dimensions and counts)."""
    tree = _copy(tree)
    for _ in range(rng.randint(0, 4)):
        paths = _paths(tree)
        if not paths:
            break
        path = rng.choice(paths)
        roll = rng.random()
        try:
            if roll < 0.15:  # drop the key
                parent = tree
                for part in path[:-1]:
                    parent = parent[part]
                if isinstance(parent, dict):
                    parent.pop(path[-1], None)
            else:
                _set(tree, path, _leaf(rng))
        except (KeyError, IndexError, TypeError):
            pass
    # the classes that crashed before, always in the mix: every dimension, count and batch member
    if rng.random() < 0.5:
        for path in _paths(tree):
            if isinstance(path[-1], str) and ARITHMETIC_KEY.search(path[-1]) and rng.random() < 0.5:
                value = rng.choice(ARITHMETIC_VALUES) if rng.random() < 0.8 else raw(rng)
                try:
                    _set(tree, path, value)
                except (KeyError, IndexError, TypeError):  # a parent replaced by a scalar just before
                    pass
    return tree


# ---------------------------------------------------------------------------------------
# writers: each format written by hand, so broken forms (duplicates, NaN, tags) can be made


def _yaml_scalar(value: Any, rng: random.Random) -> str:
    if isinstance(value, Raw):
        return str(value)
    if value is None:
        return rng.choice(["null", "~", ""])
    if isinstance(value, bool):
        return rng.choice(["true", "True", "yes"]) if value else rng.choice(["false", "off"])
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return rng.choice([repr(value), f"{value:.1e}".replace("e", ".0e", 0)])
    if isinstance(value, int):
        return str(value)
    text = str(value)
    style = rng.random()
    if style < 0.5 and text and "\n" not in text and not any(c in text for c in ":#{}[],&*!|>'\"%@`\x00\ufeff\u202e"):
        return text
    if style < 0.8:
        return json.dumps(text)
    return "'" + text.replace("'", "''") + "'"


def to_yaml(tree: Any, rng: random.Random, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(tree, dict):
        if not tree:
            return pad + "{}\n"
        lines = []
        for k, v in tree.items():
            key = _yaml_scalar(k, rng)
            if isinstance(v, (dict, list)) and v:
                if isinstance(v, list) and rng.random() < 0.5:
                    lines.append(f"{pad}{key}: [" + ", ".join(_yaml_scalar(x, rng) if not isinstance(x, (dict, list))
                                                              else json.dumps(x) for x in v) + "]\n")
                else:
                    lines.append(f"{pad}{key}:\n" + to_yaml(v, rng, indent + 2))
            elif isinstance(v, (dict, list)):
                lines.append(f"{pad}{key}: {'{}' if isinstance(v, dict) else '[]'}\n")
            else:
                lines.append(f"{pad}{key}: {_yaml_scalar(v, rng)}\n")
        return "".join(lines)
    if isinstance(tree, list):
        out = []
        for v in tree:
            if isinstance(v, (dict, list)) and v:
                out.append(f"{pad}- " + json.dumps(v) + "\n")
            else:
                out.append(f"{pad}- {_yaml_scalar(v, rng) if not isinstance(v, (dict, list)) else json.dumps(v)}\n")
        return "".join(out) or pad + "[]\n"
    return pad + _yaml_scalar(tree, rng) + "\n"


def _raw_marks(tree: Any, tokens: list) -> Any:
    """`tree` with each Raw replaced by a marker string (json.dumps cannot write a raw token)."""
    if isinstance(tree, Raw):
        tokens.append(tree.json_token)
        return f"@@raw{len(tokens) - 1}@@"
    if isinstance(tree, dict):
        return {k: _raw_marks(v, tokens) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_raw_marks(v, tokens) for v in tree]
    return tree


def to_json(tree: Any, rng: random.Random) -> str:
    tokens: list = []
    text = json.dumps(_raw_marks(tree, tokens), indent=rng.choice([None, 2, 4]), allow_nan=True)
    for i, token in enumerate(tokens):
        text = text.replace(f'"@@raw{i}@@"', token)
    if rng.random() < 0.2:  # DeepSpeed reads hjson-ish files: comments, trailing commas
        text = text.replace("\n", " // note\n", 1).replace("}", ",}", 1)
    return text


def _toml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return value.toml_token
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if value is None:
        return '""'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def to_toml(tree: dict, rng: random.Random) -> str:
    top = [f"{json.dumps(str(k)) if rng.random() < 0.2 else k} = {_toml_value(v)}"
           for k, v in tree.items() if not isinstance(v, dict)]
    tables = []
    for k, v in tree.items():
        if isinstance(v, dict):
            tables.append(f"[{k}]")
            tables += [f"{kk} = {_toml_value(vv)}" for kk, vv in v.items()]
    return "\n".join(top + tables) + "\n"


def to_shell(flags: dict, rng: random.Random) -> str:
    parts = []
    for k, v in flags.items():
        if v is None or v == {} or v == []:
            parts.append(str(k))
        elif isinstance(v, list) and not any(isinstance(x, (list, dict)) for x in v):  # nargs: `--rampup-batch-size 32 0 10`
            parts.append(" ".join([str(k)] + [_yaml_scalar(x, rng) for x in v]))
        elif isinstance(v, (list, dict)):
            parts.append(f"{k} {json.dumps(json.dumps(v))}")
        else:
            text = _yaml_scalar(v, rng) if not isinstance(v, str) else v
            parts.append(f"{k} {text if rng.random() < 0.7 else json.dumps(str(text))}")
    head = rng.choice(["", "export LR=3e-4\nGBS=${GBS:-256}\n", "set -euo pipefail\nN=$((8 * 2))\n",
                       "cat <<EOF > ds_config.json\n{\"train_batch_size\": $GBS}\nEOF\n"])
    joiner = rng.choice([" ", " \\\n    "])
    return "#!/bin/bash\n" + head + "torchrun --nproc_per_node 8 pretrain_gpt.py" + joiner + joiner.join(parts) + "\n"


def serialize(name: str, tree: Any, rng: random.Random) -> str:
    if name.endswith(".json"):
        return to_json(tree, rng)
    if name.endswith(".toml"):
        return to_toml(tree, rng) if isinstance(tree, dict) else "x = 1\n"
    if name.endswith(".sh"):
        return to_shell(tree, rng) if isinstance(tree, dict) else "#!/bin/bash\n"
    return to_yaml(tree, rng)


# ---------------------------------------------------------------------------------------
# text and byte mutations


def _yaml_constructs(rng: random.Random) -> str:
    return rng.choice([
        "base: &base {lr: 3.0e-4, min_lr: 1.0e-5}\nderived:\n  <<: *base\n  lr: 1.0e-3\n",
        "a: &a [1, 2]\nb: [*a, *a, *a]\n",
        "x: &x {k: 1}\ny: {<<: [*x, *x]}\n",
        "lr: !!float 3e-4\n", "lr: !!int 3.5\n", "lr: !!python/object/apply:os.system ['echo pwned']\n",
        "inc: !include other.yaml\n", "ref: !ref <lr>\n", "opt: !new:torch.optim.Adam\n  lr: 1.0e-3\n",
        "when: 2001-12-14t21:59:43.10-05:00\n", "when: 2026-13-45\n", "t: !!timestamp 2026-02-30\n",
        "b: !!binary aGVsbG8=\n", "b: !!binary '***'\n", "s: !!set {a, b}\n", "o: !!omap [a: 1, b: 2]\n",
        "deep: " + "[" * 300 + "]" * 300 + "\n", "deep: " + "{a: " * 250 + "1" + "}" * 250 + "\n",
        "- - - - - - - - - - x\n", "? [complex, key]\n: value\n", "k: |\n  block # not a comment\n",
        "---\nsecond: document\n", "%YAML 1.1\n---\nlr: 1\n", "lr: 1\nlr: 2\n", "\tlr: 1\n",
        "lr: '3e-4'\n", "lr: 3e-4 # steplint: ignore[SL302]\n", "# steplint: ignore-file[SL0]\n",
        "t: 1:30:00\n", "t: " + "1:" * 30 + "0\n", "n: 0x" + "f" * 200 + "\n", "n: 0b" + "1" * 400 + "\n",
        # aliases that expand to 9**4 and 9**6 nodes (under and over the expansion cap), merge chains
        _laughs(4), _laughs(6), "a: &a {lr: 1}\nb: &b {<<: *a}\nc: &c {<<: *b}\nd: {<<: [*c, *b, *a]}\n",
        "a: &a\n  lr: 1\nb:\n  <<: *a\n  <<: *a\n", "x: *undefined\n", "a: &a [*a]\n",
        # nesting just under and over the depth cap, in block and flow forms
        "deep: " + "[" * 199 + "]" * 199 + "\n", "deep: " + "[" * 5000 + "]" * 5000 + "\n",
        "deep:\n" + "".join(" " * (i + 1) + "- \n" for i in range(300)),
        # more values than a training config has (the values-per-document cap)
        "many: [" + "1, " * 60_000 + "1]\n",
        # paths outside the tree
        "deepspeed: /etc/passwd\n", "config_name: ../../outside/config.json\n", "deepspeed: ~/.ssh/id_rsa\n",
    ])


def _laughs(levels: int) -> str:
    """The billion-laughs shape: each level aliases the one before nine times."""
    lines = ["l0: &l0 [lr, lr, lr, lr, lr, lr, lr, lr, lr]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _nested(rng: random.Random, name: str) -> str:
    """A value nested just under, at or far over the depth cap, in JSON or TOML syntax."""
    depth = rng.choice([100, 199, 200, 201, 5000, 100_000])
    if name.endswith(".toml"):
        return "x = " + rng.choice(["[" * depth + "]" * depth, "{a = " * depth + "1" + "}" * depth]) + "\n"
    return rng.choice(["[" * depth + "]" * depth, '{"a": ' * depth + "1" + "}" * depth])


def mutate_text(rng: random.Random, text: str, name: str) -> str:
    for _ in range(rng.randint(0, 2)):
        roll = rng.random()
        lines = text.splitlines(keepends=True)
        if roll < 0.15 and lines:  # duplicate a line (duplicate keys)
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text = "".join(lines)
        elif roll < 0.35 and name.endswith((".yaml", ".yml")):
            text = (text + _yaml_constructs(rng)) if rng.random() < 0.6 else (_yaml_constructs(rng) + text)
        elif roll < 0.45:
            text = text.replace("\n", "\r\n")
        elif roll < 0.5:
            text = "\ufeff" + text
        elif roll < 0.6 and text:  # truncate
            text = text[: rng.randrange(len(text))]
        elif roll < 0.7 and lines:  # indent or dedent a line
            i = rng.randrange(len(lines))
            lines[i] = rng.choice(["  ", "\t", ""]) + lines[i].lstrip(" ")
            text = "".join(lines)
        elif roll < 0.8:  # a unicode or control character somewhere
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(["\x00", "\u2028", "\x85", "é", "\U0001F600", "\r", "#", ":", "'", '"',
                                           "${", "$(", "`", "\\"]) + text[at:]
        elif roll < 0.9 and name.endswith(".sh"):
            text += rng.choice(["for i in 1 2; do echo $i; done\n", "if [ -z \"$X\" ]; then LR=1; fi\n",
                                "eval \"$CMD\"\n", "python train.py $@ --lr ${LR}\n", "LR=$(cat lr.txt)\n",
                                "unterminated \"quote\n", "cat <<'EOF'\nno end\n",
                                "ARGS=(--lr 3e-4 --num-layers $((2**62)))\ntorchrun pretrain_gpt.py \"${ARGS[@]}\"\n",
                                "X=" + "$(" * 500 + "echo 1" + ")" * 500 + "\n",
                                "N=$((" + "(" * 500 + "1/0" + ")" * 500 + "))\ntorchrun pretrain_gpt.py --num-layers $N\n",
                                "source ./train.sh\n. ../../etc/profile\n",
                                "torchrun pretrain_gpt.py --deepspeed_config /etc/passwd --yaml-cfg ../../x.yaml\n",
                                "L=1000000000\ntorchrun pretrain_gpt.py --num-layers $L --hidden-size $((L*L))\n",
                                "torchrun pretrain_gpt.py --rampup-batch-size 32 $ZERO 0 --global-batch-size 0\n",
                                "cat <<EOF > ds_config.json\n{\"train_batch_size\": 1e400, "
                                "\"gradient_accumulation_steps\": 0}\nEOF\n"])
        elif roll < 0.95 and name.endswith((".json", ".toml")):  # deep nesting in JSON and TOML too
            nested = _nested(rng, name)
            text = (text + "\n" + nested) if name.endswith(".toml") else text.replace("{", '{"deep": ' + nested + ", ", 1)
    return text


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        at = rng.randrange(len(data) + 1)
        if roll < 0.3 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif roll < 0.5:
            del data[at:at + rng.randint(1, 40)]
        elif roll < 0.7:
            data[at:at] = bytes(rng.choice([b"\xff", b"\xfe\xff", b"\x00", b"\xc3", b"\xe2\x82", b"\n", b"\r\n",
                                            b": ", b"- ", b"{", b"[", b"&a ", b"*a", b"!!python/name:x "]))
        elif roll < 0.85 and data:
            start = rng.randrange(len(data))
            chunk = data[start:start + rng.randint(1, 200)]
            data[at:at] = chunk
        else:
            data[at:at] = rng.choice([b"1e400", b"NaN", b"0", b"-1", b"9" * 40, b"2001-13-99"])
    return bytes(data)


# ---------------------------------------------------------------------------------------
# cases


def _partner_files(name: str) -> list[str]:
    """Files a template names (HF args name a DeepSpeed JSON and a config.json)."""
    return {"hf_args.yaml": ["ds_config.json", "config.json"], "train.sh": ["ds_config.json"]}.get(name, [])


def structured_case(rng: random.Random) -> Case:
    """One recipe of one to three files from the templates, mutated."""
    name = rng.choice(sorted(TEMPLATES))
    names = [name] + [p for p in _partner_files(name) if rng.random() < 0.7]
    case: Case = {}
    for n in names:
        tree = mutate_tree(rng, TEMPLATES[n]) if rng.random() < 0.85 else _copy(TEMPLATES[n])
        text = serialize(n, tree, rng)
        if rng.random() < 0.6:
            text = mutate_text(rng, text, n)
        data = text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.08:
            data = mutate_bytes(rng, data)
        case[n] = data
    return case


def corpus_files(shared: Path) -> list[Path]:
    root = shared / "corpus"
    if not root.is_dir():
        return []
    wanted = (".yaml", ".yml", ".json", ".toml", ".sh", ".bash", ".slurm")
    return sorted(p for p in root.rglob("*") if p.suffix in wanted and p.name != "expected.json")


def corpus_case(rng: random.Random, files: list[Path]) -> Case:
    """A shared-corpus file with bytes flipped, deleted, inserted or repeated."""
    path = rng.choice(files)
    name = "c_" + path.name if not path.name.startswith("c_") else path.name
    return {name: mutate_bytes(rng, path.read_bytes())}


def make_case(rng: random.Random, corpus: list[Path] = ()) -> Case:
    if corpus and rng.random() < 0.3:
        return corpus_case(rng, list(corpus))
    return structured_case(rng)


Generator = Callable[[random.Random], Case]
