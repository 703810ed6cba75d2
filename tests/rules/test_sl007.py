import pytest

from upstream_check import check_text

SHELL = "#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 16 --hidden-size 2048 --num-attention-heads 16 " \
        "--seq-length 2048 --micro-batch-size 4 --global-batch-size {gbs} --train-iters 1000 --lr 3.0e-4\n"
NEMO = "trainer:\n  max_steps: 1000\nmodel:\n  micro_batch_size: 4\n  global_batch_size: 256\n  encoder_seq_length: 2048\n" \
       "  num_layers: 16\n  hidden_size: 2048\n  num_attention_heads: 16\n  optim:\n    name: fused_adam\n    lr: {lr}\n"


def test_shell_variable_set_outside_the_script(tmp_path):
    code, found = check_text(tmp_path, "run.sh", SHELL.format(gbs="$GBS"), "--select", "SL007")
    column = SHELL.format(gbs="$GBS").splitlines()[1].index("$GBS") + 1
    assert code == 1 and found == [("SL007", 2, column, "warning")]


def test_nemo_interpolation_steplint_does_not_evaluate(tmp_path):
    code, found = check_text(tmp_path, "nemo.yaml", NEMO.format(lr="${oc.env:LR}"), "--select", "SL007")
    assert code == 1 and found == [("SL007", 12, 9, "warning")]


@pytest.mark.parametrize("name, text", [("run.sh", SHELL.format(gbs="256")), ("nemo.yaml", NEMO.format(lr="3.0e-4"))])
def test_literal_values_are_clean(tmp_path, name, text):
    assert check_text(tmp_path, name, text, "--select", "SL007") == (0, [])
