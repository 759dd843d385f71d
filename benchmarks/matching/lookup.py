"""Candidate look-up time for one new person against an index of many synthetic persons on SQLite.

The population is drawn quickly from pools that Faker en_GB fills once (names with Faker's own
frequencies, streets, towns, postcodes), so a million persons take a minute or two rather than
an hour; about two persons share each address. Half the queries are faulty copies of indexed
persons (the faults of the UK set), half are new persons; each query is timed end to end:
prepare, read keys, fetch candidates, score, rank.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from pathlib import Path

from faker import Faker
from faker.providers.person.en_GB import Provider as PersonProvider
from sqlite_index import CandidateIndex
from uk_synthetic import FAULTS, _Generator

from casework.core.identifiers import nhs_number_check_digit, pnc_check_letter
from casework.people.matching.normalise import PersonRecord, prepare


def population(size: int, *, seed: int = 7) -> list[PersonRecord]:
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    male = list(PersonProvider.first_names_male)
    female = list(PersonProvider.first_names_female)
    surnames = list(PersonProvider.last_names)
    surname_weights = [float(PersonProvider.last_names[name]) for name in surnames]
    streets = [fake.street_name() for _ in range(20_000)]
    towns = [fake.city() for _ in range(3_000)]
    postcodes = [fake.postcode() for _ in range(min(300_000, max(size // 3, 1000)))]
    family_names = rng.choices(surnames, weights=surname_weights, k=size)
    used_nhs: set[str] = set()
    people = []
    household_address = None
    for index in range(size):
        if index % 2 == 0 or household_address is None:
            household_address = (
                f"{rng.randrange(1, 300)} {rng.choice(streets)}, {rng.choice(towns)}",
                rng.choice(postcodes),
            )
        sex = "M" if rng.random() < 0.5 else "F"
        year, month, day = rng.randrange(1930, 2008), rng.randrange(1, 13), rng.randrange(1, 29)
        nhs = ""
        if rng.random() < 0.85:
            while True:
                first_nine = f"{rng.randrange(400_000_000, 999_999_999):09d}"
                check = nhs_number_check_digit(first_nine)
                if check is not None and first_nine + str(check) not in used_nhs:
                    nhs = first_nine + str(check)
                    used_nhs.add(nhs)
                    break
        pnc = ""
        if rng.random() < 0.2:
            pnc_year, serial = f"{rng.randrange(90, 126) % 100:02d}", f"{rng.randrange(1, 9_999_999):07d}"
            pnc = f"{pnc_year}/{serial}{pnc_check_letter(pnc_year, serial)}"
        given = rng.choice(male if sex == "M" else female)
        people.append(
            PersonRecord(
                record_id=f"I{index:07d}",
                given_name=given,
                family_name=family_names[index],
                date_of_birth=f"{year:04d}-{month:02d}-{day:02d}",
                sex=sex,
                nhs_number=nhs,
                pnc_id=pnc,
                address=household_address[0],
                postcode=household_address[1],
                phone=f"07{rng.randrange(100_000_000, 999_999_999)}" if rng.random() < 0.5 else "",
                email=f"{given}.{family_names[index]}.{index}@example.com".lower() if rng.random() < 0.4 else "",
            )
        )
    return people


def build_index(path: Path, people: list[PersonRecord]) -> tuple[CandidateIndex, float]:
    if path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    index = CandidateIndex(connection)
    started = time.perf_counter()
    index.create_schema(with_key_index=False)
    index.add(people)
    index.create_key_index()
    seconds = time.perf_counter() - started
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    # Reopen as the service would: a normal connection to a file on disk.
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA cache_size = -200000")
    return CandidateIndex(connection), seconds


def time_lookups(index: CandidateIndex, people: list[PersonRecord], *, lookups: int = 1000, seed: int = 11) -> dict:
    generator = _Generator(seed)
    rng = generator.rng
    queries: list[tuple[PersonRecord, str | None]] = []
    for number in range(lookups):
        if number % 2 == 0:
            original = rng.choice(people)
            fault = FAULTS[(number // 2) % len(FAULTS)]
            queries.append((generator.apply(original, fault), original.record_id))
        else:
            queries.append((generator.person(), None))
    for record, _ in queries[:20]:  # warm the page cache a little, as a running service would be
        index.lookup(record)
    timings = []
    found_first = found_any = known = 0
    candidates_scored = []
    for record, expected in queries:
        started = time.perf_counter()
        results = index.lookup(record)
        timings.append((time.perf_counter() - started) * 1000)
        if expected is not None:
            known += 1
            ids = [result.b.record.record_id for result in results if result.is_match]
            found_first += bool(ids) and ids[0] == expected
            found_any += expected in ids
        candidates_scored.append(len(index.candidate_ids(prepare(record))))
    timings.sort()
    return {
        "lookups": len(timings),
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(0.95 * len(timings)) - 1],
        "max_ms": timings[-1],
        "mean_candidates": statistics.mean(candidates_scored),
        "known_found_first": found_first / known if known else 0.0,
        "known_found": found_any / known if known else 0.0,
    }
