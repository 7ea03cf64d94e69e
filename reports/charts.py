"""Bar charts as SVG, drawn on the server: no JavaScript, no image file, the
same markup in the PDF (WeasyPrint draws inline SVG) and in the web preview.

Horizontal bars, because the categories are long names (activity types,
metrology areas) that read badly under vertical bars. Every text is escaped;
the chart carries a <title> and a <desc> for screen readers, and the numbers
are written next to the bars, so nothing depends on colour alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe pair (Okabe-Ito): blue for needs, orange for offers.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")

WIDTH = 640
LABEL_WIDTH = 230
ROW_GAP = 8
BAR_HEIGHT = 11
FONT = "DejaVu Sans, Droid Sans Fallback, sans-serif"


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[int, ...]


def _clip(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(*, title: str, rows: list[Row], series: list[str], chart_id: str) -> SafeString:
    """A horizontal bar chart: one group of bars per row, one bar per series
    (len(series) values in every row), with a legend on top."""
    series_count = max(1, len(series))
    group = series_count * BAR_HEIGHT + ROW_GAP
    legend = 22 if len(series) > 1 else 0
    height = legend + max(1, len(rows)) * group + 24
    peak = max([v for row in rows for v in row.values] + [1])
    plot = WIDTH - LABEL_WIDTH - 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT}" font-size="10">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">'
        + escape("; ".join(f"{row.label}: " + ", ".join(f"{s} {v}" for s, v in zip(series, row.values)) for row in rows))
        + "</desc>",
    ]
    if len(series) > 1:
        x = LABEL_WIDTH
        for index, name in enumerate(series):
            parts.append(f'<rect x="{x}" y="4" width="12" height="10" fill="{COLOURS[index % len(COLOURS)]}"/>')
            parts.append(f'<text x="{x + 16}" y="13">{escape(name)}</text>')
            x += 24 + 7 * len(name)
    y = legend + 4
    for row in rows:
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + series_count * BAR_HEIGHT / 2 + 3:.1f}" text-anchor="end">'
            f"{escape(_clip(row.label))}</text>"
        )
        for index, value in enumerate(row.values):
            width = round(plot * value / peak, 1)
            top = y + index * BAR_HEIGHT
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{top}" width="{max(width, 0.5)}" height="{BAR_HEIGHT - 2}" '
                f'fill="{COLOURS[index % len(COLOURS)]}"/>'
            )
            parts.append(f'<text x="{LABEL_WIDTH + width + 4}" y="{top + BAR_HEIGHT - 3}">{value}</text>')
        y += group
    axis_bottom = y - ROW_GAP + 2
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{legend}" x2="{LABEL_WIDTH}" y2="{axis_bottom}" stroke="#333" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))
