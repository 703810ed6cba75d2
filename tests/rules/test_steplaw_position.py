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


def test_integers_past_float_range_are_not_law_inputs():
    # found by the fuzz campaign (seed 21, input 1051): a 400-digit integer from a JSON file is an
    # int Python holds exactly, and float() of it raised OverflowError inside SL302
    from steplint.recipe import Recipe, default_source, fact
    from steplint.rules._steplaw_position import judge, law_inputs

    huge = 10 ** 400
    src = default_source("test")

    def recipe(**values):
        return Recipe(files=("x.yaml",), dialects=("test",),
                      facts={name: fact(name, value, src) for name, value in values.items()})

    assert law_inputs(recipe(n_params=huge, tokens=1e11)) is None
    assert law_inputs(recipe(n_params=1e9, tokens=huge)) is None
    v = judge(recipe(n_params=1e9, tokens=1e11, peak_lr=3e-4, global_batch_tokens=4_000_000, min_lr=huge,
                     n_params_active=huge))
    assert v.lr_opt > 0


def test_a_message_number_past_float_range_is_written_from_its_digits():
    # found by the fuzz campaign (seed 21, input 16907): SL602 quoted a 400-digit
    # max_position_embeddings through rules._support.human, whose %e overflowed
    from steplint.rules._support import human

    assert (human(10 ** 400), human(-12345 * 10 ** 400), human(12_345_678)) == ("1e400", "-1.23e404", "1.23e7")
