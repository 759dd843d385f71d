"""List likely duplicates in the person index for data-quality review, or check a CSV before import.

    manage.py find_duplicates                      pairs of person references with their score
    manage.py find_duplicates --input persons.csv --output pairs.csv

The index run prints person references (PER-2026-00042) and scores only: never names, contact
details or identifiers, so its output can go into a data-quality ticket. Pairs already known to
be different people (twins, parent and child) are left out by the matching engine's rules.
Review each pair on the person pages, where a clinical lead can merge them.

The CSV run reads ``record_id, given_name, family_name, date_of_birth (YYYY-MM-DD), sex,
nhs_number, pnc_id, address, postcode, phone, email`` (any blank but record_id) and writes
``record_id_1, record_id_2, score``, one row per likely duplicate pair, with the matching engine's
CSV tool (``casework.people.matching.csvtool``). The file is streamed, in UTF-8, UTF-16 or
Windows-1252/Latin-1; rows it cannot read are listed by line number and left out, and the command
then exits with status 1 after writing the pairs of the other rows. Values a spreadsheet would run
as formulas are written with a leading apostrophe. It says how many candidate pairs were compared,
and how many blocking keys were shared by too many rows to pair them on that key alone (split by
a second shared value: the sound of a name, the birth year or day, the postcode sector) or even
then (left out). ``--a-priori-weights`` scores with the shipped weights instead of weights learnt
from the file (see docs/benchmarks/matching.md: on large files the learnt ones call more pairs).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.people.candidates import index_records, person_id_of, with_details
from casework.people.matching import MATCH_THRESHOLD, csvtool, find_duplicates
from casework.people.models import Person

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "List likely duplicate persons (references and scores), or check a CSV of persons before import."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--input", help="CSV of persons to check before import")
        parser.add_argument("--output", help="Where to write the duplicate pairs found in --input")
        parser.add_argument(
            "--threshold",
            type=float,
            default=MATCH_THRESHOLD,
            help=f"Lowest match probability reported (default {MATCH_THRESHOLD})",
        )
        parser.add_argument(
            "--a-priori-weights",
            action="store_true",
            help="With --input: score with the shipped weights instead of learning them from the file",
        )

    def handle(
        self,
        *args,
        input: str | None,
        output: str | None,
        threshold: float,
        a_priori_weights: bool = False,
        **options,
    ) -> None:
        if not 0 < threshold <= 1:
            raise CommandError("--threshold must be more than 0 and at most 1")
        if input or output:
            if not (input and output):
                raise CommandError("Give both --input and --output")
            report = csvtool.ReadReport()
            try:
                count = csvtool.find_duplicates_csv(
                    input, output, threshold=threshold, estimate=not a_priori_weights, report=report
                )
            except csvtool.InputError as error:
                raise CommandError(str(error)) from error
            except FileNotFoundError as error:
                raise CommandError(f"No such file: {error.filename}") from error
            self.stdout.write(f"{report.rows} rows read ({report.encoding})")
            self._blocking(report.matching)
            self.stdout.write(self.style.SUCCESS(f"{count} likely duplicate pairs written to {output}"))
            if report.problems:
                for problem in report.problems[:SHOWN_PROBLEMS]:
                    self.stderr.write(str(problem))
                if len(report.problems) > SHOWN_PROBLEMS:
                    self.stderr.write(f"… and {len(report.problems) - SHOWN_PROBLEMS} more")
                raise CommandError(
                    f"{len(report.problems)} rows could not be read and were left out (listed above); "
                    f"the pairs among the other rows are in {output}"
                )
            return
        self._index(threshold)

    def _blocking(self, matching: dict) -> None:
        self.stdout.write(f"{matching.get('candidate_pairs', 0)} candidate pairs compared")
        if matching.get("blocks_split"):
            self.stdout.write(
                f"{matching['blocks_split']} blocking keys shared by more than {matching['block_cap']} rows "
                "were split by a second shared value (name sound, birth year or day, postcode sector)"
            )
        if matching.get("blocks_left_out"):
            self.stdout.write(
                self.style.WARNING(
                    f"{matching['blocks_left_out']} groups of rows sharing a key were too large to compare "
                    f"even so ({matching['pairs_left_out']} pairs not compared on those keys, a pair counted "
                    "once for each such key it shares); their rows were still compared on their other keys"
                )
            )

    def _index(self, threshold: float) -> None:
        persons = list(with_details(Person.objects.filter(merged_into__isnull=True).order_by("pk")))
        references = {p.pk: p.reference for p in persons}
        result = find_duplicates(index_records(persons), threshold=threshold)
        best: dict[tuple[int, int], float] = {}
        for pair in result.pairs:
            a, b = person_id_of(pair.a.record.record_id), person_id_of(pair.b.record.record_id)
            if a == b:
                continue  # two names or addresses of one person
            key = (min(a, b), max(a, b))
            best[key] = max(best.get(key, 0.0), pair.probability)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        self.stdout.write(f"{len(persons)} persons checked; {len(ranked)} likely duplicate pairs")
        for (a, b), score in ranked:
            self.stdout.write(f"{references[a]}\t{references[b]}\t{score:.4f}")
