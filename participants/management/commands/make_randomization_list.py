"""Generate a trial's randomization list: permuted blocks per site (and factor level)."""

import csv
from collections import Counter

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from participants.forms.randomization import CSV_COLUMNS
from participants.models import RandomizationSlot
from participants.services import randomization_list_generate
from trials.models import Trial


def _numbers(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(f"Block sizes are whole numbers separated by commas: {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Generate a trial's randomization list (permuted blocks stratified by site and "
        "optionally one factor) from a seed; refuses once a participant is randomized."
    )

    def add_arguments(self, parser):
        parser.add_argument("trial", help="Trial code, e.g. LSER-ALS-01.")
        parser.add_argument("--seed", type=int, required=True, help="Reproduces the list.")
        parser.add_argument(
            "--block-size", default="4", help='Block size, or sizes drawn at random: "4,8".'
        )
        parser.add_argument("--per-stratum", type=int, default=40, help="Slots per stratum.")
        parser.add_argument("--factor", default="", help="Stratification factor besides site.")
        parser.add_argument("--levels", default="", help='The factor\'s levels: "C/C,C/T,T/T".')
        parser.add_argument("--csv", help="Also write the full list, arms included, to this file.")

    def handle(self, *args, trial, seed, block_size, per_stratum, factor, levels, **options):
        trial_obj = Trial.objects.filter(code=trial).first()
        if trial_obj is None:
            raise CommandError(f"No trial {trial}.")
        try:
            randomization_list = randomization_list_generate(
                trial=trial_obj,
                seed=seed,
                block_sizes=_numbers(block_size),
                per_stratum=per_stratum,
                factor_name=factor,
                factor_levels=levels.split(","),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        slots = list(
            RandomizationSlot.objects.filter(trial=trial_obj).select_related("site", "arm")
        )
        self.summary(randomization_list, slots)
        if options["csv"]:
            self.write_csv(options["csv"], slots)

    def summary(self, randomization_list, slots):
        """Slots per stratum, never an arm: a terminal may be seen, scrolled back, logged."""
        self.stdout.write(
            f"{randomization_list.trial.code}: {len(slots)} slots, seed {randomization_list.seed}."
        )
        per_stratum = Counter((s.site.number, s.factor_level) for s in slots)
        for (site, level), count in sorted(per_stratum.items()):
            factor = f" / {randomization_list.factor_name} {level}" if level else ""
            self.stdout.write(f"  site {site}{factor}: {count} slots")

    def write_csv(self, path, slots):
        """The full list, in the columns the import page reads."""
        with open(path, "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(CSV_COLUMNS)
            for s in slots:
                writer.writerow(
                    [s.randomization_number, s.site.number, s.factor_level, s.block, s.sequence]
                    + [s.arm.code]
                )
        self.stdout.write(f"Full list (unblinded) written to {path}.")
