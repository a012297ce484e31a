"""ALSFRS-R scoring: pure functions, no database.

The Revised ALS Functional Rating Scale (Cedarbaum JM et al. 1999, J Neurol Sci 169:13-21;
../shared/reference/clinical.md section 4): 12 items, each scored 0-4 (4 = normal), total
0-48. Item 5 has two versions: 5a (cutting food and handling utensils, no gastrostomy) and
5b (the same task for a person with a gastrostomy); exactly one of them is scored. Four
domain subscores of three items each, 0-12:

- bulbar: 1 speech, 2 salivation, 3 swallowing
- fine motor: 4 handwriting, 5a or 5b cutting food, 6 dressing and hygiene
- gross motor: 7 turning in bed, 8 walking, 9 climbing stairs
- respiratory: 10 dyspnea, 11 orthopnea, 12 respiratory insufficiency

The answer texts below are short forms of the published anchors, shown to the rater as a
reminder; the site's licensed questionnaire remains the source document.
"""

from dataclasses import dataclass

# Stored with every computed score (DESIGN.md rule 5): bump when the rule changes.
SCORING_VERSION = "ALSFRS-R Cedarbaum 1999 v1"

# (field name, item name, answer texts for 4, 3, 2, 1, 0)
ITEMS: tuple[tuple[str, str, tuple[str, str, str, str, str]], ...] = (
    (
        "q1",
        "1. Speech",
        (
            "Normal speech processes",
            "Detectable speech disturbance",
            "Intelligible with repeating",
            "Speech combined with non-vocal communication",
            "Loss of useful speech",
        ),
    ),
    (
        "q2",
        "2. Salivation",
        (
            "Normal",
            "Slight but definite excess of saliva; may have night-time drooling",
            "Moderately excessive saliva; may have minimal drooling",
            "Marked excess of saliva with some drooling",
            "Marked drooling; requires constant tissue or handkerchief",
        ),
    ),
    (
        "q3",
        "3. Swallowing",
        (
            "Normal eating habits",
            "Early eating problems, occasional choking",
            "Dietary consistency changes",
            "Needs supplemental tube feeding",
            "NPO (exclusively parenteral or enteral feeding)",
        ),
    ),
    (
        "q4",
        "4. Handwriting",
        (
            "Normal",
            "Slow or sloppy; all words are legible",
            "Not all words are legible",
            "Able to grip pen but unable to write",
            "Unable to grip pen",
        ),
    ),
    (
        "q5a",
        "5a. Cutting food and handling utensils (no gastrostomy)",
        (
            "Normal",
            "Somewhat slow and clumsy, but no help needed",
            "Can cut most foods, although clumsy and slow; some help needed",
            "Food must be cut by someone, but can still feed slowly",
            "Needs to be fed",
        ),
    ),
    (
        "q5b",
        "5b. Cutting food and handling utensils (with gastrostomy)",
        (
            "Normal",
            "Clumsy but able to perform all manipulations independently",
            "Some help needed with closures and fasteners",
            "Provides minimal assistance to caregiver",
            "Unable to perform any aspect of task",
        ),
    ),
    (
        "q6",
        "6. Dressing and hygiene",
        (
            "Normal function",
            "Independent and complete self-care with effort or decreased efficiency",
            "Intermittent assistance or substitute methods",
            "Needs attendant for self-care",
            "Total dependence",
        ),
    ),
    (
        "q7",
        "7. Turning in bed and adjusting bed clothes",
        (
            "Normal",
            "Somewhat slow and clumsy, but no help needed",
            "Can turn alone or adjust sheets, but with great difficulty",
            "Can initiate, but not turn or adjust sheets alone",
            "Helpless",
        ),
    ),
    (
        "q8",
        "8. Walking",
        (
            "Normal",
            "Early ambulation difficulties",
            "Walks with assistance",
            "Non-ambulatory functional movement only",
            "No purposeful leg movement",
        ),
    ),
    (
        "q9",
        "9. Climbing stairs",
        ("Normal", "Slow", "Mild unsteadiness or fatigue", "Needs assistance", "Cannot do"),
    ),
    (
        "q10",
        "10. Dyspnea",
        (
            "None",
            "Occurs when walking",
            "Occurs with one or more of: eating, bathing, dressing",
            "Occurs at rest, difficulty breathing when sitting or lying",
            "Significant difficulty, considering mechanical respiratory support",
        ),
    ),
    (
        "q11",
        "11. Orthopnea",
        (
            "None",
            "Some difficulty sleeping due to shortness of breath; no more than two pillows",
            "Needs extra pillows to sleep (more than two)",
            "Can only sleep sitting up",
            "Unable to sleep",
        ),
    ),
    (
        "q12",
        "12. Respiratory insufficiency",
        (
            "None",
            "Intermittent use of BiPAP",
            "Continuous use of BiPAP during the night",
            "Continuous use of BiPAP during the night and day",
            "Invasive mechanical ventilation by intubation or tracheostomy",
        ),
    ),
)

ITEM_FIELDS: tuple[str, ...] = tuple(name for name, _, _ in ITEMS)
ITEM_NAMES: dict[str, str] = {name: label for name, label, _ in ITEMS}
ITEM_ANSWERS: dict[str, tuple[str, ...]] = {name: texts for name, _, texts in ITEMS}

DOMAINS: dict[str, tuple[str, ...]] = {
    "bulbar": ("q1", "q2", "q3"),
    "fine_motor": ("q4", "q5", "q6"),  # q5 is whichever of 5a/5b was scored
    "gross_motor": ("q7", "q8", "q9"),
    "respiratory": ("q10", "q11", "q12"),
}


def item_choices(field: str) -> list[tuple[int, str]]:
    """Choices for one item, 4 (normal) first: (score, "4 – answer text")."""
    return [(4 - i, f"{4 - i} – {text}") for i, text in enumerate(ITEM_ANSWERS[field])]


@dataclass(frozen=True)
class AlsfrsRScores:
    total: int
    bulbar: int
    fine_motor: int
    gross_motor: int
    respiratory: int


def _score(items: dict, name: str) -> int:
    value = items.get(name)
    if value is None:
        raise ValueError(f"Item {ITEM_NAMES[name]} is missing.")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ValueError(f"Item {ITEM_NAMES[name]} must be a whole number from 0 to 4.")
    return value


def alsfrs_r_scores(items: dict) -> AlsfrsRScores:
    """The total and the four domain subscores from the 12 item scores.

    `items` maps q1..q4, q5a or q5b, q6..q12 to an int 0-4 (the other of 5a/5b absent or
    None). Raises ValueError for a missing item, a score outside 0-4, or both or neither
    of 5a/5b.
    """
    has_a, has_b = items.get("q5a") is not None, items.get("q5b") is not None
    if has_a and has_b:
        raise ValueError("Score item 5a or item 5b, not both.")
    if not (has_a or has_b):
        raise ValueError("Score item 5a (no gastrostomy) or item 5b (with gastrostomy).")
    scores = {name: _score(items, name) for name in ITEM_FIELDS if name not in ("q5a", "q5b")}
    scores["q5"] = _score(items, "q5a" if has_a else "q5b")
    domains = {domain: sum(scores[n] for n in names) for domain, names in DOMAINS.items()}
    return AlsfrsRScores(total=sum(domains.values()), **domains)
