"""Verify the audit trail: the append-only triggers, the hash chain and, given a head recorded off
the server, that the chain has not been rolled back. Exit 0 if all is well; exit 1 naming each
problem (for the chain, the first broken event)."""

from __future__ import annotations

import os
import re
import sys

from django.core.management.base import BaseCommand, CommandError

from casework.audit import append_only, chain

HEAD_FORMAT = re.compile(r"^(?:(\d+)/)?#?(\d+):([0-9a-fA-F]{64})$")


def parse_head(value: str) -> list[chain.Head]:
    """``SEQ:HASH`` (partition 1) or ``PARTITION/SEQ:HASH``, several separated by spaces, as
    printed by ``--print-head``."""
    heads: list[chain.Head] = []
    for token in (value or "").split():
        match = HEAD_FORMAT.match(token)
        if not match:
            heads = []
            break
        heads.append(chain.Head(int(match.group(2)), match.group(3).lower(), None, int(match.group(1) or 1)))
    if not heads:
        raise CommandError(
            "--expect-head must be SEQ:HASH as printed by verify_audit --print-head, for example 1234:"
            + "0" * 64
            + " (or several PARTITION/SEQ:HASH separated by spaces)"
        )
    return heads


def head_tokens(result: chain.Result) -> str:
    """Every partition's head that holds events (and partition 1's always), for --expect-head."""
    tokens = []
    for head in result.heads:
        if head.partition == 1:
            tokens.append(f"{head.sequence}:{head.entry_hash}")
        elif head.sequence:
            tokens.append(f"{head.partition}/{head.sequence}:{head.entry_hash}")
    return " ".join(tokens)


class Command(BaseCommand):
    help = (
        "Check the audit trail: that the append-only triggers are installed unaltered, that the "
        "hash chain is intact and, with --expect-head, that it still holds a head recorded off the "
        "server. Exit 0 if so; 1 naming what is wrong. With sealed checkpoints (--checkpoint) a run "
        "checks what was written since the last one and a random sample of the rest; --full checks "
        "everything (ADR 0024)."
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
            help="Print only the verified heads, SEQ:HASH (and PARTITION/SEQ:HASH for the other "
            "partitions that hold events), for shipping off the server (nothing is printed to standard "
            "output if verification fails).",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Check every event from the start of each partition, ignoring checkpoints.",
        )
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="After a run that finds everything intact, seal each partition's head as a checkpoint: "
            "later runs check from there (and a sample of what is before).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="Processes checking segments in parallel (PostgreSQL; default: one per CPU).",
        )
        parser.add_argument(
            "--sample",
            type=int,
            default=2000,
            help="How many events before the checkpoints to check at random (default 2000).",
        )

    def handle(
        self,
        *args,
        expect_head: list[chain.Head] | None = None,
        print_head: bool = False,
        full: bool = False,
        checkpoint: bool = False,
        workers: int = 0,
        sample: int = 2000,
        **options,
    ) -> None:
        problems = [f"Append-only protection: {problem}" for problem in append_only.problems()]
        result = chain.verify_database(workers=workers or os.cpu_count() or 1, full=full, sample=sample)
        for broken in result.problems:
            problems.append(str(broken))
            part = next((p for p in result.partitions if p.partition == broken.partition), None)
            if part is not None:
                problems.append(
                    f"{part.checked} event{'s' if part.checked != 1 else ''} before it "
                    f"{'are' if part.checked != 1 else 'is'} intact."
                )
        for expected in expect_head or []:
            mismatch = chain.check_expected_head(expected, result)
            if mismatch:
                problems.append(mismatch)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            sys.exit(1)
        written = chain.write_checkpoints(result) if checkpoint else 0
        if print_head:
            self.stdout.write(head_tokens(result))
            return
        resumed = [p for p in result.partitions if p.from_checkpoint]
        self.stdout.write(f"Audit chain intact: {result.checked} events verified.")
        if resumed:
            old = sum(p.from_checkpoint for p in resumed)
            self.stdout.write(
                f"{old} of them are vouched for by sealed checkpoints: their count and range were "
                f"checked and {result.sampled} chosen at random were verified (verify_audit --full "
                "checks every one)."
            )
        if written:
            self.stdout.write(f"Sealed {written} new checkpoint{'s' if written != 1 else ''}.")
        self.stdout.write("Append-only triggers installed and unaltered.")
        for expected in expect_head or []:
            self.stdout.write(f"The chain still holds event #{expected.sequence} with the hash recorded for it.")
        # Keep these lines somewhere off this server: they let a later check prove the log was not
        # rolled back to an earlier state (verify_audit --expect-head "…").
        self.stdout.write(f"Chain head: #{result.head.sequence} {result.head.entry_hash}")
        for head in result.heads:
            if head.partition != 1 and head.sequence:
                self.stdout.write(f"Chain head of partition {head.partition}: #{head.sequence} {head.entry_hash}")
        self.stdout.write(f"For --expect-head: {head_tokens(result)}")
