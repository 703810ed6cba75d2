"""parse_quantity: powers of 1000 for counts, k = 1024 for sequence lengths."""

import pytest

from steplint.quantities import format_quantity, parse_quantity


@pytest.mark.parametrize("text, value", [("7e9", 7e9), ("7B", 7e9), ("1.4T", 1.4e12), ("350M", 3.5e8),
                                         ("2k", 2000), ("1_000", 1000), (".5k", 500)])
def test_counts_use_powers_of_1000(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text, value", [("4k", 4096), ("4K", 4096), ("32k", 32768), ("0.5k", 512), ("2048", 2048)])
def test_a_sequence_length_reads_k_as_1024(text, value):
    got = parse_quantity(text, integer=True, binary=True)
    assert got == value and isinstance(got, int)


def test_binary_changes_only_k():
    assert parse_quantity("1M", binary=True) == 1e6


@pytest.mark.parametrize("text", ["", "k", "-4", "0", "nan", "4 kB", "1e999"])
def test_bad_text_is_a_one_line_value_error(text):
    with pytest.raises(ValueError) as err:
        parse_quantity(text, what="--seq-len", binary=True)
    assert "--seq-len" in str(err.value) and "\n" not in str(err.value)


def test_a_fraction_is_refused_where_a_whole_number_is_needed():
    with pytest.raises(ValueError, match="whole number"):
        parse_quantity("2.1k", integer=True, binary=True)


def test_format_quantity():
    assert format_quantity(1.07e9) == "1.07e9" and format_quantity(6e-4, 2) == "6.0e-4"
