"""Where a Megatron run starts (`init`): its own checkpoint, another run's, or fine-tuning.

Kept apart from arguments.py (the flags' reader) because it weighs several flags and the
launched program together; every rule below is read from the frameworks' sources, cited
next to it.
"""

from __future__ import annotations

import re
from typing import Optional

from steplint.dialects.config_reader import FactSheet, Value
from steplint.dialects.megatron.arguments import _Args, _is_unresolved
from steplint.documents.nodes import MappingNode, ScalarNode
from steplint.recipe import default_source, key_source


# Entry scripts that fine-tune a trained model: Megatron-DeepSpeed's finetune_llama.py and
# examples/detxoify_lm/finetune_gpt.py (4efb479), SFT scripts of the post-training examples.
_FINETUNE_PROGRAM = re.compile(r"(^|[_/-])(finetun\w*|sft)([_.-]|$)", re.IGNORECASE)
# tasks/main.py --task values that fine-tune (deepspeedai/Megatron-DeepSpeed 4efb479
# tasks/main.py: RACE, the GLUE tasks, RET-FINETUNE-NQ); LAMBADA / WIKITEXT103 evaluate.
_FINETUNE_TASKS = ("RACE", "MNLI", "QQP", "QNLI", "SST-2", "COLA", "STS-B", "MRPC", "RTE", "RET-FINETUNE-NQ")


def _quiet_text(args: _Args, dest: str) -> Optional[Value]:
    """A text option when it resolves; None (and no SL007) when it does not: where a run
    starts is read from paths and names that are often shell arguments, and an unresolved
    one must not become a finding of its own."""
    node = args.node(dest)
    if node is None or _is_unresolved(args.doc, node):
        return None
    if isinstance(node, ScalarNode) and isinstance(node.value, str) and ("${" in node.value or "$" in node.value):
        return None
    key = args.key(dest)
    return args.reader.text(key) if isinstance(node, ScalarNode) and key else None


def put_init(args: _Args, sheet: FactSheet) -> None:
    """Where the weights start (NVIDIA/Megatron-LM d98e8a6, megatron/training/checkpointing.py
    load_checkpoint and config/training_config.py CheckpointConfig):

    * `--load DIR` alone resumes this run: Megatron loads DIR's latest checkpoint with its
      optimizer, scheduler and iteration when one exists, else starts from scratch;
    * `--finetune` loads the weights only and sets the iteration to 0;
    * `--pretrained-checkpoint DIR` is "a pretrained model checkpoint for finetuning": used
      (with finetune set) when --load holds none;
    * `--load` with `--no-load-optim` keeps the weights and drops the Adam state, which a
      resumed run never does: a warm start (continued pre-training);
    * `--load A --save B` (two directories) still restores A's optimizer, scheduler and
      iteration: the run continues A's, whose schedule this file carries (the fork's universal
      checkpointing examples resume so under another parallel layout): not a change of start;
    * an entry script that fine-tunes (finetune*.py, *sft*, tasks/main.py with a fine-tuning task).
    There is no `--reset-progress` flag in Megatron-LM; the bigscience fork's branches used for
    BLOOMZ/mT0 have one (iteration 0, checkpoint args not loaded), read the same way."""
    if args.flag("finetune"):
        sheet.put("init", Value("finetune", args.source("finetune")))
        return
    pretrained = _quiet_text(args, "pretrained_checkpoint")
    if pretrained is not None and str(pretrained.value).strip():
        sheet.put("init", Value("finetune", pretrained.source._replace(
            note="Megatron fine-tunes from it when --load holds no checkpoint")))
        return
    root = args.doc.root
    program = root.get("program") if args.layout == "script" and isinstance(root, MappingNode) else None
    if isinstance(program, ScalarNode):
        name = str(program.value)
        task = _quiet_text(args, "task")
        if _FINETUNE_PROGRAM.search(name.rsplit("/", 1)[-1]):
            sheet.put("init", Value("finetune", key_source(args.doc.path, "program", program.span,
                                                           f"{name.rsplit('/', 1)[-1]} fine-tunes a trained model")))
            return
        if name.endswith("main.py") and task is not None and str(task.value).upper() in _FINETUNE_TASKS:
            sheet.put("init", Value("finetune", task.source._replace(note="tasks/main.py fine-tunes on this task")))
            return
    if args.has("load") and args.flag("reset_progress"):
        # bigscience Megatron-DeepSpeed (branches for BLOOMZ/mT0, e.g. 6067213 megatron/arguments.py
        # line 668: "Reset iteration to 0 & do not load args"; checkpointing.py line 345)
        sheet.put("init", Value("checkpoint", args.source("reset_progress")._replace(
            note="weights from --load with the iteration reset: a new run from that checkpoint")))
        return
    if args.has("load") and args.flag("no_load_optim"):
        sheet.put("init", Value("checkpoint", args.source("no_load_optim")._replace(
            note="weights from --load without the optimizer state: a warm start, not a resume")))
        return
    sheet.put("init", Value("scratch", default_source(
        args.reader.framework, "no --finetune / --pretrained-checkpoint / --no-load-optim: random init, "
        "or this run resuming itself from --load")))
