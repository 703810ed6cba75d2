"""Message fragments SL302 and SL303 share."""

import pytest

from steplint.rules._steplaw_position import num, ratio_text


@pytest.mark.parametrize("ratio, text", [
    (0.23, "0.23x"), (1.0, "1.00x"), (3.456, "3.46x"), (12.4, "12x"),
    (0.0031, "0.0031x"), (0.031, "0.031x"), (0.0999, "0.100x"), (0.00031, "0.00031x"), (3.1e-6, "3.1e-6x"),
])
def test_ratio_keeps_two_significant_digits(ratio, text):
    assert ratio_text(ratio) == text


@pytest.mark.parametrize("ratio, text", [(9999.4, "9999x"), (12345.0, "1.23e4x"), (4.2e100, "4.2e100x")])
def test_an_absurd_ratio_is_a_power_of_ten_not_a_hundred_digits(ratio, text):
    # found by the fuzz campaign: a 1e100 LR in a file printed "41999999...x the best LR"
    assert ratio_text(ratio) == text


def test_num():
    assert (num(1.07e9), num(6e-4), num(1.58e-3)) == ("1.07e9", "6.0e-4", "1.58e-3")
