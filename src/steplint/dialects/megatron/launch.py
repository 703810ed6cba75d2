"""Where a Megatron run runs and what else it reads: parallel sizes, the world size of the
launch (SLURM or the launcher), and the files it references (`--yaml-cfg`, the DeepSpeed
JSON, or a heredoc the script writes).
"""

from __future__ import annotations

import os
import re
from typing import Optional

from steplint.diagnostics import Diagnostic, Severity
from steplint.dialects.base import ExtractContext, Reference
from steplint.dialects.config_reader import FactSheet, Value, as_number
from steplint.dialects.megatron.arguments import _Args, _is_unresolved, _unresolved
from steplint.documents.nodes import Document, MappingNode, ScalarNode
from steplint.documents.values import unusable_number
from steplint.recipe import default_source, key_source


def _parallelism(doc: Document, args: _Args, sheet: FactSheet, ctx: ExtractContext) -> None:
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
    if yaml_cfg and isinstance(node, ScalarNode) and not _is_unresolved(doc, node):
        out.append(Reference(path=os.path.normpath(os.path.join(folder, str(node.value))), role="include",
                             key=yaml_cfg, span=node.span))
    key = args.key("deepspeed_config")
    node = args.reader.node(key) if key else None
    if not key or not isinstance(node, ScalarNode):
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
