"""Rebuild the file list of scripts/realworld/manifest.json from local mirrors.

WHY: the manifest is the shared sample of public configs for the real-world sweep and the
verdict issue; the selection must be reproducible and reviewable, not hand-picked per run.
It only lists (repo, commit, path); no third-party file is copied.  Facts, groups and args
that need reading the repository's own statements are kept in stated.json / groups.json
beside this script and merged in here.

Usage: python scripts/realworld/select_manifest.py [--mirror DIR] > scripts/realworld/manifest.json

The commit of each file is the mirror's HEAD when this runs (torchtitan is pinned to its last commit with TOML
configs): after re-fetching a repository, re-running this moves its pins, so review the diff of manifest.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

HERE = Path(__file__).resolve().parent


class Rule(NamedTuple):
    include: str             # regex on the path
    cap: int                 # most files taken (evenly spaced over the sorted matches)
    exclude: str = r"^$"     # regex on the path


class Source(NamedTuple):
    repo: str
    rules: List[Rule]
    commit: Optional[str] = None   # None: the mirror's HEAD


SOURCES: List[Source] = [
    Source("NVIDIA/Megatron-LM", [
        Rule(r"^examples/(gpt3|llama|mixtral|mamba|bert|t5|gptoss|megatron_fsdp)/.*\.sh$", 20),
        Rule(r"^examples/(post_training/modelopt/(finetune|train|generate|mmlu|quantize|conf/(meta-llama|Qwen|deepseek-ai)/)|rl/model_configs/|inference/|academic_paper_scripts/detxoify_lm/).*\.(sh|yaml)$", 16),
        Rule(r"^tests/functional_tests/test_cases/(gpt|moe|hybrid|mixtral|nemotron|t5|bert)/.*/model_config\.yaml$", 40),
    ]),
    Source("NVIDIA/NeMo", [
        Rule(r"^examples/nlp/language_modeling/(tuning/)?conf/[^/]+\.yaml$", 60),
    ]),
    Source("NVIDIA/NeMo-Framework-Launcher", [
        Rule(r"^launcher_scripts/conf/training/(gpt3|llama|mistral|mixtral|nemotron|qwen2|starcoder2|baichuan2|chatglm|falcon|grok|t5|mt5|bert)/[^/]+\.yaml$", 60),
        Rule(r"^launcher_scripts/conf/(fine_tuning|peft)/(gpt3|llama|mistral|mixtral|nemotron|qwen2|starcoder2|falcon|gemma|code_llama|mamba|griffin)/[^/]+\.yaml$", 20),
        Rule(r"^launcher_scripts/conf/evaluation/(gpt3|llama|mixtral|nemotron|qwen2|peft_llama)/[^/]+\.yaml$", 6),
    ]),
    Source("microsoft/Megatron-DeepSpeed", [
        Rule(r"^examples/(pretrain_gpt|pretrain_gpt3_175B|pretrain_bert|pretrain_t5|finetune_|evaluate_|run_text_generation)[^/]*\.sh$", 12),
        Rule(r"^examples_deepspeed/(MoE|azure|pretrain_llama|finetune_hf_llama|universal_checkpointing|sequence_parallel|rebase|curriculum_learning|generate_text)[^ ]*\.(sh|json)$", 36),
    ]),
    Source("bigscience-workshop/bigscience", [
        Rule(r"^train/tr[0-9][^/]*/.*\.(slurm|sh)$", 40, r"(README|setup|convert|eval|prep|make|upload|sync|tflops|checkpoint|launch-on|cron|bigscience-tokenizer)"),
        Rule(r"^jz/configs/.*\.json$", 8),   # HF config.json of T5-family models and DeepSpeed JSON
    ]),
    Source("microsoft/DeepSpeedExamples", [
        Rule(r"^training/(bing_bert|autotuning|data_efficiency|pipeline_parallelism|MoQ)/.*\.json$", 20, r"(bert_base_uncased|bert_large_uncased)\.json$|vocab"),
        Rule(r"^applications/DeepSpeed-Chat/training_scripts/.*\.sh$|^applications/DeepSpeed-Chat/training/step1.*\.sh$", 14),
        Rule(r"^applications/DeepSpeed-VisualChat/helper/qwen_clip/config\.json$|^training/BingBertSquad/ckpt/.*config\.json$", 2),
    ]),
    Source("EleutherAI/gpt-neox", [
        Rule(r"^configs/.*\.(yml|yaml|json)$", 70),
    ]),
    Source("EleutherAI/pythia", [
        Rule(r"^models/.*\.yml$", 18),
    ]),
    Source("huggingface/alignment-handbook", [
        Rule(r"^recipes/.*\.yaml$", 30),
    ]),
    Source("jzhang38/TinyLlama", [
        Rule(r"^(script\.sh|sft/script\.sh)$", 2),
    ]),
    Source("allenai/open-instruct", [
        Rule(r"^configs/train_configs/.*\.yaml$", 32),
        Rule(r"^configs/ds_configs/.*\.(json|conf)$", 4),
    ]),
    Source("pytorch/torchtitan", [
        Rule(r"\.toml$", 30, r"^pyproject\.toml$"),
        Rule(r"^tests/assets/flux_test_encoders/.*/config\.json$", 2),   # HF config.json of encoders
    ], commit="a9bbae28aa9d482f52bb33908ac97e3869e72af2"),
    Source("allenai/OLMo", [
        Rule(r"^configs/(official-0724|official-1124|official-0425|annealing|microannealing|peteish|tiny|custom).*\.ya?ml$", 45),
        Rule(r"^test_fixtures/test-olmo-model/config\.json$", 1),
    ]),
    Source("allenai/OLMo-core", [
        Rule(r"^src/olmo_core/data/source_mixtures/.*\.yaml$", 1),
    ]),
    Source("Lightning-AI/litgpt", [
        Rule(r"^config_hub/(pretrain|finetune)/.*\.yaml$", 46),
    ]),
    Source("huggingface/nanotron", [
        Rule(r"^examples/.*\.yaml$", 20),
    ]),
    Source("huggingface/smollm", [
        Rule(r"^text/pretraining/.*\.yaml$", 21),
    ]),
    Source("axolotl-ai-cloud/axolotl", [
        Rule(r"^examples/(llama-3|llama-2|mistral|qwen3|qwen2|gemma3|phi|jamba|mamba|gpt-oss|falcon-h1|deepseek-v2|olmo3|nemotron-h|cloud|distributed-parallel|streaming)/.*\.ya?ml$", 48),
        Rule(r"^deepspeed_configs/.*\.json$", 12),   # named by the examples' `deepspeed:` keys
    ]),
    Source("hiyouga/LLaMA-Factory", [
        Rule(r"^examples/(train_full|train_lora|train_qlora|inference|merge_lora|megatron|extras|accelerate|v1)/.*\.ya?ml$", 48),
        Rule(r"^examples/deepspeed/.*\.json$", 12),   # named by the examples' `deepspeed:` keys
    ]),
    Source("AI-Hypercomputer/maxtext", [
        Rule(r"^src/maxtext/configs/models/.*\.yml$", 36),
        Rule(r"^src/maxtext/configs/(base\.yml|(tpu|gpu)/.*\.yml|inference/inference\.yml|post_train/(sft|dpo|rl|distillation)\.yml)$", 14),
    ]),
    Source("stanford-crfm/levanter", [
        Rule(r"^config/.*\.yaml$", 60),
    ]),
]


def ls_tree(git_dir: Path, commit: str) -> List[str]:
    out = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "--name-only", commit],
                         check=True, capture_output=True, text=True).stdout
    return sorted(out.splitlines())


def spread(items: List[str], cap: int) -> List[str]:
    """Evenly spaced picks, so a cap samples the whole family, not its alphabetic head."""
    if len(items) <= cap:
        return items
    step = len(items) / cap
    return [items[int(i * step)] for i in range(cap)]


def git_dir_of(mirror: Path, repo: str) -> Path:
    return mirror / repo.replace("/", "+") / "repo"


def select(mirror: Path) -> List[Dict[str, object]]:
    entries: List[Dict[str, object]] = []
    for src in SOURCES:
        gd = git_dir_of(mirror, src.repo)
        commit = src.commit or subprocess.run(["git", "--git-dir", str(gd), "rev-parse", "HEAD"],
                                               check=True, capture_output=True, text=True).stdout.strip()
        paths = ls_tree(gd, commit)
        taken: List[str] = []
        for rule in src.rules:
            inc, exc = re.compile(rule.include), re.compile(rule.exclude)
            hits = [p for p in paths if inc.search(p) and not exc.search(p) and p not in taken]
            taken += spread(hits, rule.cap)
        entries += [{"repo": src.repo, "commit": commit, "path": p} for p in taken]
    return entries


def merge_extras(entries: List[Dict[str, object]]) -> List[Dict[str, object]]:
    """Add groups/args/stated from extras.json (hand-written, each with its source)."""
    extras_path = HERE / "extras.json"
    if not extras_path.exists():
        return entries
    extras = json.loads(extras_path.read_text())
    index = {(e["repo"], e["path"]): e for e in entries}
    for item in extras["entries"]:
        key = (item["repo"], item["path"])
        target = index.get(key)
        if target is None:
            target = {"repo": item["repo"], "commit": item["commit"], "path": item["path"]}
            entries.append(target)
            index[key] = target
        for field in ("group", "args", "stated", "note"):
            if field in item:
                target[field] = item[field]
    return entries


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", default=os.environ.get("STEPLINT_MIRROR", "/work/.mirror"))
    ns = ap.parse_args(argv)
    entries = merge_extras(select(Path(ns.mirror)))
    json.dump({"version": 1, "mirror_layout": "<mirror>/<owner>+<name>/repo (bare git dir)",
               "files": entries}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
