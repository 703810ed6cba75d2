"""Configs that do not train: inference, generation, evaluation, conversion, data preparation.

They share keys with training configs (a NeMo inference YAML has `trainer:`, a Megatron
text-generation server is launched with `--num-layers ...`), so a dialect may claim them;
the resolver asks `non_training` first and reports SL003 at info naming the kind
(architecture.md section 4) instead of linting them as training runs. Only top-level keys
and the launched program are looked at: this runs on every file, so it must stay cheap.

Each signal comes from the framework's own files:

* Megatron-LM (NVIDIA/Megatron-LM d98e8a6): tools/run_text_generation_server.py,
  tools/run_*_text_generation_server*.py, tools/text_generation_cli.py,
  examples/inference/*.py (inference); tools/checkpoint/convert.py (conversion);
  tools/preprocess_data*.py, tools/merge_datasets.py (data preparation);
  `--skip-train` (config/training_config.py ValidationConfig.skip_train: evaluation only).
  Megatron-DeepSpeed (deepspeedai/Megatron-DeepSpeed 4efb479) tasks/main.py with
  `--task LAMBADA|WIKITEXT103|ICT-ZEROSHOT-NQ|RETRIEVER-EVAL` (zero-shot evaluation).
* NeMo 1.x (NVIDIA/NeMo 8cfedd7, examples/nlp/language_modeling/conf/): megatron_gpt_inference.yaml
  and tuning/conf/megatron_gpt_generate_config.yaml carry a top-level `inference:` block
  (generation), megatron_gpt_export.yaml an `export:` block (conversion),
  megatron_gpt_ptq.yaml / megatron_gpt_prune.yaml `quantization:` / `prune:` (conversion).
* Hugging Face transformers: generation_config.json (GenerationConfig.to_json_file writes
  decoding keys such as `do_sample`, `max_new_tokens`, `temperature`, plus `_from_model_config`);
  TrainingArguments with `do_train: false` and `do_eval` / `do_predict` true only evaluate
  (examples/pytorch/language-modeling/run_clm.py runs the Trainer only `if training_args.do_train`).
* LLaMA-Factory (hiyouga/LLaMA-Factory ff6d4d12): examples/inference/*.yaml set `infer_backend`
  (inference), examples/merge_lora/*.yaml set `export_dir` (conversion), and `do_train: false`
  with `do_predict: true` only predicts (evaluation).
* lm-evaluation-harness task YAML: `task:` with `dataset_path` / `output_type` / `doc_to_text`.
* Megatron-LM functional tests: `MODE: inference` (tests/functional_tests/shell_test_utils/
  run_ci_test.sh line 77 reads `.MODE // "pretraining"`; 59 gpt_dynamic_inference_* tests set it).
* Levanter (stanford-crfm/levanter 9263f81): EvalHarnessMainConfig (src/levanter/eval_harness.py
  line 514) is `eval_harness:` with the `checkpoint_path` to evaluate and no data or optimizer;
  train_lm only adds `eval_harness:` beside its training data.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from steplint._namedtuple import NamedTuple

from steplint.dialects.base import root_names
from steplint.documents.nodes import Document, MappingNode, Node, ScalarNode


class Purpose(NamedTuple):
    """What a non-training config does, and the key or program that says so."""

    kind: str  # "inference", "generation", "evaluation", "conversion", "data preparation"
    because: str

    def describe(self) -> str:
        article = "an" if self.kind[0] in "aeiou" else "a"
        return f"{article} {self.kind} config, not a training run ({self.because})"


_PROGRAMS = (
    # (substring of the program's file name, or of its path when the marker has a "/", kind)
    ("examples/inference/", "inference"),
    ("text_generation", "inference"),
    ("inference", "inference"),
    ("generate", "generation"),
    ("tools/checkpoint/", "conversion"),
    ("convert", "conversion"),
    ("export", "conversion"),
    ("preprocess_data", "data preparation"),
    ("merge_datasets", "data preparation"),
    ("evaluate", "evaluation"),
)
# Top-level keys of NeMo's generate configs (megatron_gpt_inference.yaml, tuning/conf/
# megatron_*_generate_config.yaml): the model file to load and the serving options.
_NEMO_GENERATION_KEYS = ("gpt_model_file", "checkpoint_dir", "prompts", "server", "web_server")
_EVAL_TASKS = ("LAMBADA", "WIKITEXT103", "ICT-ZEROSHOT-NQ", "RETRIEVER-EVAL")
_DECODING_KEYS = ("do_sample", "max_new_tokens", "temperature", "top_p", "top_k", "num_beams",
                  "repetition_penalty", "max_length")
_TRAINING_HINTS = ("learning_rate", "lr", "optim", "optimizer", "num_train_epochs", "max_steps")


def _true(node: Optional[Node]) -> Optional[bool]:
    if isinstance(node, ScalarNode):
        if isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, str) and node.value.strip().lower() in ("true", "false"):
            return node.value.strip().lower() == "true"
    return None


def _text(node: Optional[Node]) -> Optional[str]:
    return str(node.value) if isinstance(node, ScalarNode) and node.value is not None else None


def non_training(doc: Document) -> Optional[Purpose]:
    """The kind of a config that does not train, or None (a training config, or unknown)."""
    root = doc.root
    if not isinstance(root, MappingNode):
        return None
    if doc.kind == "shell":
        return _script(doc, root)
    # A set, asked a dozen times below for string keys (a list scan each time on a long file)
    keys = root_names(doc)
    # (`"x" in keys and` before each `root.get("x")`: a key that is not there needs no lookup)
    if "inference" in keys and isinstance(root.get("inference"), MappingNode) and "trainer" in keys:
        if not _has_optim(root) or any(k in keys for k in _NEMO_GENERATION_KEYS):
            return Purpose("generation", "NeMo `inference:` block (megatron_gpt_inference / generate config)")
    mode = _text(root.get("MODE")) if "MODE" in keys else None
    if mode is not None and mode.strip().lower() == "inference" and isinstance(root.get("MODEL_ARGS"), MappingNode):
        return Purpose("inference", "functional test `MODE: inference`")
    if "eval_harness" in keys and isinstance(root.get("eval_harness"), MappingNode) and "checkpoint_path" in keys \
            and "optimizer" not in keys and "data" not in keys:
        return Purpose("evaluation", "Levanter `eval_harness:` of a `checkpoint_path` (levanter.eval_harness)")
    for block, kind in (("export", "conversion"), ("quantization", "conversion"), ("prune", "conversion")):
        if block in keys and isinstance(root.get(block), MappingNode) and "trainer" in keys and not _has_optim(root):
            return Purpose(kind, f"NeMo `{block}:` block")
    if "infer_backend" in keys and not _has_training_keys(keys):
        return Purpose("inference", "LLaMA-Factory `infer_backend` (llamafactory-cli chat / api)")
    if "export_dir" in keys and "model_name_or_path" in keys and not _has_training_keys(keys):
        return Purpose("conversion", "LLaMA-Factory `export_dir` (llamafactory-cli export)")
    if "do_train" in keys and _true(root.get("do_train")) is False and (
            _true(root.get("do_eval")) or _true(root.get("do_predict"))):
        return Purpose("evaluation", "`do_train: false` with do_eval / do_predict (the Trainer only evaluates)")
    if "task" in keys and any(k in keys for k in ("dataset_path", "output_type", "doc_to_text")):
        return Purpose("evaluation", "lm-evaluation-harness task (`task`, `dataset_path` / `output_type`)")
    if doc.kind == "json" and "model_type" not in keys and "architectures" not in keys and (
            "_from_model_config" in keys or ("transformers_version" in keys and not _has_training_keys(keys)
                                             and any(k in keys for k in _DECODING_KEYS))):
        return Purpose("generation", "transformers generation_config.json (decoding settings)")
    return None


def _has_optim(root: MappingNode) -> bool:
    model = root.get("model")
    return isinstance(model, MappingNode) and isinstance(model.get("optim"), MappingNode)


def _has_training_keys(keys: Iterable[Any]) -> bool:
    return any(k in keys for k in _TRAINING_HINTS)


def program_path(doc: Document) -> Optional[str]:
    """The launched program as written (`tools/checkpoint/convert.py`): the shell reader keeps
    its file name under `program`, and the word it came from is read back from the text."""
    root = doc.root
    node = root.get("program") if isinstance(root, MappingNode) else None
    name = _text(node)
    if name is None:
        return None
    span = getattr(node, "span", None)
    # positions count lines at "\n" only (str.splitlines would also break at NEL, U+2028...)
    lines = doc.text.split("\n") if span is not None and doc.text else []
    if span is None or not 0 < span.start.line <= len(lines):
        return name
    line = lines[span.start.line - 1]
    end = min(span.start.column - 1, len(line))
    start = end
    while start > 0 and not line[start - 1].isspace() and line[start - 1] not in "\"'=":
        start -= 1
    prefix = line[start:end]
    return prefix + name if prefix.endswith("/") else name


def _script(doc: Document, root: MappingNode) -> Optional[Purpose]:
    program = program_path(doc)
    if program is None:
        return None
    path = program.replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    if name.startswith(("pretrain_", "train", "finetune")):
        if _true(root.get("--skip-train")):
            return Purpose("evaluation", f"{name} --skip-train (evaluation only)")
        return None
    if path.endswith("tasks/main.py") or (name == "main.py" and "--task" in root):
        task = _text(root.get("--task"))
        if task is not None and task.upper() in _EVAL_TASKS:
            return Purpose("evaluation", f"tasks/main.py --task {task} (zero-shot evaluation)")
        return None
    for marker, kind in _PROGRAMS:
        if marker in (path if "/" in marker else name).lower():  # a folder such as /export/home says nothing
            return Purpose(kind, f"the script runs {path}")
    return None
