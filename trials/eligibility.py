"""Eligibility: is a criterion met by an answer, and is a person eligible.

Pure functions (no database): the criteria come from the trial's configuration, the
answers from the screening form. The rule for LSER-ALS-01 is the registry's (NCT01835782):
age 18-85, probable or definite ALS (El Escorial), disease duration under 3 years,
FVC at least 60 % predicted, ALSFRS-R total above 25 (../shared/reference/clinical.md s1).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from trials.choices import AnswerType


def age_in_years(date_of_birth: datetime.date, on: datetime.date) -> int:
    """Completed years of age on a date (the birthday counts on the day)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def _number(value) -> str:
    text = f"{Decimal(value).normalize():f}"
    return text


def bounds_text(criterion) -> str:
    """The rule of a criterion in words, e.g. "18 to 85 years", "at least 60 % predicted"."""
    if criterion.answer_type == AnswerType.YES_NO:
        return "Yes" if criterion.required_answer else "No"
    unit = f" {criterion.unit}" if criterion.unit else ""
    lower, upper = criterion.lower, criterion.upper
    if lower is not None and upper is not None:
        if criterion.lower_inclusive and criterion.upper_inclusive:
            return f"{_number(lower)} to {_number(upper)}{unit}"
        low = "at least" if criterion.lower_inclusive else "above"
        high = "at most" if criterion.upper_inclusive else "below"
        return f"{low} {_number(lower)} and {high} {_number(upper)}{unit}"
    if lower is not None:
        return f"{'at least' if criterion.lower_inclusive else 'above'} {_number(lower)}{unit}"
    return f"{'at most' if criterion.upper_inclusive else 'below'} {_number(upper)}{unit}"


def criterion_met(criterion, answer) -> bool:
    """Whether one answer meets one criterion. A missing answer never does."""
    if answer is None or answer == "":
        return False
    if criterion.answer_type == AnswerType.YES_NO:
        return bool(answer) == bool(criterion.required_answer)
    value = Decimal(str(answer))
    lower, upper = criterion.lower, criterion.upper
    below = lower is not None and (
        value < lower or (value == lower and not criterion.lower_inclusive)
    )
    above = upper is not None and (
        value > upper or (value == upper and not criterion.upper_inclusive)
    )
    return not (below or above)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    failures: tuple[str, ...]

    @property
    def reason(self) -> str:
        """The screen-failure reason as stored on the participant."""
        return "; ".join(self.failures)


def eligibility(criteria, answers: dict) -> Eligibility:
    """Eligible when every criterion is met; the failures name each unmet criterion.

    `answers` maps a criterion's code to its answer (bool for yes/no, a number otherwise).
    """
    failures = []
    for criterion in criteria:
        answer = answers.get(criterion.code)
        if not criterion_met(criterion, answer):
            if criterion.answer_type == AnswerType.YES_NO:
                given = "no answer" if answer is None else ("Yes" if answer else "No")
            else:
                given = "no answer" if answer is None else _number(answer)
            failures.append(
                f"{criterion.code} {criterion.text}: {given} (needs {bounds_text(criterion)})"
            )
    return Eligibility(eligible=not failures, failures=tuple(failures))
