"""Tasks for the Redis queue's tests: one that succeeds, one that always fails with a message that
must never reach a log or a page."""

from __future__ import annotations

from django_tasks import task

RAN: list[int] = []


@task()
def note_number(number: int) -> int:
    RAN.append(number)
    return number * 2


@task()
def always_fails(number: int) -> None:
    RAN.append(number)
    raise ValueError("Refused for Vera Victimson at 1 Secret Lane")
