"""Report rendering benchmark: how long a long clinic report takes to make as a PDF, as a Word file and
to sign, against WeasyPrint on the same body with nothing of ours around it.

    .venv/bin/python benchmarks/reports/run.py                   # about 30 pages, 3 timed runs each
    .venv/bin/python benchmarks/reports/run.py --pages 10 --runs 5

It builds one ``ReportDocument`` of synthetic text (Faker en_GB, seeded; no real person): the usual
sections of a report for sentencing, each a few paragraphs with now and then a heading, a bulleted
and a numbered list and a small table, in Markdown, grown until the PDF is about ``--pages`` long.
Then every step runs once untimed (fonts loaded, caches warm) and then ``--runs`` timed rounds of
every step one after the other (so that load from elsewhere on a shared machine falls on all of them
alike); printed are the median, fastest and slowest wall-clock seconds of:

- ``render_html``: the template alone;
- ``render_pdf``: what an issue makes (the template, our stylesheet with the marking, page numbers and
  string-set margin boxes, tagged PDF/UA-1);
- ``render_docx``: the Word copy (docxtpl, bodies built through python-docx);
- ``sign_pdf`` and ``verify_pdf`` on that PDF (PAdES with the configured, here the demonstration,
  certificate; RSA 2048);
- the floor: WeasyPrint's ``write_pdf`` on the same section bodies (the same sanitised HTML, an ``h2``
  a section) with no template and no stylesheet of ours, untagged; and the same with
  ``pdf_variant="pdf/ua-1"``, to tell what tagging costs from what our layout costs.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

SECTION_TITLES = [
    "Summary of opinion",
    "Instructions and questions asked",
    "Sources of information",
    "Personal history",
    "Psychiatric history",
    "Forensic history",
    "The index offence and the pattern of stalking",
    "Mental state examination",
    "Assessment of risk (Stalking Risk Profile)",
    "Opinion",
    "Recommendations for sentencing and management",
    "Statement of truth",
]


def section_body(rng: random.Random, faker, paragraphs: int) -> str:
    parts = []
    for n in range(paragraphs):
        if n and rng.random() < 0.15:
            parts.append(f"### {faker.sentence(nb_words=4).rstrip('.')}")
        parts.append(faker.paragraph(nb_sentences=rng.randint(5, 9)))
        if rng.random() < 0.12:
            parts.append(
                "\n".join(f"- {faker.sentence(nb_words=rng.randint(6, 14))}" for _ in range(rng.randint(3, 5)))
            )
        if rng.random() < 0.08:
            parts.append("\n".join(f"{i}. {faker.sentence(nb_words=10)}" for i in range(1, rng.randint(3, 6))))
        if rng.random() < 0.05:
            rows = [f"| {faker.date(pattern='%d/%m/%Y')} | {faker.sentence(nb_words=8)} |" for _ in range(4)]
            parts.append("| Date | Event |\n|---|---|\n" + "\n".join(rows))
    # A little emphasis here and there, as clinicians write it.
    text = "\n\n".join(parts)
    return text.replace(" was ", " **was** ", 3).replace(" not ", " *not* ", 3)


def build_document(seed: int, paragraphs_a_section: int):
    import datetime as dt

    from faker import Faker

    from casework.reports.rendering import DocumentSection, ReportDocument

    faker = Faker("en_GB")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    sections = tuple(
        DocumentSection(
            key=f"s{i}",
            title=title,
            body_markdown=section_body(rng, faker, paragraphs_a_section),
        )
        for i, title in enumerate(SECTION_TITLES, start=1)
    )
    return ReportDocument(
        title="Psychiatric or psychological report for sentencing",
        case_reference="CAS-2026-00042",
        subject_name=faker.name(),
        subject_date_of_birth=dt.date(1981, 4, 12),
        recipient=f"Crown Prosecution Service, {faker.name()}",
        author_name=f"Dr {faker.name()}",
        author_role="Consultant forensic psychiatrist",
        approved_by=f"Dr {faker.name()}",
        dated=dt.date(2026, 12, 6),
        version_label="Issue 1",
        correction_note="",
        sections=sections,
        draft=False,
    )


def page_count(pdf: bytes) -> int:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30, help="About how many pages the report should run to")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ.setdefault("CASEWORK_ENV", "test")
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    django.setup()
    from weasyprint import HTML

    from casework.reports import rendering

    # Grow the report until it is about the length asked for (each try is one untimed PDF).
    paragraphs = 6
    while True:
        document = build_document(args.seed, paragraphs)
        pages = page_count(rendering.render_pdf(document))
        if pages >= args.pages or paragraphs > 200:
            break
        paragraphs = max(paragraphs + 1, round(paragraphs * args.pages / max(pages, 1)))

    body_html = "".join(
        f"<h2>{section.title}</h2>{rendering.markdown_to_html(section.body_markdown)}" for section in document.sections
    )
    floor_html = f'<!DOCTYPE html><html lang="en-GB"><head><title>Floor</title></head><body>{body_html}</body></html>'
    words = sum(len(section.body_markdown.split()) for section in document.sections)

    # Every step once untimed (fonts loaded, caches warm), then the timed runs in rounds, each round
    # every step once, so that load from elsewhere on a shared machine falls on all of them alike.
    pdf = rendering.render_pdf(document)
    signed, _ = rendering.sign_pdf(pdf)
    steps = [
        ("render_html (template only)", lambda: rendering.render_html(document)),
        ("render_pdf (ours: template, CSS, PDF/UA-1)", lambda: rendering.render_pdf(document)),
        ("render_docx (docxtpl)", lambda: rendering.render_docx(document)),
        ("sign_pdf (PAdES, RSA 2048)", lambda: rendering.sign_pdf(pdf)[0]),
        ("verify_pdf", lambda: rendering.verify_pdf(signed)),
        ("floor: WeasyPrint, same body, untagged", lambda: HTML(string=floor_html).write_pdf()),
        (
            "floor: WeasyPrint, same body, PDF/UA-1",
            lambda: HTML(string=floor_html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True),
        ),
    ]
    results = {name: function() for name, function in steps}
    times: dict[str, list[float]] = {name: [] for name, _ in steps}
    for _ in range(args.runs):
        for name, function in steps:
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)

    import weasyprint

    print(
        f"Report rendering benchmark: {len(document.sections)} sections, {words:,} words of Markdown, "
        f"{page_count(pdf)} pages as issued; each step once untimed, then {args.runs} timed rounds of every step"
    )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; WeasyPrint {weasyprint.__version__}"
    )
    print()
    print("| step | median s | fastest s | slowest s | output | pages |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in steps:
        result = results[name]
        out_size = f"{len(result) / 1024:,.0f} KiB" if isinstance(result, (bytes, str)) else ""
        pages_text = str(page_count(result)) if isinstance(result, bytes) and result.startswith(b"%PDF") else ""
        median, fastest, slowest = statistics.median(times[name]), min(times[name]), max(times[name])
        print(f"| {name} | {median:.2f} | {fastest:.2f} | {slowest:.2f} | {out_size} | {pages_text} |")


if __name__ == "__main__":
    main()
