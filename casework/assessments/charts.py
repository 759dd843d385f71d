"""Judgements over time, drawn on the server as inline SVG: one small chart per outcome (violence,
persistence, recurrence, psychosocial damage), low / moderate / high on the vertical axis and the
signed assessments along the bottom. Like the escalation chart (``casework.cases.charts``): no
script, no inline styles, a title and a description, and the page puts the same figures in a
table beside it."""

from __future__ import annotations

from markupsafe import Markup, escape

from casework.assessments.choices import LEVEL_RANK, Level
from casework.assessments.queries import Trend
from casework.core.formatting import date_gb

WIDTH = 720
ROW = 96
LEFT = 200
RIGHT = 24
TOP = 20
BLUE = "#005eb8"
DARK = "#212b32"
GREY = "#4c6272"
PALE = "#d8dde0"


def describe(trends: list[Trend]) -> str:
    if not trends:
        return "No assessment has been signed off yet."
    parts = []
    for trend in trends:
        levels = [Level(level).label.lower() for _, level in trend.points]
        first, last = trend.points[0], trend.points[-1]
        if len(levels) == 1:
            parts.append(f"{trend.label}: {levels[0]} on {date_gb(first[0])}.")
        else:
            parts.append(
                f"{trend.label}: {levels[0]} on {date_gb(first[0])}, {levels[-1]} on {date_gb(last[0])} "
                f"({len(levels)} assessments: {', '.join(levels)})."
            )
    return " ".join(parts)


def judgement_chart(trends: list[Trend]) -> Markup:
    height = TOP + ROW * max(len(trends), 1) + 24
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        'aria-labelledby="judgements-title judgements-desc" focusable="false" '
        'font-family="Frutiger W01, Arial, sans-serif" data-testid="judgement-chart">',
        '<title id="judgements-title">Risk judgements at each signed assessment</title>',
        f'<desc id="judgements-desc">{escape(describe(trends))}</desc>',
    ]
    if not trends:
        out.append(
            f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" fill="{GREY}" font-size="16">'
            "No assessment signed off yet</text></svg>"
        )
        return Markup("".join(out))  # noqa: S704 (built from numbers and escaped text)
    dates = sorted({day for trend in trends for day, _ in trend.points})
    slot = (WIDTH - LEFT - RIGHT) / max(len(dates), 1)

    def x_of(day) -> float:
        return LEFT + slot * dates.index(day) + slot / 2

    for row, trend in enumerate(trends):
        top = TOP + row * ROW

        def y_of(level: str, top: float = top) -> float:
            return top + 60 - 25 * (LEVEL_RANK[Level(level)] - 1)

        out.append(
            f'<text x="0" y="{top + 36}" fill="{DARK}" font-size="14" font-weight="bold">{escape(trend.label[:30])}</text>'
        )
        for step in Level:
            y = y_of(step)
            out.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{PALE}" stroke-width="1"/>')
            out.append(
                f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end" fill="{GREY}" font-size="12">{step.label}</text>'
            )
        points = [(x_of(day), y_of(level), day, level) for day, level in trend.points]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="3"/>')
        for x, y, day, level in points:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{BLUE}"><title>{escape(trend.label)}: '
                f"{Level(level).label.lower()}, {date_gb(day)}</title></circle>"
            )
    axis_y = TOP + ROW * len(trends) + 12
    for day in dates:
        out.append(
            f'<text x="{x_of(day):.1f}" y="{axis_y}" text-anchor="middle" fill="{GREY}" font-size="12">{date_gb(day)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (built from numbers and escaped text)
