"""Launch scripts read statically: flags, arrays, literal variables, arithmetic, heredocs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from steplint.documents.nodes import MappingNode, ScalarNode, SequenceNode
from steplint.documents.shell import heredocs, is_unresolved, load_shell


def load(text: str):
    return load_shell("run.sh", text)


def flag(doc, name: str):
    return doc.root.all(name)[-1]


def test_flags_from_arrays_strings_and_continuations_keep_exact_spans():
    text = (
        "LR=6e-5\n"
        "ARGS=(\n  --num-layers 24\n  --swiglu\n)\n"
        'OPT=" \\\n  --lr $LR \\\n  --min-lr 6e-6"\n'
        "torchrun pretrain_gpt.py ${ARGS[@]} $OPT --split=99,1,0\n"
    )
    doc = load(text)
    layers, swiglu, lr = flag(doc, "--num-layers"), flag(doc, "--swiglu"), flag(doc, "--lr")
    assert (layers.value, swiglu.value, lr.value) == ("24", True, "6e-5")
    # the value of --lr is spliceable where it is written: in the LR= assignment
    assert text[lr.span.start.offset:lr.span.end.offset] == "6e-5"
    assert lr.span.start.line == 1 and lr.span.start.column == 4
    assert flag(doc, "--min-lr").span.start.line == 8
    split = flag(doc, "--split")
    assert split.value == "99,1,0" and text[split.span.start.offset:split.span.end.offset] == "99,1,0"
    assert doc.root.get("program").value == "pretrain_gpt.py"


def test_underscore_numbers_arithmetic_and_multi_value_flags():
    doc = load("A=8\nB=$((A*2))\nTRAIN=220_000_000\n"
               "python pretrain_gpt.py --train-samples $TRAIN --rampup-batch-size 192 16 9_765_625 "
               "--world $(( $A + B ))\n")
    assert flag(doc, "--train-samples").value == "220_000_000"
    ramp = flag(doc, "--rampup-batch-size")
    assert isinstance(ramp, SequenceNode) and [n.value for n in ramp.items] == ["192", "16", "9_765_625"]
    assert flag(doc, "--world").value == "24"


def test_braced_variables_inside_arithmetic():
    # bash expands ${NAME} inside $((...)) (Megatron-DeepSpeed's MoE scripts compute TRAIN_ITERS so)
    doc = load("T=300\nB=4\nITERS=$(( ${T} * 3 / ${B} ))\npython pretrain_gpt.py --train-iters ${ITERS} --x 1\n")
    assert flag(doc, "--train-iters").value == "225"


@pytest.mark.parametrize("reference", ["$1", "$(hostname)", "`pwd`", "${UNSET:-4}", "$UNSET_ENV", "$((X / 0))"])
def test_what_the_script_does_not_set_is_unresolved_never_guessed(reference):
    doc = load(f"X=1\npython pretrain_gpt.py --num-layers {reference} --lr 1.0e-4\n")
    node = flag(doc, "--num-layers")
    assert is_unresolved(node)
    assert not is_unresolved(flag(doc, "--lr"))


def test_default_expansion_of_a_set_variable_uses_the_script_value():
    doc = load("N=12\npython pretrain_gpt.py --num-layers ${N:-4} --hidden-size 64\n")
    assert flag(doc, "--num-layers").value == "12" and not is_unresolved(flag(doc, "--num-layers"))


def test_repeated_flag_keeps_both_and_the_last_is_what_argparse_uses():
    doc = load("python pretrain_gpt.py --lr 3e-4 --lr 6e-4\n")
    assert [n.value for n in doc.root.all("--lr")] == ["3e-4", "6e-4"]


def test_launch_with_most_flags_wins_over_helper_python_calls():
    doc = load("python prep.py --input a\ndeepspeed pretrain_gpt.py --num-layers 2 --hidden-size 8\n")
    assert doc.root.get("program").value == "pretrain_gpt.py" and "--input" not in doc.root


def test_sbatch_and_launcher_options_are_kept_apart_from_script_flags():
    doc = load("#!/bin/bash\n#SBATCH --nodes=24\n#SBATCH --gres=gpu:8   # gpus\n"
               "torchrun --nproc_per_node 8 --nnodes 3 pretrain_gpt.py --num-layers 2\n")
    sbatch, launcher = doc.root.get("sbatch"), doc.root.get("launcher")
    assert isinstance(sbatch, MappingNode) and sbatch.get("--nodes").value == "24"
    assert sbatch.get("--gres").value == "gpu:8"
    assert isinstance(launcher, MappingNode) and launcher.get("--nnodes").value == "3"
    assert "--nnodes" not in doc.root


def test_heredoc_json_is_expanded_with_script_variables():
    doc = load('MICRO=2\ncat <<EOT > ds.json\n{"train_micro_batch_size_per_gpu": $MICRO, "x": "$HOME"}\nEOT\n'
               "python pretrain_gpt.py --deepspeed_config ds.json --num-layers 2\n")
    (here,) = heredocs(doc)
    assert here.target == "ds.json" and here.line == 2
    assert '"train_micro_batch_size_per_gpu": 2' in here.text
    assert here.unresolved == ("$HOME",)


def test_quoted_heredoc_delimiter_keeps_text_literal():
    doc = load("cat <<'EOT' > ds.json\n{\"a\": $B}\nEOT\npython pretrain_gpt.py --x 1\n")
    assert heredocs(doc)[0].text == '{"a": $B}\n'


def test_comments_are_collected_for_suppressions():
    doc = load_shell(str(FIXTURES / "megatron" / "swiglu_mqa.sh"),
                     (FIXTURES / "megatron" / "swiglu_mqa.sh").read_text())
    assert any("steplint: ignore[SL302]" in c.text and not c.own_line for c in doc.comments)
    assert doc.kind == "shell"


def test_script_without_a_python_launch_has_an_empty_mapping():
    doc = load("echo hello\n")
    assert isinstance(doc.root, MappingNode) and len(doc.root) == 0


def test_flag_without_value_spans_the_flag():
    doc = load("python pretrain_gpt.py --bf16\n")
    node = flag(doc, "--bf16")
    assert isinstance(node, ScalarNode) and node.value is True and node.text == "--bf16"


_PIECES = ["--lr", " ", "\n", "\\\n", "$", "${", "}", "$((", "))", "(", ")", "'", '"', "`", "#", "<<EOT", "EOT",
           "X=", "A=(", "1e-4", "220_000_000", "pretrain_gpt.py", "[@]", "*", "/", "0", ":-", ";", "|", "&&"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_any_text_reads_without_raising(pieces):
    text = "".join(pieces)
    doc = load_shell("fuzz.sh", text)
    assert isinstance(doc.root, MappingNode)
    for _, node in doc.root.items:
        for item in (node.items if isinstance(node, (SequenceNode, MappingNode)) else (node,)):
            leaf = item[1] if isinstance(node, MappingNode) else item  # a ScalarNode is a tuple too
            assert 0 <= leaf.span.start.offset <= leaf.span.end.offset <= len(text)


def test_deeply_nested_arithmetic_is_unresolved_not_a_crash():
    depth = 5000
    doc = load(f"N=$(({'(' * depth}1{')' * depth}))\npython pretrain_gpt.py --num-layers $N\n")
    assert is_unresolved(flag(doc, "--num-layers"))


@pytest.mark.parametrize("text", ["A=( ; )\n", "A=(a | b & c < d > e ( f\n", "A=(\n", "cat <<EOT\nno end\n", "X=\"open\n"])
def test_malformed_scripts_terminate(text):
    assert isinstance(load(text).root, MappingNode)
