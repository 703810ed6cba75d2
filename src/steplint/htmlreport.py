"""`steplint report`: one self-contained static HTML page for a repository scan.

No network and no CDN: the CSS, the small sorting/filtering script and every landscape
(inline SVG from steplint.svg) are in the page. One table row per recipe (class "recipe",
the browser test counts them) with its files, N, D, LR, batch, expected penalty and finding
counts; a details row under it holds the facts with their provenance, the findings by
severity and the landscape. Pure: `page(views)` turns plain values into text.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING, Optional

from steplint._namedtuple import NamedTuple

if TYPE_CHECKING:
    from steplint.engine import RecipeOutcome

SEVERITIES = ("error", "warning", "info")


class Finding(NamedTuple):
    severity: str
    code: str
    name: str
    message: str
    where: str


class RecipeView(NamedTuple):
    files: tuple[str, ...]
    dialects: tuple[str, ...]
    facts: tuple[tuple[str, str, str, str], ...]  # name, value, unit, source
    missing: tuple[tuple[str, str], ...]  # field, what supplies it
    findings: tuple[Finding, ...]
    n_params: Optional[float]
    tokens: Optional[float]
    lr: Optional[float]
    batch_tokens: Optional[float]
    penalty: Optional[float]
    penalty_text: str
    svg: str  # "" when N or D is unknown


def shown(path: str, base: Optional[str]) -> str:
    """`path` relative to `base` when it lies under it (a repository scan reads better so)."""
    if not base:
        return path
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    return path if rel.startswith("..") else rel


def view(outcome: "RecipeOutcome", picture_svg: str = "", penalty: Optional[float] = None, penalty_text: str = "",
         base: Optional[str] = None) -> RecipeView:
    """A RecipeView from an engine RecipeOutcome (its recipe may be None for an unreadable file);
    paths are shown relative to `base` where they lie under it."""
    recipe = outcome.recipe
    findings = tuple(Finding(str(d.severity), d.code, d.name, d.message, f"{shown(d.file, base)}:{d.line}:{d.column}")
                     for d in outcome.diagnostics)
    if recipe is None:
        return RecipeView(tuple(shown(f, base) for f in outcome.files), (), (), (), findings, None, None, None, None,
                          None, "", "")
    facts = tuple(recipe.fact_rows())

    def num(name: str) -> Optional[float]:
        v = recipe.value(name)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    return RecipeView(tuple(shown(f, base) for f in recipe.files), tuple(recipe.dialects), facts,
                      tuple((m.field, m.supply) for m in recipe.missing), findings,
                      num("n_params"), num("tokens"), num("peak_lr"), num("global_batch_tokens"),
                      penalty, penalty_text, picture_svg)


def _n(value: Optional[float], digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}g}"


def _count(v: RecipeView, severity: str) -> int:
    return sum(1 for f in v.findings if f.severity == severity)


def _worst(v: RecipeView) -> str:
    return next((s for s in SEVERITIES if _count(v, s)), "clean")


def _row(i: int, v: RecipeView) -> str:
    files = "<br>".join(escape(f) for f in v.files)
    cells = [
        (files, " ".join(v.files)),
        (escape(", ".join(v.dialects)), ", ".join(v.dialects)),
        (_n(v.n_params), v.n_params), (_n(v.tokens), v.tokens), (_n(v.lr), v.lr), (_n(v.batch_tokens), v.batch_tokens),
        ("" if v.penalty is None else f"{v.penalty:.2f}%", v.penalty),
        (str(_count(v, "error")), _count(v, "error")), (str(_count(v, "warning")), _count(v, "warning")),
        (str(_count(v, "info")), _count(v, "info")),
    ]
    tds = "".join(f'<td data-sort="{escape("" if key is None else str(key))}">{text}</td>' for text, key in cells)
    return (f'<tr class="recipe sev-{_worst(v)}" data-worst="{_worst(v)}" data-detail="d{i}" tabindex="0">{tds}</tr>'
            f'<tr class="detail" id="d{i}" hidden><td colspan="{len(cells)}">{_detail(v)}</td></tr>')


def _detail(v: RecipeView) -> str:
    parts = ['<div class="detail-grid">']
    if v.svg:
        parts.append(f'<div class="landscape"><h3>Loss landscape</h3>{v.svg}'
                     "<p class='legend'>colours: expected loss penalty &lt;0.1, 0.25, 0.5, 1, 2, 4, &gt;4%; grey: runs "
                     "diverge; blue dot: Step Law optimum, box: its 90% band, dashed: best LR at each batch; "
                     "cross: this recipe; white circles: other laws</p></div>")
    parts.append("<div class='text'>")
    if v.findings:
        parts.append("<h3>Findings</h3><ul class='findings'>")
        order = {s: k for k, s in enumerate(SEVERITIES)}
        for f in sorted(v.findings, key=lambda f: order.get(f.severity, 9)):
            parts.append(f'<li class="sev-{escape(f.severity)}"><b>{escape(f.severity)}</b> '
                         f"<code>{escape(f.code)}</code> [{escape(f.name)}] {escape(f.message)} "
                         f'<span class="where">{escape(f.where)}</span></li>')
        parts.append("</ul>")
    else:
        parts.append("<h3>Findings</h3><p>none</p>")
    if v.penalty_text:
        parts.append(f"<p class='penalty'>Step Law landscape: {escape(v.penalty_text)}</p>")
    parts.append("<h3>Facts and where they came from</h3><table class='facts'><tr><th>fact</th><th>value</th>"
                 "<th>unit</th><th>source</th></tr>")
    parts += [f"<tr><td>{escape(n)}</td><td>{escape(val)}</td><td>{escape(u)}</td><td>{escape(s)}</td></tr>"
              for n, val, u, s in v.facts]
    parts.append("</table>")
    if v.missing:
        parts.append("<h3>Missing</h3><ul>" + "".join(f"<li>{escape(f)}: {escape(s)}</li>" for f, s in v.missing) + "</ul>")
    parts.append("</div></div>")
    return "".join(parts)


HEADERS = ("files", "dialect", "N", "D", "peak LR", "batch (tokens)", "penalty", "errors", "warnings", "info")

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table.recipes{border-collapse:collapse;width:100%}
table.recipes th{background:#eee;cursor:pointer;text-align:left;padding:4px 6px;position:sticky;top:0}
table.recipes td{padding:4px 6px;border-top:1px solid #ddd;vertical-align:top}
tr.recipe{cursor:pointer} tr.recipe:hover{background:#f5f9ff}
tr.sev-error td:first-child{border-left:5px solid #c0392b} tr.sev-warning td:first-child{border-left:5px solid #e67e22}
tr.sev-info td:first-child{border-left:5px solid #2980b9} tr.sev-clean td:first-child{border-left:5px solid #27ae60}
li.sev-error b{color:#c0392b} li.sev-warning b{color:#d35400} li.sev-info b{color:#2980b9}
.where{color:#777;font-size:12px} .detail-grid{display:flex;gap:2em;align-items:flex-start} .text{flex:1;min-width:0}
table.facts{border-collapse:collapse;font-size:12px} table.facts td,table.facts th{border:1px solid #ddd;padding:2px 4px}
.legend{font-size:11px;color:#555;max-width:360px} .controls{margin:1em 0} .controls>*{margin-right:1em}
"""

SCRIPT = """
(function(){
  var table=document.getElementById('recipes'), body=table.tBodies[0];
  function pairs(){var out=[],rows=body.querySelectorAll('tr.recipe');
    for(var i=0;i<rows.length;i++){out.push([rows[i],document.getElementById(rows[i].dataset.detail)]);}return out;}
  var dir={};
  table.querySelectorAll('th').forEach(function(th,col){th.addEventListener('click',function(){
    dir[col]=-(dir[col]||-1);var d=dir[col];
    var list=pairs();list.sort(function(a,b){
      var x=a[0].cells[col].dataset.sort,y=b[0].cells[col].dataset.sort,nx=parseFloat(x),ny=parseFloat(y);
      if(x===''&&y!=='')return 1; if(y===''&&x!=='')return -1;
      if(!isNaN(nx)&&!isNaN(ny))return d*(nx-ny); return d*x.localeCompare(y);});
    list.forEach(function(p){body.appendChild(p[0]);body.appendChild(p[1]);});});});
  body.addEventListener('click',function(e){var tr=e.target.closest('tr.recipe');
    if(tr){var det=document.getElementById(tr.dataset.detail);det.hidden=!det.hidden;}});
  var text=document.getElementById('filter'),sev=document.getElementById('severity'),count=document.getElementById('shown');
  function apply(){var q=text.value.toLowerCase(),s=sev.value,n=0;
    pairs().forEach(function(p){var ok=(!q||p[0].textContent.toLowerCase().indexOf(q)>=0||p[1].textContent.toLowerCase().indexOf(q)>=0)
      &&(s==='all'||p[0].dataset.worst===s);p[0].hidden=!ok;if(!ok)p[1].hidden=true;if(ok)n++;});
    count.textContent=n;}
  text.addEventListener('input',apply);sev.addEventListener('change',apply);apply();
})();
"""


def page(views: list[RecipeView], title: str = "steplint report", version: str = "") -> str:
    totals = {s: sum(_count(v, s) for v in views) for s in SEVERITIES}
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    rows = "".join(_row(i, v) for i, v in enumerate(views))
    options = "".join(f'<option value="{s}">worst: {s}</option>' for s in SEVERITIES + ("clean",))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p>{len(views)} recipe{'s' * (len(views) != 1)}: {totals['error']} errors, {totals['warning']} warnings, "
        f"{totals['info']} info findings. Click a row for its facts, findings and loss landscape; click a heading to "
        f"sort. Penalties are the expected final-loss excess over the Step Law optimum (arXiv 2503.04715).</p>"
        "<div class='controls'><input id='filter' type='search' placeholder='filter (file, dialect, finding text)' "
        f"size='40'><select id='severity'><option value='all'>all recipes</option>{options}</select>"
        "<span>shown: <b id='shown'></b></span></div>"
        f"<table class='recipes' id='recipes'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<p class='where'>steplint {escape(version)}</p>"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
