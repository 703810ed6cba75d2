"""Generate steplint's named-architecture tables from upstream source at a pinned commit.

    python scripts/gen_presets.py torchtitan --mirror /work/.mirror/pytorch+torchtitan/repo
    python scripts/gen_presets.py litgpt     --mirror /work/.mirror/Lightning-AI+litgpt/repo
    python scripts/gen_presets.py maxtext    --mirror /work/.mirror/AI-Hypercomputer+maxtext/repo
    python scripts/gen_presets.py all --check   # regenerate in memory, compare with data/, write nothing

A mirror is a (bare) git clone; each table records the commit it was read at and only
holds facts (numbers and names), never upstream code:

* data/torchtitan_flavors.json: every flavor of torchtitan's TOML-era model registries
  (tag v0.2.2, the last release whose trainer reads `[model] name` + `flavor` from TOML):
  the `<name>_args`/`_configs` dict of models/<dir>/__init__.py, each flavor's keyword
  arguments over its ModelArgs dataclass defaults (model/args.py), nested MoEArgs over
  models/moe/moe.py's defaults. Parsed with `ast`, never imported.
* data/litgpt_presets.json: litgpt/config.py's `configs` list and Config defaults. The
  file only needs the standard library, PyYAML and typing_extensions, so it is executed
  in a fresh namespace (dev-only, like scripts/hf_oracle.py) and the preset dicts kept.
* data/maxtext_models.json: base.yml defaults for the keys the MaxText dialect reads and
  every configs/models/*.yml (architecture keys only), read with yaml.safe_load.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

TORCHTITAN_COMMIT = "73a0e6979dd10b6b1904098eb3c8f62c18ab87ce"  # tag v0.2.2 (2026-02-20)
LITGPT_COMMIT = "26857050fe3ff627cd714fe92f5838f51a3d5efa"  # main, 2026-06-29
MAXTEXT_COMMIT = "e591f30cbbf217ed67ef71263ec0538239f9c3b8"  # main, 2026-08-22


def git_show(mirror: Path, commit: str, path: str) -> str:
    return subprocess.run(["git", "--git-dir", str(mirror), "show", f"{commit}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def git_ls(mirror: Path, commit: str, folder: str) -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(mirror), "ls-tree", "-r", "--name-only", commit, folder],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def git_date(mirror: Path, commit: str) -> str:
    return subprocess.run(["git", "--git-dir", str(mirror), "log", "-1", "--format=%cs", commit], check=True,
                          capture_output=True, text=True).stdout.strip()


# -- torchtitan ---------------------------------------------------------------------------

# TOML `[model] name` -> models/<dir> at v0.2.2 (TrainSpec(name=...) in each __init__.py).
TORCHTITAN_MODELS = ("llama3", "llama4", "qwen3", "deepseek_v3", "gpt_oss")


def _literal(node: ast.AST, classes: dict[str, dict]) -> Any:
    """A keyword value: a literal, a negative number, or a nested dataclass call (over its
    defaults); anything else (a function call, a name) is kept as its source text."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes:
        out = dict(classes[node.func.id])
        out.update({kw.arg: _literal(kw.value, classes) for kw in node.keywords if kw.arg})
        return out
    try:
        return ast.literal_eval(node)
    except ValueError:
        return {"_expr": ast.unparse(node)}


def _dataclass_defaults(source: str, classes: dict[str, dict]) -> dict[str, dict]:
    """Field defaults of every class in `source` (annotated assignments with a value;
    field(default_factory=X) takes X's defaults when X is known)."""
    out: dict[str, dict] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, Any] = {}
        for base in node.bases:  # inherited defaults first
            if isinstance(base, ast.Name) and base.id in out:
                fields.update(out[base.id])
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                value = stmt.value
                if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "field"):
                    factory = next((kw.value for kw in value.keywords if kw.arg == "default_factory"), None)
                    known = {**classes, **out}
                    if isinstance(factory, ast.Name) and factory.id in known:
                        fields[stmt.target.id] = dict(known[factory.id])
                    continue
                fields[stmt.target.id] = _literal(value, {**classes, **out})
        out[node.name] = fields
    return out


def gen_torchtitan(mirror: Path, commit: str = TORCHTITAN_COMMIT) -> dict:
    moe_defaults = _dataclass_defaults(git_show(mirror, commit, "torchtitan/models/moe/moe.py"), {})
    table: dict[str, Any] = {
        "_about": "torchtitan model flavors: the architecture a TOML's [model] name + flavor selects. Every "
                  "ModelArgs field of each flavor (the flavor's keyword arguments over the dataclass defaults; "
                  "moe_args over MoEArgs's defaults). Generated by scripts/gen_presets.py torchtitan; the "
                  "dialect derives widths with the model code's rules (dialects/torchtitan_arch.py).",
        "_source": f"pytorch/torchtitan tag v0.2.2 = {commit} ({git_date(mirror, commit)}): "
                   "torchtitan/models/<name>/__init__.py, models/<name>/model/args.py, models/moe/moe.py",
        "_commit": commit,
    }
    for name in TORCHTITAN_MODELS:
        args_src = git_show(mirror, commit, f"torchtitan/models/{name}/model/args.py")
        classes = {**moe_defaults, **_dataclass_defaults(args_src, moe_defaults)}
        init = ast.parse(git_show(mirror, commit, f"torchtitan/models/{name}/__init__.py"))
        flavors: dict[str, Any] = {}
        for node in init.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                for key, value in zip(node.value.keys, node.value.values):
                    if isinstance(key, ast.Constant) and isinstance(value, ast.Call):
                        flavors[key.value] = _literal(value, classes)
        if not flavors:
            raise SystemExit(f"torchtitan {name}: no flavor table found")
        table[name] = flavors
    return table


# -- litgpt ------------------------------------------------------------------------------

# Config fields that decide the architecture's tensors (the rest is RoPE, softcaps, ...).
LITGPT_FIELDS = (
    "block_size", "n_layer", "n_embd", "vocab_size", "padding_multiple", "padded_vocab_size", "norm_class_name",
    "norm_1", "norm_2",
    "norm_qk", "norm_qk_type", "post_attention_norm", "post_mlp_norm", "parallel_residual",
    "shared_attention_norm", "n_head", "head_size", "n_query_groups", "attn_bias", "intermediate_size",
    "moe_intermediate_size", "bias", "mlp_class_name", "n_expert", "n_shared_expert", "n_expert_per_token",
    "first_k_dense_replace", "lm_head_bias", "latent_attention",
)


def gen_litgpt(mirror: Path, commit: str = LITGPT_COMMIT) -> dict:
    source = git_show(mirror, commit, "litgpt/config.py")
    module = types.ModuleType("litgpt_config_snapshot")
    module.__dict__["__file__"] = "litgpt/config.py"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, "litgpt/config.py", "exec"), module.__dict__)  # noqa: S102 - dev-only generator
    import dataclasses

    defaults = {f.name: f.default for f in dataclasses.fields(module.Config)
                if f.name in LITGPT_FIELDS and f.default is not dataclasses.MISSING}
    presets = {}
    for cfg in module.configs:
        presets[cfg["name"]] = {k: cfg[k] for k in LITGPT_FIELDS if k in cfg}
    return {
        "_about": "litgpt model presets selected by a pretrain YAML's model_name, as litgpt.Config keyword "
                  "arguments (fields a preset omits take config_defaults). Only the fields that decide the "
                  "architecture's tensors are kept. Generated by scripts/gen_presets.py litgpt.",
        "_source": f"Lightning-AI/litgpt litgpt/config.py @ {commit[:8]} ({git_date(mirror, commit)}): "
                   "class Config defaults and the `configs` list",
        "_commit": commit,
        "config_defaults": defaults,
        "presets": presets,
    }


# -- MaxText -----------------------------------------------------------------------------

# base.yml keys the MaxText dialect reads (architecture, batch, schedule, optimizer).
MAXTEXT_BASE_KEYS = (
    "base_emb_dim", "base_num_decoder_layers", "base_num_query_heads", "base_num_kv_heads", "head_dim",
    "base_mlp_dim", "mlp_activations", "vocab_size", "logits_via_embedding", "global_parameter_scale",
    "num_experts", "num_experts_per_tok", "base_moe_mlp_dim", "shared_experts", "first_num_dense_layers",
    "attention_type", "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim",
    "decoder_block", "interleave_moe_layer_step", "use_indexer", "moe_expert_input_dim", "use_qk_norm",
    "attention_bias", "use_post_attn_norm", "use_post_ffw_norm", "max_target_length", "per_device_batch_size",
    "gradient_accumulation_steps", "steps", "learning_rate", "lr_schedule_type", "learning_rate_schedule_steps",
    "warmup_steps_fraction", "learning_rate_final_fraction", "wsd_decay_steps_fraction", "wsd_decay_style",
    "opt_type", "adam_b1", "adam_b2", "adam_eps", "adam_weight_decay", "gradient_clipping_threshold",
)
# Keys of a model file that describe its tensors (everything else is RoPE, softcaps,
# multimodal towers, kernels).
MAXTEXT_MODEL_KEYS = MAXTEXT_BASE_KEYS[:MAXTEXT_BASE_KEYS.index("max_target_length")]


def gen_maxtext(mirror: Path, commit: str = MAXTEXT_COMMIT) -> dict:
    import yaml

    base = yaml.safe_load(git_show(mirror, commit, "src/maxtext/configs/base.yml"))
    models = {}
    for path in sorted(git_ls(mirror, commit, "src/maxtext/configs/models/")):
        if not path.endswith((".yml", ".yaml")):
            continue
        cfg = yaml.safe_load(git_show(mirror, commit, path)) or {}
        name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        models[name] = {k: cfg[k] for k in MAXTEXT_MODEL_KEYS if k in cfg}
    return {
        "_about": "MaxText: base.yml defaults for the keys steplint reads, and the architecture keys of every "
                  "configs/models/<model_name>.yml that a `model_name:` selects (MaxText loads base.yml, then the "
                  "model file, then the user's file and CLI key=value). Generated by scripts/gen_presets.py "
                  "maxtext; decoder_block semantics are in dialects/maxtext_arch.py.",
        "_source": f"AI-Hypercomputer/maxtext @ {commit} ({git_date(mirror, commit)}): src/maxtext/configs/base.yml, "
                   "src/maxtext/configs/models/*.yml",
        "_commit": commit,
        "base": {k: base[k] for k in MAXTEXT_BASE_KEYS if k in base},
        "models": models,
    }


GENERATORS = {
    "torchtitan": (gen_torchtitan, "torchtitan_flavors.json", "/work/.mirror/pytorch+torchtitan/repo"),
    "litgpt": (gen_litgpt, "litgpt_presets.json", "/work/.mirror/Lightning-AI+litgpt/repo"),
    "maxtext": (gen_maxtext, "maxtext_models.json", "/work/.mirror/AI-Hypercomputer+maxtext/repo"),
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("which", choices=[*GENERATORS, "all"])
    ap.add_argument("--mirror", help="git dir of the upstream repository (default: the shared mirror)")
    ap.add_argument("--check", action="store_true", help="compare with data/; write nothing")
    args = ap.parse_args(argv)
    names = list(GENERATORS) if args.which == "all" else [args.which]
    stale = 0
    for name in names:
        gen, filename, default_mirror = GENERATORS[name]
        table = gen(Path(args.mirror or default_mirror))
        text = json.dumps(table, indent=1, ensure_ascii=False) + "\n"
        target = DATA / filename
        if args.check:
            same = target.exists() and target.read_text() == text
            stale += not same
            print(f"{filename}: {'up to date' if same else 'STALE'}")
        else:
            target.write_text(text)
            print(f"wrote {target}")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
