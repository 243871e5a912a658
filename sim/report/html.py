"""HTML pieces of the report: escaped text, tables with headers, figures as inline PNG, the page.

Every piece is a string of HTML; every text that comes from a file goes through
``html.escape``. Figures are embedded as base64 PNG (``data:`` URIs), so the page needs
no other file and no network.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence

from matplotlib.figure import Figure

__all__ = ["FIGURE_DPI", "esc", "figure_html", "interval", "page", "paragraph", "section", "table"]

FIGURE_DPI = 80
"""Dots per inch of the embedded PNGs: a 10 x 6.25 in figure becomes 800 x 500 px (small file, sharp on a laptop)."""

STYLE = """
:root { --ink: #1d232a; --muted: #5a6570; --rule: #d6dbe0; --band: #f3f5f7; --accent: #1f5f99; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.25rem 3rem; color: var(--ink);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; padding-top: 0.5rem; border-top: 2px solid var(--rule); }
h3 { font-size: 1.05rem; margin: 1.25rem 0 0.4rem; }
p.lead { font-size: 1.1rem; background: var(--band); border-left: 4px solid var(--accent); padding: 0.75rem 1rem; }
p.note, figcaption, caption { color: var(--muted); font-size: 0.9rem; }
nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; padding: 0; list-style: none; font-size: 0.95rem; }
a { color: var(--accent); }
.scroll { overflow-x: auto; margin: 0.5rem 0 1rem; }
table { min-width: min(100%, 36rem); border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; caption-side: top; padding: 0.25rem 0; max-width: calc(100vw - 2.5rem); }
th, td { padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { white-space: normal; min-width: 5.5rem; background: var(--band); border-bottom: 2px solid var(--rule); vertical-align: bottom; }
tbody th { font-weight: 600; }
figure { margin: 1rem 0 1.75rem; }
figure img { display: block; width: 100%; height: auto; max-width: 60rem; border: 1px solid var(--rule); }
pre { background: var(--band); padding: 0.75rem; overflow-x: auto; font-size: 0.8rem; line-height: 1.35; }
details summary { cursor: pointer; color: var(--accent); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; font-size: 0.9rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  body { padding: 0.75rem; font-size: 15px; }
  h1 { font-size: 1.3rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 0.4rem; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav, details summary { display: none; }
  details > * { display: block; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  figure, table { break-inside: avoid; }
  .scroll { overflow: visible; }
  pre { white-space: pre-wrap; font-size: 7.5pt; }
}
"""


def esc(text: object) -> str:
    """``text`` as HTML text, with ``&``, ``<``, ``>`` and quotes escaped."""
    return html.escape(str(text), quote=True)


def interval(mean: float, low: float, high: float, digits: int = 2) -> str:
    """``"1.23 [0.98, 1.48]"``; just the mean when the interval is unknown, ``"-"`` for no mean."""
    if math.isnan(mean):
        return "-"
    if math.isnan(low) or math.isnan(high):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


def paragraph(text: str, css: str = "") -> str:
    """A paragraph of plain ``text`` (escaped), with an optional CSS class."""
    attribute = f' class="{esc(css)}"' if css else ""
    return f"<p{attribute}>{esc(text)}</p>"


def table(caption: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A table with a caption, a header row and, in each body row, the first cell as the row's header."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(f'<th scope="row">{esc(c)}</th>' if i == 0 else f"<td>{esc(c)}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def figure_html(fig: Figure, alt: str, caption: str) -> str:
    """``fig`` as an inline PNG (``FIGURE_DPI``) with its alt text and a caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    width, height = (round(v * FIGURE_DPI) for v in fig.get_size_inches())
    return (
        f'<figure><img src="data:image/png;base64,{data}" width="{width}" height="{height}" '
        f'alt="{esc(alt)}"><figcaption>{esc(caption)}</figcaption></figure>'
    )


def section(anchor: str, title: str, body: str) -> str:
    """A titled section the table of contents links to (``#anchor``)."""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def page(title: str, subtitle: str, sections: Sequence[tuple[str, str, str]]) -> str:
    """The whole document: ``sections`` are ``(anchor, title, body HTML)``, listed in a table of contents."""
    toc = "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t, _ in sections)
    body = "".join(section(a, t, b) for a, t, b in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head>"
        f'<body><header><h1>{esc(title)}</h1><p class="note">{esc(subtitle)}</p>'
        f'<nav aria-label="Contents"><ul>{toc}</ul></nav></header><main>{body}</main></body></html>\n'
    )
