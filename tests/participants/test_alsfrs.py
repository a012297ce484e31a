"""ALSFRS-R scoring (Cedarbaum 1999; clinical.md s4) against values worked by hand."""

import pytest

from participants.alsfrs import SCORING_VERSION, AlsfrsRScores, alsfrs_r_scores, item_choices

ALL_FOUR = {f"q{n}": 4 for n in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)} | {"q5a": 4}


def test_all_items_normal_scores_48_and_12_per_domain():
    assert alsfrs_r_scores(ALL_FOUR) == AlsfrsRScores(
        total=48, bulbar=12, fine_motor=12, gross_motor=12, respiratory=12
    )


def test_a_mixed_example_worked_by_hand():
    items = {
        "q1": 3, "q2": 4, "q3": 2,  # bulbar 9
        "q4": 1, "q5a": 2, "q6": 3,  # fine motor 6
        "q7": 4, "q8": 0, "q9": 1,  # gross motor 5
        "q10": 2, "q11": 3, "q12": 4,  # respiratory 9
    }  # fmt: skip
    assert alsfrs_r_scores(items) == AlsfrsRScores(
        total=29, bulbar=9, fine_motor=6, gross_motor=5, respiratory=9
    )


def test_item_5b_counts_in_place_of_5a():
    items = {**ALL_FOUR, "q5a": None, "q5b": 1}
    scores = alsfrs_r_scores(items)
    assert scores.fine_motor == 9
    assert scores.total == 45


def test_all_zero_scores_zero():
    items = {name: 0 for name in ALL_FOUR}
    assert alsfrs_r_scores(items).total == 0


@pytest.mark.parametrize("bad", [5, -1, 2.5, "3", True])
def test_an_item_outside_0_to_4_is_refused(bad):
    with pytest.raises(ValueError, match="0 to 4"):
        alsfrs_r_scores({**ALL_FOUR, "q8": bad})


def test_both_5a_and_5b_are_refused():
    with pytest.raises(ValueError, match="not both"):
        alsfrs_r_scores({**ALL_FOUR, "q5b": 3})


def test_neither_5a_nor_5b_is_refused():
    items = {k: v for k, v in ALL_FOUR.items() if k != "q5a"}
    with pytest.raises(ValueError, match="5a"):
        alsfrs_r_scores(items)


@pytest.mark.parametrize("missing", ["q1", "q6", "q12"])
def test_a_missing_item_is_refused(missing):
    items = {k: v for k, v in ALL_FOUR.items() if k != missing}
    with pytest.raises(ValueError, match="missing"):
        alsfrs_r_scores(items)
    with pytest.raises(ValueError, match="missing"):
        alsfrs_r_scores({**ALL_FOUR, missing: None})


def test_the_choices_list_4_to_0_with_the_anchor_text():
    choices = item_choices("q1")
    assert [score for score, _ in choices] == [4, 3, 2, 1, 0]
    assert choices[0][1].startswith("4 – Normal speech")


def test_the_scoring_version_is_named():
    assert "Cedarbaum 1999" in SCORING_VERSION
