"""The learner's multi-year timeline as a server-rendered SVG chart. Pure: no Flask, no database.

One row per academic year, oldest first; in each row three lanes, semester 1, semester 2 and
whole-year units; one mark per unit registration, credit or activity decision, showing its code and
its status with a symbol, a fill pattern and a border style (never colour alone); on the right, the
ECTS validated that year and the running total, as numbers and as a bar.

The chart is an image (``role="img"``) named by its ``<title>`` and described by its ``<desc>``;
the page that shows it gives the same figures in a table. The SVG carries no ``style`` attribute
nor ``<style>`` element (the content security policy forbids inline styles): presentation
attributes only. People-facing words come in through :class:`ChartLabels`, already translated.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

SVG_NS = "http://www.w3.org/2000/svg"
SEMESTERS = ("S1", "S2", "A")
STATUSES = ("validated", "failed", "in_progress", "credit")

# Light fills with dark ink: every text/background pair is above 7:1, and every border above 3:1
# against white. Each status also has its own symbol, border dash and fill pattern.
STYLE = {
    "validated": {"fill": "#d1e7dd", "ink": "#0a3622", "dash": None, "symbol": "✓", "pattern": None},
    "failed": {"fill": "#f8d7da", "ink": "#58151c", "dash": "6 3", "symbol": "✗", "pattern": "hatch"},
    "in_progress": {"fill": "#cfe2ff", "ink": "#052c65", "dash": "2 2", "symbol": "…", "pattern": "dots"},
    "credit": {"fill": "#fff3cd", "ink": "#4d3a02", "dash": None, "symbol": "★", "pattern": "cross"},
}
BAR_YEAR = "#146c43"
BAR_BEFORE = "#6c757d"

# Geometry (user units; the SVG scales to its container through its viewBox).
MARGIN = 12
YEAR_WIDTH = 110
CHIP_WIDTH, CHIP_HEIGHT, CHIP_GAP = 104, 26, 6
CHIPS_PER_LANE_ROW = 2
LANE_WIDTH = CHIPS_PER_LANE_ROW * (CHIP_WIDTH + CHIP_GAP) + CHIP_GAP
ECTS_WIDTH = 250
HEADER_HEIGHT = 30
ROW_PADDING = 8
LEGEND_HEIGHT = 44
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


@dataclass(frozen=True)
class Mark:
    """One unit registration, credit or activity decision placed on the timeline."""

    code: str
    academic_year: int
    semester: str  # S1 | S2 | A
    status: str  # validated | failed | in_progress | credit
    ects: Decimal = Decimal(0)
    detail: str = ""  # the mark's tooltip (title, grade...), already in the reader's words


@dataclass(frozen=True)
class YearTotal:
    academic_year: int
    ects: Decimal  # validated (results, decisions, credits) during the year, each unit once
    cumulative: Decimal
    in_progress: Decimal


@dataclass(frozen=True)
class ChartLabels:
    """The chart's words, translated by the caller."""

    title: str = "My units year by year"
    description: str = (
        "Each academic year with the units taken in semester 1, semester 2 or over the whole year, "
        "their status, and the ECTS validated that year and in total. The table below gives the same "
        "information."
    )
    year: str = "Year"
    semesters: dict[str, str] = field(
        default_factory=lambda: {"S1": "Semester 1", "S2": "Semester 2", "A": "Whole year"}
    )
    statuses: dict[str, str] = field(
        default_factory=lambda: {
            "validated": "validated",
            "failed": "not validated",
            "in_progress": "in progress",
            "credit": "credit (VES, VAE, exemption, transfer)",
        }
    )
    ects_heading: str = "ECTS: year / total"
    year_ects: str = "{year} ECTS this year, {total} in total"  # the bar's tooltip
    empty: str = "No unit yet."


def year_totals(marks: Iterable[Mark]) -> list[YearTotal]:
    """ECTS validated per academic year (a unit counts once, the first year it is validated or
    credited), the running total, and the ECTS under way, for every year from the first mark's."""
    marks = sorted(marks, key=lambda m: (m.academic_year, SEMESTERS.index(m.semester), m.code))
    if not marks:
        return []
    counted: set[str] = set()
    earned: dict[int, Decimal] = {}
    pending: dict[int, Decimal] = {}
    for mark in marks:
        if mark.status in ("validated", "credit") and mark.code not in counted:
            counted.add(mark.code)
            earned[mark.academic_year] = earned.get(mark.academic_year, Decimal(0)) + mark.ects
        elif mark.status == "in_progress":
            pending[mark.academic_year] = pending.get(mark.academic_year, Decimal(0)) + mark.ects
    totals, running = [], Decimal(0)
    for year in range(marks[0].academic_year, marks[-1].academic_year + 1):
        running += earned.get(year, Decimal(0))
        totals.append(YearTotal(year, earned.get(year, Decimal(0)), running, pending.get(year, Decimal(0))))
    return totals


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attributes.items() if v is not None}
    )
    if text is not None:
        element.text = text
    return element


def _patterns(defs: ET.Element, prefix: str) -> None:
    for status, style in STYLE.items():
        if style["pattern"] is None:
            continue
        pattern = _sub(defs, "pattern", id=f"{prefix}-{status}", width=6, height=6, patternUnits="userSpaceOnUse")
        _sub(pattern, "rect", width=6, height=6, fill=style["fill"])
        if style["pattern"] == "hatch":
            _sub(pattern, "path", d="M0,6 L6,0", stroke=style["ink"], stroke_width="0.6", stroke_opacity="0.45")
        elif style["pattern"] == "dots":
            _sub(pattern, "circle", cx=3, cy=3, r="0.8", fill=style["ink"], fill_opacity="0.35")
        else:
            _sub(
                pattern, "path", d="M3,1 L3,5 M1,3 L5,3", stroke=style["ink"], stroke_width="0.6", stroke_opacity="0.4"
            )


def _fill(status: str, prefix: str) -> str:
    return f"url(#{prefix}-{status})" if STYLE[status]["pattern"] else STYLE[status]["fill"]


def _chip(parent: ET.Element, mark: Mark, x: float, y: float, labels: ChartLabels, prefix: str) -> None:
    style = STYLE[mark.status]
    group = _sub(
        parent,
        "g",
        class_="unit",
        data_code=mark.code,
        data_status=mark.status,
        data_year=mark.academic_year,
        data_semester=mark.semester,
    )
    tooltip = f"{mark.code} — {labels.statuses[mark.status]}"
    _sub(group, "title", tooltip + (f" — {mark.detail}" if mark.detail else ""))
    _sub(
        group,
        "rect",
        x=x,
        y=y,
        width=CHIP_WIDTH,
        height=CHIP_HEIGHT,
        rx=4,
        fill=_fill(mark.status, prefix),
        stroke=style["ink"],
        stroke_width="1.2",
        stroke_dasharray=style["dash"],
    )
    long_code = len(mark.code) > 9  # squeezed into the chip rather than overflowing it
    _sub(
        group,
        "text",
        f"{style['symbol']} {mark.code}",
        x=x + 7,
        y=y + CHIP_HEIGHT / 2 + 4.5,
        fill=style["ink"],
        font_size=13,
        font_weight="bold" if mark.status != "in_progress" else None,
        textLength=CHIP_WIDTH - 12 if long_code else None,
        lengthAdjust="spacingAndGlyphs" if long_code else None,
    )


def timeline_svg(
    marks: Sequence[Mark],
    labels: ChartLabels | None = None,
    *,
    id_prefix: str = "timeline",
    number: Callable[[Decimal], str] = lambda value: f"{value.normalize():f}",
) -> str:
    """The SVG document (no XML declaration, ready to inline in HTML5) of the marks.

    ``number`` formats ECTS in the reader's locale (the caller's ``format_ects``).
    """
    labels = labels or ChartLabels()
    totals = year_totals(marks)
    by_cell: dict[tuple[int, str], list[Mark]] = {}
    for mark in sorted(marks, key=lambda m: (m.academic_year, SEMESTERS.index(m.semester), m.code, m.status)):
        by_cell.setdefault((mark.academic_year, mark.semester), []).append(mark)

    def lane_rows(year: int) -> int:
        counts = [len(by_cell.get((year, s), ())) for s in SEMESTERS]
        return max(1, *((n + CHIPS_PER_LANE_ROW - 1) // CHIPS_PER_LANE_ROW for n in counts))

    row_heights = [lane_rows(t.academic_year) * (CHIP_HEIGHT + CHIP_GAP) - CHIP_GAP + 2 * ROW_PADDING for t in totals]
    width = 2 * MARGIN + YEAR_WIDTH + len(SEMESTERS) * LANE_WIDTH + ECTS_WIDTH
    body_height = sum(row_heights) if totals else 40
    height = 2 * MARGIN + HEADER_HEIGHT + body_height + LEGEND_HEIGHT

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": "100%",
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "font-family": FONT,
            "class": "timeline-chart",
            "preserveAspectRatio": "xMinYMin meet",
        },
    )
    _sub(svg, "title", labels.title, id=title_id)
    _sub(svg, "desc", labels.description, id=desc_id)
    defs = _sub(svg, "defs")
    _patterns(defs, id_prefix)
    _sub(svg, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")

    # Column headings.
    top = MARGIN
    lane_x = [MARGIN + YEAR_WIDTH + i * LANE_WIDTH for i in range(len(SEMESTERS))]
    ects_x = MARGIN + YEAR_WIDTH + len(SEMESTERS) * LANE_WIDTH
    headings = _sub(svg, "g", class_="headings", fill="#212529", font_size=13, font_weight="bold")
    _sub(headings, "text", labels.year, x=MARGIN, y=top + 18)
    for semester, x in zip(SEMESTERS, lane_x, strict=True):
        _sub(headings, "text", labels.semesters[semester], x=x + CHIP_GAP, y=top + 18)
    _sub(headings, "text", labels.ects_heading, x=ects_x + CHIP_GAP, y=top + 18)
    _sub(
        svg,
        "line",
        x1=MARGIN,
        x2=width - MARGIN,
        y1=top + HEADER_HEIGHT - 4,
        y2=top + HEADER_HEIGHT - 4,
        stroke="#495057",
        stroke_width=1,
    )

    y = top + HEADER_HEIGHT
    if not totals:
        _sub(svg, "text", labels.empty, x=MARGIN, y=y + 24, fill="#212529", font_size=13)
    grand_total = max((t.cumulative for t in totals), default=Decimal(0))
    bar_width = ECTS_WIDTH - 2 * CHIP_GAP
    for index, (total, row_height) in enumerate(zip(totals, row_heights, strict=True)):
        row = _sub(svg, "g", class_="year", data_year=total.academic_year)
        if index % 2 == 0:
            _sub(row, "rect", x=MARGIN, y=y, width=width - 2 * MARGIN, height=row_height, fill="#f8f9fa")
        _sub(
            row,
            "text",
            f"{total.academic_year}-{total.academic_year + 1}",
            x=MARGIN + 4,
            y=y + ROW_PADDING + 17,
            fill="#212529",
            font_size=13,
            font_weight="bold",
        )
        for semester, x in zip(SEMESTERS, lane_x, strict=True):
            for position, mark in enumerate(by_cell.get((total.academic_year, semester), ())):
                line, column = divmod(position, CHIPS_PER_LANE_ROW)
                _chip(
                    row,
                    mark,
                    x + CHIP_GAP + column * (CHIP_WIDTH + CHIP_GAP),
                    y + ROW_PADDING + line * (CHIP_HEIGHT + CHIP_GAP),
                    labels,
                    id_prefix,
                )
        # ECTS: the year's figure, the running total, and a bar of the total (the year's part dark).
        figures = _sub(row, "g", class_="ects", data_year_ects=total.ects, data_cumulative=total.cumulative)
        _sub(figures, "title", labels.year_ects.format(year=number(total.ects), total=number(total.cumulative)))
        _sub(
            figures,
            "text",
            f"+{number(total.ects)} / {number(total.cumulative)}",
            x=ects_x + CHIP_GAP,
            y=y + ROW_PADDING + 13,
            fill="#212529",
            font_size=13,
            class_="year-ects",
        )
        if grand_total:
            before = bar_width * float((total.cumulative - total.ects) / grand_total)
            during = bar_width * float(total.ects / grand_total)
            bar_y = y + ROW_PADDING + 19
            _sub(figures, "rect", x=ects_x + CHIP_GAP, y=bar_y, width=f"{before:.1f}", height=7, fill=BAR_BEFORE)
            _sub(
                figures,
                "rect",
                x=f"{ects_x + CHIP_GAP + before:.1f}",
                y=bar_y,
                width=f"{during:.1f}",
                height=7,
                fill=BAR_YEAR,
            )
            _sub(
                figures,
                "rect",
                x=ects_x + CHIP_GAP,
                y=bar_y,
                width=bar_width,
                height=7,
                fill="none",
                stroke="#495057",
                stroke_width="0.8",
            )
        y += row_height

    # Legend: symbol, pattern and words for each status.
    legend = _sub(svg, "g", class_="legend", font_size=12, fill="#212529")
    x, legend_y = MARGIN, y + 16
    for status in STATUSES:
        style = STYLE[status]
        _sub(
            legend,
            "rect",
            x=x,
            y=legend_y,
            width=22,
            height=16,
            rx=3,
            fill=_fill(status, id_prefix),
            stroke=style["ink"],
            stroke_width="1.2",
            stroke_dasharray=style["dash"],
        )
        _sub(legend, "text", style["symbol"], x=x + 6, y=legend_y + 12.5, fill=style["ink"], font_weight="bold")
        text = labels.statuses[status]
        _sub(legend, "text", text, x=x + 28, y=legend_y + 12.5)
        x += 28 + 7 * len(text) + 24
    return ET.tostring(svg, encoding="unicode", short_empty_elements=True)


__all__ = ["SEMESTERS", "STATUSES", "ChartLabels", "Mark", "YearTotal", "timeline_svg", "year_totals"]
