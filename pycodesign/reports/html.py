"""A self-contained ``report.html`` next to every ``report.md``: opens in any browser, plots embedded.

The Markdown report is converted with Python-Markdown (tables, fenced code);
every PNG the run wrote is embedded as a base64 ``data:`` URI — next to the
paragraph that names it, or in a "Figures" section — so the file can be
mailed or archived alone.
"""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import markdown

__all__ = ["markdown_to_html", "write_html_report"]

_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #0072B2; padding-bottom: .2em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; }
th { background: #f3f6fa; }
tr:nth-child(even) td { background: #fafafa; }
code, pre { background: #f5f5f5; border-radius: 3px; }
pre { padding: .6em; overflow-x: auto; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: .85em; color: #555; }
.meta { color: #666; font-size: .85em; }
"""


def markdown_to_html(text: str, *, title: str = "report") -> str:
    """A complete HTML page from Markdown text (no images embedded)."""
    body = markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"])
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def _figure(png: Path, folder: Path) -> str:
    name = html.escape(str(png.relative_to(folder)))
    return f'<figure><img src="{_data_uri(png)}" alt="{name}"><figcaption>{name}</figcaption></figure>'


def write_html_report(folder: str | Path, *, markdown_name: str = "report.md",
                      html_name: str = "report.html") -> Path | None:
    """Write ``report.html`` from ``report.md`` in ``folder`` with every PNG embedded; None if there is no report.

    PNG files named in the Markdown (``name.png``) appear right after the
    paragraph naming them; the others in a final "Figures" section.
    """
    folder = Path(folder)
    md = folder / markdown_name
    if not md.is_file():
        return None
    text = md.read_text()
    title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), folder.name)
    page = markdown_to_html(text, title=title)
    pngs = sorted(p for p in folder.rglob("*.png") if p.is_file())
    placed: set[Path] = set()

    def after_paragraph(match: re.Match) -> str:
        block = match.group(0)
        figs = []
        for png in pngs:
            if png not in placed and re.search(rf"(?<![\w/.-]){re.escape(png.name)}(?![\w])", block):
                placed.add(png)
                figs.append(_figure(png, folder))
        return block + "".join(figs)

    page = re.sub(r"<p>.*?</p>", after_paragraph, page, flags=re.S)
    rest = [p for p in pngs if p not in placed]
    if rest:
        figures = "<h2>Figures</h2>\n" + "\n".join(_figure(p, folder) for p in rest)
        page = page.replace("\n</body>", "\n" + figures + "\n</body>")
    out = folder / html_name
    out.write_text(page)
    return out
