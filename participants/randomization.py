"""Randomization lists: permuted blocks within strata. Pure functions, no database.

A stratum is one site, or one site and one level of an optional stratification factor
(e.g. a genotype variant that shifts serine levels). Within each stratum the list is a run
of blocks; each block holds every arm in its allocation ratio, in a random order, so that
the arms stay balanced within the stratum however many participants it ends up with
(ICH E9 section 2.3.1, "Randomization": stratified, blocked randomization; block sizes
should not be disclosed to investigators, and may vary at random to stay unpredictable).

The generator uses `random.Random(seed)`: the same seed gives the same list, so that a
statistician can regenerate and check a list from the seed alone. The seed does not make
the list guessable on its own terms: what must stay secret is the list (and its seed),
which only unblinded users can read.
"""

import dataclasses
import random
from collections.abc import Mapping, Sequence


@dataclasses.dataclass(frozen=True)
class ListRow:
    """One slot of the list: who gets which arm, in which order, in which stratum."""

    site_number: str
    factor_level: str  # "" when the list has no stratification factor
    block: int  # 1, 2, ... within the stratum
    sequence: int  # 1, 2, ... within the stratum: the order in which slots are taken
    randomization_number: str  # unique in the trial
    arm_code: str


def check_block_sizes(ratios: Mapping[str, int], block_sizes: Sequence[int]) -> None:
    """A block must hold every arm in its ratio: its size is a multiple of the ratios' sum."""
    if not ratios:
        raise ValueError("The trial has no arms to randomize to.")
    if any(r < 1 for r in ratios.values()):
        raise ValueError("Allocation ratios must be at least 1.")
    if not block_sizes:
        raise ValueError("Give at least one block size.")
    total = sum(ratios.values())
    wrong = [size for size in block_sizes if size < total or size % total]
    if wrong:
        raise ValueError(
            f"Block size {wrong[0]} does not hold the arms in their ratio: "
            f"use a multiple of {total} (the sum of the allocation ratios)."
        )


def permuted_block(ratios: Mapping[str, int], size: int, rng: random.Random) -> list[str]:
    """One block: each arm `ratio * size / sum(ratios)` times, shuffled."""
    per_unit = size // sum(ratios.values())
    block = [code for code in sorted(ratios) for _ in range(ratios[code] * per_unit)]
    rng.shuffle(block)
    return block


def strata(site_numbers: Sequence[str], factor_levels: Sequence[str]) -> list[tuple[str, str]]:
    """Each site crossed with each level of the factor (or alone, without a factor)."""
    levels = list(factor_levels) or [""]
    return [(site, level) for site in site_numbers for level in levels]


def generate_list(
    *,
    ratios: Mapping[str, int],
    site_numbers: Sequence[str],
    factor_levels: Sequence[str] = (),
    block_sizes: Sequence[int],
    per_stratum: int,
    seed: int,
) -> list[ListRow]:
    """The whole list: whole blocks per stratum until it holds at least `per_stratum` slots.

    A block is never cut short (that would unbalance the arms), so a stratum can hold a few
    more than `per_stratum` slots. With several block sizes each block's size is drawn at
    random from them. Randomization numbers run through the list as R0001, R0002, ...
    (more digits when the list needs them), stratum after stratum.
    """
    check_block_sizes(ratios, block_sizes)
    if per_stratum < 1:
        raise ValueError("A stratum needs at least one slot.")
    if len(set(factor_levels)) != len(factor_levels):
        raise ValueError("The factor's levels must differ from each other.")
    # Not for secrets: reproducible from the seed on purpose (see the module docstring).
    rng = random.Random(seed)  # noqa: S311
    per_stratum_arms = []
    for site, level in strata(site_numbers, factor_levels):
        arms, block_number = [], 0
        while len(arms) < per_stratum:
            block_number += 1
            block = permuted_block(ratios, rng.choice(list(block_sizes)), rng)
            arms.extend((block_number, code) for code in block)
        per_stratum_arms.append((site, level, arms))
    total = sum(len(arms) for _, _, arms in per_stratum_arms)
    width = max(4, len(str(total)))
    rows, number = [], 0
    for site, level, arms in per_stratum_arms:
        for sequence, (block, code) in enumerate(arms, start=1):
            number += 1
            rows.append(
                ListRow(
                    site_number=site,
                    factor_level=level,
                    block=block,
                    sequence=sequence,
                    randomization_number=f"R{number:0{width}d}",
                    arm_code=code,
                )
            )
    return rows
