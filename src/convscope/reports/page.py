"""The page around the sections: head, style (screen and A4 print), table of contents, the
comparison of several runs, and the few lines of script that open a confusion-matrix cell.

Everything is inline, and the page's Content-Security-Policy forbids loading anything else:
opened from disk, offline, it shows exactly what is in the file.
"""

from __future__ import annotations

import time

from .. import __version__, views
from ..events import Progress, emit
from ..html import CARD_CSS, MAX_WIDTH, comparison_table, embed_figure, esc
from ..words import Words
from .predictions import predictions_section
from .sections import (
    data_section,
    figure,
    learning_section,
    network_section,
    note,
    run_header,
)
from .seeing import seeing_section
from .subject import TROUBLE, Subject, reason

POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'")

CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",
 Arial,sans-serif;color:#1d2330;background:#fff}
header,main{max-width:WIDTHpx;margin:0 auto;padding:0 24px;box-sizing:content-box}
h1{font-size:1.7em;margin:28px 0 4px}
h2{font-size:1.45em;margin:40px 0 8px;padding-top:14px;border-top:3px solid #1f77b4}
h3{font-size:1.2em;margin:28px 0 8px}
h4{font-size:1.05em;margin:20px 0 6px}
h5{font-size:.98em;margin:14px 0 4px;color:#3b4456}
.generated,.note,.caption,figcaption{color:#4d566b}
.note{margin:6px 0 10px}
nav.toc{background:#f4f6fa;border-radius:8px;padding:10px 18px;margin:14px 0}
nav.toc h2{border:0;margin:0 0 4px;padding:0;font-size:1.05em}
nav.toc ol{margin:0;padding-left:1.4em}nav.toc li ol{display:inline;padding:0}
nav.toc li ol li{display:inline}nav.toc li ol li+li:before{content:" · "}
nav.toc a{color:#1a5a96;text-decoration:none}
figure{margin:14px 0 22px}
figure img,img{max-width:100%;height:auto}
figcaption,.caption{font-size:.92em;margin-top:4px}
.verdict{background:#f4f6fa;border-left:4px solid #1f77b4;padding:8px 12px;margin:10px 0}
.problems{border:1px solid #e6b1aa;background:#fdf4f2;border-radius:8px;padding:6px 16px;
 margin:10px 0}
.problems h4{margin:6px 0;color:#a3261b}.problem{color:#a3261b}
.wide{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;font-size:.93em;margin:6px 0 10px}
th,td{padding:4px 9px;border-bottom:1px solid #e3e7ee;text-align:left;vertical-align:top;
 overflow-wrap:anywhere}
th{background:#f4f6fa;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.files td:first-child{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
table.layers td:last-child{font-variant-numeric:tabular-nums}
table.per-class td.bar{width:40%;min-width:120px}
table.per-class td.bar span{display:block;height:.9em;background:#1f77b4;border-radius:2px}
table.cm{font-variant-numeric:tabular-nums}
table.cm th{text-align:center;max-width:7em;overflow-wrap:normal}
table.cm th.corner{font-weight:400;font-size:.8em;color:#4d566b;max-width:none;
 white-space:nowrap;text-align:right;line-height:1.2}
table.cm td{padding:0;text-align:center;min-width:2.6em;border:1px solid #fff}
table.cm a.cm-cell{display:block;padding:5px 6px;color:#1d2330;text-decoration:none}
table.cm td.dark a.cm-cell{color:#fff}
table.cm a.cm-cell:hover,table.cm a.cm-cell:focus{outline:2px solid #1d2330;
 outline-offset:-2px}
table.cm a.cm-cell[aria-current]{outline:3px solid #f5a623;outline-offset:-3px}
.cm-panel{display:none;border:1px solid #d5dae3;border-radius:8px;padding:4px 12px 10px;
 margin:8px 0 16px}
.cm-panel.open,.cm-panel:target{display:block}
.thumbs{display:flex;flex-wrap:wrap;gap:8px}
figure.thumb{margin:0;width:80px;text-align:center}
figure.thumb img{image-rendering:pixelated;width:64px;height:auto;border:1px solid #c9ced8}
figure.thumb figcaption{font-size:.72em;line-height:1.25;overflow-wrap:anywhere}
figure.maps{margin:8px 0 18px}
.maps-row{display:flex;gap:14px;align-items:flex-start}
.maps-grid{flex:1;display:grid;grid-template-columns:repeat(auto-fill,60px);gap:6px}
.map{text-align:center;font-size:.72em;color:#4d566b;line-height:1.3}
.map img{display:block;width:60px;height:auto;image-rendering:pixelated;
 border:1px solid #c9ced8;background:#000}
figure.maps img{image-rendering:pixelated}
.kernel-cell img{background:#fff}
.filter-row{display:flex;gap:14px;align-items:flex-start}
.kernel{text-align:center;font-size:.72em;color:#4d566b;flex:none}
.kernel table{border-collapse:collapse;margin:0 auto 4px}
.kernel td{width:2.9em;height:2.5em;padding:0;text-align:center;border:1px solid #fff;
 font-size:1.1em;color:#1d2330}
.kernel td.dark{color:#fff}
.pairs{flex:1;display:grid;grid-template-columns:repeat(auto-fill,64px);gap:8px}
.pair{text-align:center;font-size:.68em;color:#4d566b;line-height:1.2;overflow-wrap:anywhere}
.pair img{display:block;width:60px;height:auto;image-rendering:pixelated;
 border:1px solid #c9ced8;margin-bottom:2px}
.cam-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:12px 18px}
.cam{border:1px solid #e3e7ee;border-radius:8px;padding:6px 12px 8px}
.cam p{margin:2px 0 6px;font-size:.9em;font-weight:600}.cam p.wrong{color:#b42318}
.cam-row{display:flex;gap:10px;align-items:flex-start}
.cam-img{text-align:center;font-size:.75em;color:#4d566b}
.cam-img img{display:block;width:128px;height:auto;image-rendering:pixelated}
table.probs{flex:1;margin:0;font-size:.82em}
table.probs td{padding:1px 6px;border:0}
table.probs td:first-child{white-space:nowrap;overflow-wrap:normal}
table.probs td.bar{width:55%}
table.probs td.bar span{display:block;height:.8em;background:#9bbbd9;border-radius:2px}
table.probs tr.top td.bar span{background:#1f77b4}
@media print{
 @page{size:A4;margin:14mm 12mm}
 body{font-size:10pt}
 header,main{max-width:none;padding:0}
 h2{break-before:page;border-top:0}
 nav.toc h2{break-before:auto}
 h3,h4,h5{break-after:avoid}
 figure,table,.cs-card,.cm-panel.open,.verdict,.cam{break-inside:avoid}
 .cm-panel{display:none!important}.cm-panel.open{display:block!important}
 nav.toc a,a.cm-cell{color:inherit}
 .wide{overflow:visible}
}
""".replace("WIDTH", str(MAX_WIDTH))

# A click on a matrix cell opens its panel in place (without the jump of following the link).
SCRIPT = """
document.addEventListener('click', function (event) {
  var cell = event.target.closest('a.cm-cell');
  if (!cell) return;
  event.preventDefault();
  var box = cell.closest('.cm-box');
  box.querySelectorAll('.cm-panel.open').forEach(function (p) { p.classList.remove('open'); });
  box.querySelectorAll('a.cm-cell[aria-current]').forEach(function (c) {
    c.removeAttribute('aria-current'); });
  var panel = document.getElementById(cell.getAttribute('href').slice(1));
  panel.classList.add('open');
  cell.setAttribute('aria-current', 'true');
});
"""

# The sections of a run, in the course's order: data, model, results, what the network sees.
SECTIONS = (("data", data_section), ("network", network_section),
            ("learning", learning_section), ("predictions", predictions_section),
            ("seeing", seeing_section))
TASK = "writing the report"


def render(subjects: list[Subject], text: Words, observer=None) -> str:
    """The whole page for one or several runs. ``observer`` hears a ``Progress`` after each
    section (the comparison, then each run's ``SECTIONS`` and its header)."""
    total = (len(SECTIONS) + 1) * len(subjects) + (len(subjects) > 1)
    done = 0

    def advance(section: str) -> None:
        nonlocal done
        done += 1
        emit(observer, Progress(TASK, done, total))

    parts, contents = [], []
    if len(subjects) > 1:
        parts.append(comparison(subjects, text))
        contents.append(f'<li><a href="#compare">{esc(text("h_compare"))}</a></li>')
        advance("comparison")
    for subject in subjects:
        article, links = run_article(subject, text, advance)
        parts.append(article)
        contents.append(f'<li><a href="#{subject.anchor}"><strong>{esc(subject.title(text))}'
                        f"</strong></a>: <ol>{links}</ol></li>")
    names = ", ".join(s.title(text) for s in subjects)
    return (f'<!DOCTYPE html><html lang="{text.lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            f"<title>{esc(text('title'))} — {esc(names)}</title>"
            f"<style>{CSS}{CARD_CSS}</style></head><body>"
            f"<header><h1>{esc(text('title'))} — {esc(names)}</h1>"
            f'<p class="generated">{esc(text("generated", version=__version__, date=_now()))}'
            f'</p><nav class="toc"><h2>{esc(text("contents"))}</h2><ol>{"".join(contents)}'
            f"</ol></nav></header><main>{''.join(parts)}</main>"
            f"<script>{SCRIPT}</script></body></html>")


def run_article(subject: Subject, text: Words, advance=lambda section: None
                ) -> tuple[str, str]:
    """One run's part of the page, and the links to its sections for the contents.
    ``advance(section)`` is called after each section."""
    sections = []
    for key, build in SECTIONS:
        if subject.run is None or (subject.bare and key in ("data", "learning")):
            advance(key)
            continue
        try:
            body = build(subject, text)
        except TROUBLE as exc:
            body = note(text("problem_section_failed", what=text(f"h_{key}"),
                             why=reason(exc)))
        if body:
            sections.append((key, body))
        advance(key)
    # Last, so that it lists every problem the sections came across.
    sections.insert(0, ("run", run_header(subject, text)))
    advance("run")
    html, links = [], []
    for number, (key, body) in enumerate(sections, 1):
        heading = f"{number}. {text(f'h_{key}')}"
        html.append(f'<section id="{subject.anchor}-{key}"><h3>{esc(heading)}</h3>{body}'
                    "</section>")
        links.append(f'<li><a href="#{subject.anchor}-{key}">{esc(text(f"h_{key}"))}</a></li>')
    article = (f'<article id="{subject.anchor}"><h2>{esc(subject.title(text))}</h2>{"".join(html)}'
               "</article>")
    return article, "".join(links)


def comparison(subjects: list[Subject], text: Words) -> str:
    """The table and curves of ``views.compare`` for the runs that can be compared."""
    runs = [s.run for s in subjects if s.run is not None and not s.bare]
    head = f'<section id="compare"><h2>{esc(text("h_compare"))}</h2>'
    try:
        result = views.compare(runs)
    except TROUBLE as exc:
        return head + note(text("compare_failed", why=reason(exc))) + "</section>"
    picture = embed_figure(result.figure.figure, dpi=MAX_WIDTH / result.figure.figure
                           .get_figwidth())
    images = "" if result.images is None else figure(
        embed_figure(result.images.figure, dpi=80), text("alt_same_images"),
        result.images.caption)
    return (head + note(text("compare_intro"))
            + f'<div class="wide">{comparison_table(result.rows, result.labels, text)}</div>'
            + figure(picture, text("alt_compare"), text("cap_compare")) + images
            + "</section>")


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M")
