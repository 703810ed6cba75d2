"""Message fragments SL302 and SL303 share."""

import pytest

from steplint.rules._steplaw_position import num, ratio_text


@pytest.mark.parametrize("ratio, text", [
    (0.23, "0.23x"), (1.0, "1.00x"), (3.456, "3.46x"), (12.4, "12x"),
    (0.0031, "0.0031x"), (0.031, "0.031x"), (0.0999, "0.100x"), (0.00031, "0.00031x"), (3.1e-6, "3.1e-6x"),
])
def test_ratio_keeps_two_significant_digits(ratio, text):
    assert ratio_text(ratio) == text


def test_num():
    assert (num(1.07e9), num(6e-4), num(1.58e-3)) == ("1.07e9", "6.0e-4", "1.58e-3")
