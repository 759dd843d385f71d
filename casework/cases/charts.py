"""The escalation chart, drawn on the server as inline SVG.

No JavaScript (the Content Security Policy allows no inline script, and none is needed) and no
``style`` attributes (the policy allows no inline styles): only SVG presentation attributes. The
chart is an image with a title and a description (``role="img"``); the page puts the same figures
beside it as a table, for screen readers and for anyone who wants the numbers.

Top: incidents in each 4-week window (bars), a triangle over a window where a behaviour appeared
for the first time, a diamond where contact looked like a breach of an order. Bottom: the highest
severity in each window (1 to 5), joined across windows that had incidents.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from casework.cases.choices import Behaviour
from casework.cases.escalation import Escalation, Window
from casework.core.formatting import date_gb

WIDTH = 720
HEIGHT = 330
LEFT = 44
RIGHT = 12
COUNT_TOP = 52
COUNT_BOTTOM = 178
SEVERITY_TOP = 212
SEVERITY_BOTTOM = 288
AXIS_Y = 308

BLUE = "#005eb8"
DARK = "#212b32"
GREY = "#4c6272"
PALE = "#d8dde0"
RED = "#d5281b"
AQUA = "#00a499"


def _label(value: str) -> str:
    return Behaviour(value).label if value in Behaviour.values else value


def describe(escalation: Escalation) -> str:
    """The chart in words (its ``desc``), so that the image says what it shows."""
    windows = escalation.windows
    if not windows:
        return "No incidents have been recorded."
    busiest = max(windows, key=lambda w: (w.count, w.ends_on))
    highest = max((w.max_severity or 0) for w in windows)
    parts = [
        f"{escalation.incident_count} incident{'s' if escalation.incident_count != 1 else ''} between "
        f"{date_gb(windows[0].starts_on)} and {date_gb(windows[-1].ends_on)}, in {len(windows)} "
        f"4-week period{'s' if len(windows) != 1 else ''}.",
        f"The most in one period was {busiest.count}, from {date_gb(busiest.starts_on)} to {date_gb(busiest.ends_on)}.",
        f"The latest period had {windows[-1].count}.",
        f"The highest severity was {highest} of 5.",
    ]
    if escalation.undrawn:
        parts.append(
            f"{escalation.undrawn} older incident{'s' if escalation.undrawn != 1 else ''} "
            "before the first period are not drawn."
        )
    if escalation.breaches:
        parts.append(
            f"{len(escalation.breaches)} incident{'s' if len(escalation.breaches) != 1 else ''} "
            "looked like contact an order forbade."
        )
    parts.append(
        "Escalating: " + "; ".join(escalation.reasons) + "."
        if escalation.escalating
        else "The escalation rule does not flag this case."
    )
    return " ".join(parts)


def escalation_svg(escalation: Escalation, *, id_prefix: str = "escalation") -> Markup:
    windows = escalation.windows
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false" font-family="Frutiger W01, Arial, sans-serif" '
        f'data-testid="escalation-chart">',
        f'<title id="{title_id}">Incidents in each 4-week period, and their severity</title>',
        f'<desc id="{desc_id}">{escape(describe(escalation))}</desc>',
    ]
    if not windows:
        out.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="{GREY}" font-size="16">'
            "No incidents recorded yet</text></svg>"
        )
        return Markup("".join(out))  # noqa: S704 (built from numbers and escaped text)
    scale = _Scale(windows)
    out += _axes(scale)
    out += _bars_and_markers(scale)
    out += _severity_line(scale)
    out += _dates(scale)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 (built from numbers and escaped text)


class _Scale:
    """Where a window, a count and a severity fall on the chart."""

    def __init__(self, windows: list[Window]):
        self.windows = windows
        self.slot = (WIDTH - LEFT - RIGHT) / len(windows)
        self.bar = max(1.0, self.slot * 0.75)
        self.top_count = max(max(w.count for w in windows), 1)

    def x_of(self, index: int) -> float:
        return LEFT + self.slot * index + self.slot / 2

    def y_count(self, count: int) -> float:
        return COUNT_BOTTOM - (COUNT_BOTTOM - COUNT_TOP) * count / self.top_count

    @staticmethod
    def y_severity(level: float) -> float:
        return SEVERITY_BOTTOM - (SEVERITY_BOTTOM - SEVERITY_TOP) * (level - 1) / 4


def _axes(scale: _Scale) -> list[str]:
    """Axes and guides: the count axis (0, half and the top) and the severity axis (1 to 5)."""
    out = [
        f'<text x="{LEFT}" y="16" font-size="13" fill="{DARK}">Incidents in each 4-week period</text>',
        f'<line x1="{LEFT}" y1="{COUNT_BOTTOM}" x2="{WIDTH - RIGHT}" y2="{COUNT_BOTTOM}" stroke="{GREY}"/>',
    ]
    for value in sorted({0, scale.top_count // 2, scale.top_count}):
        y = scale.y_count(value)
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{GREY}">{value}</text>'
        )
        if value:
            out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{PALE}"/>')
    out.append(
        f'<text x="{LEFT}" y="{SEVERITY_TOP - 14}" font-size="13" fill="{DARK}">Highest severity (1 to 5)</text>'
    )
    for level in range(1, 6):
        y = scale.y_severity(level)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{PALE}"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{GREY}">{level}</text>'
        )
    return out


def _bars_and_markers(scale: _Scale) -> list[str]:
    """A bar per window with incidents, a triangle over it for a first appearance and a diamond for
    a likely breach."""
    out = []
    bar = scale.bar
    for index, window in enumerate(scale.windows):
        if not window.count:
            continue
        x, y = scale.x_of(index), scale.y_count(window.count)
        out.append(
            f'<rect x="{x - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{COUNT_BOTTOM - y:.1f}" fill="{BLUE}">'
            f"<title>{escape(_window_title(window))}</title></rect>"
        )
        marker_y = y - 6
        if window.new_behaviours:
            out.append(
                f'<path d="M{x:.1f} {marker_y - 7:.1f} L{x + 5:.1f} {marker_y:.1f} L{x - 5:.1f} {marker_y:.1f} Z" '
                f'fill="{AQUA}"><title>First time: {escape(", ".join(_label(b) for b in window.new_behaviours))}'
                "</title></path>"
            )
            marker_y -= 10
        if window.breaches:
            out.append(
                f'<path d="M{x:.1f} {marker_y - 10:.1f} L{x + 5:.1f} {marker_y - 5:.1f} L{x:.1f} {marker_y:.1f} '
                f'L{x - 5:.1f} {marker_y - 5:.1f} Z" fill="{RED}"><title>Likely breach of an order: '
                f"{window.breaches}</title></path>"
            )
    return out


def _severity_line(scale: _Scale) -> list[str]:
    """The highest severity in each window (a dot), joined where consecutive windows had incidents."""
    out = []
    run: list[str] = []
    runs: list[list[str]] = []
    radius = 3 if len(scale.windows) < 60 else 2
    for index, window in enumerate(scale.windows):
        if window.max_severity is None:
            if run:
                runs.append(run)
            run = []
            continue
        x, y = scale.x_of(index), scale.y_severity(window.max_severity)
        run.append(f"{x:.1f},{y:.1f}")
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{RED}"/>')
    if run:
        runs.append(run)
    for points in runs:
        if len(points) > 1:
            out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{RED}" stroke-width="1.5"/>')
    return out


def _dates(scale: _Scale) -> list[str]:
    """Dates along the bottom: the first, the middle and the last window."""
    out = []
    windows = scale.windows
    picks = sorted({0, len(windows) // 2, len(windows) - 1})
    for index in picks:
        day = windows[index].starts_on if index == 0 else windows[index].ends_on
        anchor = "start" if index == 0 and len(picks) > 1 else ("end" if index == len(windows) - 1 else "middle")
        x = LEFT if anchor == "start" else (WIDTH - RIGHT if anchor == "end" else scale.x_of(index))
        out.append(
            f'<text x="{x:.1f}" y="{AXIS_Y + 8}" font-size="11" text-anchor="{anchor}" fill="{GREY}">'
            f"{escape(date_gb(day))}</text>"
        )
    return out


def _window_title(window: Window) -> str:
    return (
        f"{date_gb(window.starts_on)} to {date_gb(window.ends_on)}: {window.count} incident"
        f"{'s' if window.count != 1 else ''}, highest severity {window.max_severity}"
    )
