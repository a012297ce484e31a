"""Randomizing a participant, importing a randomization list, emergency unblinding."""

import csv
import io

from django import forms

from participants.forms.base import _helper
from participants.randomization import ListRow

CSV_COLUMNS = ("randomization_number", "site", "factor_level", "block", "sequence", "arm_code")
MAX_LIST_BYTES = 2_000_000  # some 50,000 rows: far more than any list of this size of trial


class RandomizeForm(forms.Form):
    """Confirms the randomization; asks the stratification factor's level when the list has
    one (the stratum decides which part of the list the arm comes from)."""

    confirm = forms.BooleanField(
        label="The participant is eligible, consented and ready to receive study drug.",
    )

    def __init__(self, *args, randomization_list, **kwargs):
        super().__init__(*args, **kwargs)
        if randomization_list is not None and randomization_list.factor_name:
            self.fields["factor_level"] = forms.ChoiceField(
                label=randomization_list.factor_name,
                choices=[("", "---------")] + [(v, v) for v in randomization_list.factor_levels],
                help_text="As measured for this participant; it selects their stratum.",
            )
            self.order_fields(["factor_level", "confirm"])
        self.helper = _helper("Randomize")


class RandomizationImportForm(forms.Form):
    """A CSV file with one row per slot; parsing and row-level checks here, the checks
    against the trial (arms, sites, duplicates) in the service."""

    file = forms.FileField(
        label="Randomization list (CSV)",
        help_text="Columns: " + ", ".join(CSV_COLUMNS) + ". Site as its number, e.g. 01.",
    )
    factor_name = forms.CharField(
        label="Stratification factor",
        max_length=60,
        required=False,
        help_text="Besides site, e.g. rs1163251; empty when the rows give no factor level.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Import list")

    def clean_file(self) -> list[ListRow]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError("The file is too large for a randomization list.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Save the list as CSV in UTF-8.") from exc
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise forms.ValidationError(f"Columns missing: {', '.join(missing)}.")
        rows, errors = [], []
        for n, record in enumerate(reader, start=1):
            values = {k: (record.get(k) or "").strip() for k in CSV_COLUMNS}
            empty = [k for k in CSV_COLUMNS if k != "factor_level" and not values[k]]
            if empty:
                errors.append(f"Row {n}: {', '.join(empty)} empty.")
                continue
            try:
                block, sequence = int(values["block"]), int(values["sequence"])
            except ValueError:
                errors.append(f"Row {n}: block and sequence must be whole numbers.")
                continue
            if block < 1 or sequence < 1:
                errors.append(f"Row {n}: block and sequence start at 1.")
                continue
            rows.append(
                ListRow(
                    site_number=values["site"],
                    factor_level=values["factor_level"],
                    block=block,
                    sequence=sequence,
                    randomization_number=values["randomization_number"],
                    arm_code=values["arm_code"],
                )
            )
        if errors:
            raise forms.ValidationError(errors)
        if not rows:
            raise forms.ValidationError("The file has no rows.")
        return rows


class EmergencyUnblindingForm(forms.Form):
    reason = forms.CharField(
        label="Medical reason for unblinding",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the audit trail and shown to the data manager and unblinded staff.",
    )
    confirm = forms.BooleanField(
        label="Knowing the arm is needed to treat this participant; I will see it now and "
        "this unblinding is recorded.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Unblind")
        self.helper.inputs[0].field_classes = "btn btn-danger"
