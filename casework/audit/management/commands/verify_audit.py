"""Verify the audit trail: the append-only triggers, the hash chain and, given a head recorded off
the server, that the chain has not been rolled back. Exit 0 if all is well; exit 1 naming each
problem (for the chain, the first broken event)."""

from __future__ import annotations

import re
import sys

from django.core.management.base import BaseCommand, CommandError

from casework.audit import append_only, chain

HEAD_FORMAT = re.compile(r"^#?(\d+):([0-9a-fA-F]{64})$")


def parse_head(value: str) -> chain.Head:
    match = HEAD_FORMAT.match((value or "").strip())
    if not match:
        raise CommandError(
            "--expect-head must be SEQ:HASH as printed by verify_audit --print-head, for example 1234:" + "0" * 64
        )
    return chain.Head(int(match.group(1)), match.group(2).lower())


class Command(BaseCommand):
    help = (
        "Check the audit trail: that the append-only triggers are installed unaltered, that the "
        "hash chain is intact and, with --expect-head, that it still holds a head recorded off the "
        "server. Exit 0 if so; 1 naming what is wrong."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            type=parse_head,
            help="A head printed earlier by --print-head and kept off this server: fail if the chain "
            "ends before event SEQ or holds it with another hash (a rollback or truncation).",
        )
        parser.add_argument(
            "--print-head",
            action="store_true",
            help="Print only the verified head, SEQ:HASH, for shipping off the server (nothing is "
            "printed to standard output if verification fails).",
        )

    def handle(self, *args, expect_head: chain.Head | None = None, print_head: bool = False, **options) -> None:
        problems = [f"Append-only protection: {problem}" for problem in append_only.problems()]
        result = chain.verify_database()
        if not result.intact:
            problems.append(str(result.broken))
            problems.append(
                f"{result.checked} event{'s' if result.checked != 1 else ''} before it "
                f"{'are' if result.checked != 1 else 'is'} intact."
            )
        if expect_head is not None:
            mismatch = chain.check_expected_head(expect_head, result)
            if mismatch:
                problems.append(mismatch)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            sys.exit(1)
        head = result.head
        if print_head:
            self.stdout.write(f"{head.sequence}:{head.entry_hash}")
            return
        self.stdout.write(f"Audit chain intact: {result.checked} events verified.")
        self.stdout.write("Append-only triggers installed and unaltered.")
        if expect_head is not None:
            self.stdout.write(f"The chain still holds event #{expect_head.sequence} with the hash recorded for it.")
        # Keep this line somewhere off this server: it lets a later check prove the log was not
        # rolled back to an earlier state (verify_audit --expect-head SEQ:HASH).
        self.stdout.write(f"Chain head: #{head.sequence} {head.entry_hash}")
