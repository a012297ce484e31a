"""The permuted-block generator (participants/randomization.py): pure, no database."""

from collections import Counter

import pytest

from participants.randomization import generate_list

ALS = {"LS0.5": 1, "LS2.5": 1, "LS7.5": 1, "LS15": 1}


def _list(**overrides):
    kwargs = dict(
        ratios=ALS,
        site_numbers=["01", "02"],
        factor_levels=(),
        block_sizes=[8],
        per_stratum=40,
        seed=20261120,
    )
    kwargs.update(overrides)
    return generate_list(**kwargs)


def _blocks(rows):
    blocks = {}
    for row in rows:
        blocks.setdefault((row.site_number, row.factor_level, row.block), []).append(row.arm_code)
    return blocks


def test_each_block_holds_each_arm_equally():
    blocks = _blocks(_list())
    assert len(blocks) == 2 * 5
    for arms in blocks.values():
        assert Counter(arms) == {"LS0.5": 2, "LS2.5": 2, "LS7.5": 2, "LS15": 2}


def test_each_block_holds_the_arms_in_their_ratio():
    blocks = _blocks(_list(ratios={"LS400": 2, "PBO": 1}, block_sizes=[3, 6], per_stratum=30))
    sizes = Counter(len(arms) for arms in blocks.values())
    assert set(sizes) <= {3, 6}
    for arms in blocks.values():
        counts = Counter(arms)
        assert counts["LS400"] == 2 * counts["PBO"]


def test_blocks_of_mixed_sizes_are_drawn_from_the_seed():
    sizes = [len(arms) for arms in _blocks(_list(block_sizes=[4, 8], per_stratum=200)).values()]
    assert set(sizes) == {4, 8}


def test_the_same_seed_gives_the_same_list():
    assert _list() == _list()


def test_another_seed_gives_another_list():
    assert [r.arm_code for r in _list()] != [r.arm_code for r in _list(seed=20261121)]


def test_the_blocks_are_not_all_in_the_same_order():
    orders = {tuple(arms) for arms in _blocks(_list()).values()}
    assert len(orders) > 1


def test_every_site_and_factor_level_is_a_stratum_of_whole_blocks():
    rows = _list(factor_levels=["C/C", "C/T", "T/T"], per_stratum=10)
    sizes = Counter((r.site_number, r.factor_level) for r in rows)
    # 10 slots asked, blocks of 8: two whole blocks, never a cut one
    assert sizes == {(site, level): 16 for site in ("01", "02") for level in ("C/C", "C/T", "T/T")}


def test_sequences_run_from_one_in_each_stratum_and_numbers_are_unique():
    rows = _list(factor_levels=["C/C", "T/T"])
    by_stratum = {}
    for row in rows:
        by_stratum.setdefault((row.site_number, row.factor_level), []).append(row.sequence)
    for sequences in by_stratum.values():
        assert sequences == list(range(1, len(sequences) + 1))
    numbers = [r.randomization_number for r in rows]
    assert len(set(numbers)) == len(numbers)
    assert numbers[0] == "R0001"


def test_numbers_get_more_digits_when_the_list_needs_them():
    rows = _list(site_numbers=[f"{n:02d}" for n in range(30)], per_stratum=400)
    assert rows[-1].randomization_number == f"R{len(rows):05d}"
    assert len(rows) >= 10000


@pytest.mark.parametrize("size", [6, 2, 0])
def test_it_refuses_a_block_size_that_is_not_a_multiple_of_the_ratios(size):
    with pytest.raises(ValueError, match="multiple of 4"):
        _list(block_sizes=[size])


def test_it_refuses_repeated_factor_levels():
    with pytest.raises(ValueError, match="differ"):
        _list(factor_levels=["C/C", "C/C"])
