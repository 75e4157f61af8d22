"""The HTML of `kscore report --shop` (issue 13, point 5): one static page that works offline.

The charts are Vega-Lite specs built with Altair and drawn in the browser by vega-embed as SVG. The
JavaScript of Vega, Vega-Lite and vega-embed is inlined from the `vl-convert-python` wheel
(`vl_convert.javascript_bundle()`: the libraries and their dependencies, no network), so the page
holds every script and style itself and loads nothing (no `src`/`href` to anything outside it).
The tables carry each figure as `data-field` / `data-value` attributes, so a test or a script can
read the numbers back; the whole collected dict is inlined too, as JSON (`#kscore-shop-report-data`).
"""
from __future__ import annotations

import datetime as dt
import html
import json

import altair as alt

from kscore.shop_report import TIERS, ShopReportError

e = html.escape
WIDTH = 560

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#666;font-size:13px} .na{color:#888;font-style:italic}
table{border-collapse:collapse;font-size:13px;margin:6px 0} th,td{padding:3px 8px;border-bottom:1px solid #eee}
th{text-align:left;background:#f6f6f6} td.n{text-align:right;font-variant-numeric:tabular-nums}
.big{font-size:28px;font-weight:600} .cards{display:flex;gap:28px;flex-wrap:wrap}
.chart{margin:8px 0 16px} .charts{display:flex;gap:24px;flex-wrap:wrap}
"""


def fmt(v) -> str:
    """A cell as text: — for NULL, a whole float without decimals, other floats to at most 6 decimals."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v)}"
    return str(v)


def pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def cell(field: str, v, text: str | None = None) -> str:
    value = "" if v is None else json.dumps(v, ensure_ascii=False)
    return (f'<td class="n" data-field="{e(field)}" data-value="{e(value)}">'
            f"{e(fmt(v) if text is None else text)}</td>")


# --- charts (Altair → Vega-Lite specs) -----------------------------------------------------------

def _utc(day: dt.date, hours: int) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day, hours=hours, utc=True)


def _x_day(doc: dict):
    """as_of_date on a UTC time axis (the ISO dates are UTC midnights) over the whole window D-29 … D
    (half a day of margin each side), whatever days have data: an empty history still draws an axis."""
    last = dt.date.fromisoformat(doc["as_of_date"])
    first = last - dt.timedelta(days=doc["history_days"] - 1)
    step = max(1, -(-doc["history_days"] // 10))
    return alt.X("as_of_date:T", title="as_of_date",
                 scale=alt.Scale(type="utc", domain=[_utc(first - dt.timedelta(days=1), 12), _utc(last, 12)]),
                 axis=alt.Axis(format="%m-%d", labelAngle=0,
                               tickCount=alt.TimeIntervalStep(interval="day", step=step)))


def score_history_chart(doc: dict) -> alt.Chart:
    data = alt.Data(values=[h for h in doc["history"] if h["experience_score"] is not None])
    return alt.Chart(data, width=WIDTH, height=200,
                     title="店铺体验分 five-point score, last 30 days").mark_line(point=True).encode(
        _x_day(doc), alt.Y("experience_score:Q", title="店铺体验分", scale=alt.Scale(domain=[2.5, 5])),
        tooltip=[alt.Tooltip("as_of_date:N", title="as_of_date"), "experience_score:Q",
                 "experience_score_100:Q", "score_stage:N", "peer_percentile:Q"])


def dimension_history_chart(doc: dict) -> alt.Chart:
    names = {**doc["dimensions"], "experience_score_100": "总分(百分制)"}
    values = [{"as_of_date": h["as_of_date"], "series": name, "score": h[key]}
              for h in doc["history"] for key, name in names.items() if h[key] is not None]
    return alt.Chart(alt.Data(values=values), width=WIDTH, height=220,
                     title="维度得分 dimension scores and the 100-point total").mark_line(point=True).encode(
        _x_day(doc), alt.Y("score:Q", title="得分", scale=alt.Scale(domain=[50, 100])),
        alt.Color("series:N", title=None, scale=alt.Scale(domain=list(names.values()))),
        tooltip=["as_of_date:N", "series:N", "score:Q"])


def indicator_chart(doc: dict) -> alt.Chart:
    values = [i for i in doc["indicators"] if i["indicator_score"] is not None]
    return alt.Chart(alt.Data(values=values), width=WIDTH - 160, height=alt.Step(18),
                     title="指标得分 indicator scores (50 + 50 × peer percentile)").mark_bar().encode(
        alt.X("indicator_score:Q", title="指标得分", scale=alt.Scale(domain=[0, 100])),
        alt.Y("indicator_name_cn:N", title=None, sort=None),
        alt.Color("dimension:N", title="维度", scale=alt.Scale(domain=list(doc["dimensions"].values()))),
        tooltip=["indicator_name_cn:N", "value:Q", "indicator_score:Q", "weight:Q", "weighted_score:Q"])


def tier_compare_chart(doc: dict) -> alt.Chart:
    t = doc["tiers"]
    values = [{"tier": tier, "who": who_cn, "share": t[who]["shares"][tier], "products": t[who]["counts"][tier]}
              for who, who_cn in (("shop", "本店"), ("category", "主营类目")) for tier in TIERS
              if t[who]["on_sale_products"]]
    return alt.Chart(alt.Data(values=values), width=WIDTH // 2, height=200,
                     title="商品分层 G0–G4: shop vs main category (share of on-sale products)").mark_bar().encode(
        alt.X("tier:N", title=None, sort=list(TIERS), axis=alt.Axis(labelAngle=0)),
        alt.XOffset("who:N", sort=["本店", "主营类目"]),
        alt.Y("share:Q", title="占比", axis=alt.Axis(format="%")),
        alt.Color("who:N", title=None, scale=alt.Scale(domain=["本店", "主营类目"])),
        tooltip=["who:N", "tier:N", "products:Q", alt.Tooltip("share:Q", format=".1%")])


def tier_history_chart(doc: dict) -> alt.Chart:
    values = [{"as_of_date": h["as_of_date"], "tier": tier, "products": h[f"{tier.lower()}_products"]}
              for h in doc["tiers"]["history"] for tier in TIERS]
    return alt.Chart(alt.Data(values=values), width=WIDTH // 2, height=200,
                     title="本店商品分层 the shop's tiers, last 30 days").mark_bar().encode(
        alt.X("as_of_date:O", title="as_of_date", axis=alt.Axis(labelExpr="slice(datum.label, 5)")),
        alt.Y("products:Q", title="商品数", stack="zero"),
        alt.Color("tier:N", scale=alt.Scale(domain=list(TIERS), scheme="redyellowgreen")),
        alt.Order("tier:N"), tooltip=["as_of_date:N", "tier:N", "products:Q"])


CHARTS = {
    "score_history": score_history_chart,
    "dimension_history": dimension_history_chart,
    "indicator_scores": indicator_chart,
    "tier_compare": tier_compare_chart,
    "tier_history": tier_history_chart,
}


def chart_specs(doc: dict) -> dict[str, dict]:
    """The Vega-Lite spec of every chart. The `$schema` URL is dropped (the page names no address;
    vega-embed is told the mode instead)."""
    specs = {name: make(doc).to_dict() for name, make in CHARTS.items()}
    for spec in specs.values():
        spec.pop("$schema", None)
    return specs


def javascript_bundle(vl_version: str) -> str:
    """Vega, Vega-Lite and vega-embed as one script (window.vegaEmbed), from the vl-convert wheel."""
    try:
        import vl_convert
    except ImportError:
        raise ShopReportError("the package vl-convert-python is not installed "
                              "(`pip install -r requirements.txt`); it ships the chart JavaScript") from None
    return vl_convert.javascript_bundle(vl_version=vl_version)


def _script_json(obj) -> str:
    """JSON that is safe inside a <script> element."""
    return (json.dumps(obj, ensure_ascii=False, default=str)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# --- sections ------------------------------------------------------------------------------------

def _chart_div(name: str) -> str:
    return f'<div class="chart" id="chart-{name}" data-chart="{name}"></div>'


def scores_section(doc: dict) -> str:
    s = doc["score"]
    five = "—" if s["experience_score"] is None else f"{s['experience_score']:.2f}"
    dims = "".join(f"<tr><th>{e(cn)}</th>{cell(key, s[key])}</tr>" for key, cn in doc["dimensions"].items())
    return f"""
<section id="scores"><h2>店铺体验分 scores on {e(doc['as_of_date'])}</h2>
<div class="cards">
 <div><div class="sub">店铺体验分 (five-point)</div><div class="big">{e(five)}</div></div>
 <div><div class="sub">考核阶段 stage</div><div class="big">{e(s['score_stage'])}</div></div>
</div>
<table id="score-table">
<tr><th>店铺体验分（百分制） 100-point total</th>{cell('experience_score_100', s['experience_score_100'])}</tr>
<tr><th>店铺体验分 five-point score</th>{cell('experience_score', s['experience_score'], five)}</tr>
<tr><th>考核阶段 stage</th>{cell('score_stage', s['score_stage'])}</tr>
<tr><th>超过x%同行 peer percentile</th>{cell('peer_percentile', s['peer_percentile'])}</tr>
<tr><th>同行数 peer group size</th>{cell('peer_group_size', s['peer_group_size'])}</tr>
<tr><th>近30天支付订单数 paid orders (W30)</th>{cell('paid_orders_30d', s['paid_orders_30d'])}</tr>
{dims}
</table>
{'' if s['is_scored'] else '<p class="na">成长期: fewer than the 正式期 orders in W30, indicators shown, no score.</p>'}
</section>"""


def indicators_section(doc: dict) -> str:
    fields = ("value", "numerator", "denominator", "indicator_score", "weight", "weighted_score")
    rows = "".join(
        f'<tr data-indicator="{e(i["indicator"])}"><td>{e(i["dimension"])}</td><td>{e(i["indicator_name_cn"])}</td>'
        + "".join(cell(f, i[f]) for f in fields) + "</tr>" for i in doc["indicators"])
    return f"""
<section id="indicators"><h2>指标 indicators on {e(doc['as_of_date'])}</h2>
{_chart_div('indicator_scores')}
<table id="indicator-table"><tr><th>维度</th><th>指标</th><th>指标值 value</th><th>分子</th><th>分母</th>
<th>指标得分</th><th>权重</th><th>加权得分</th></tr>{rows}</table></section>"""


def history_section(doc: dict) -> str:
    days = len(doc["history"])
    return f"""
<section id="history"><h2>近30天 history ({days} published days of the {doc['history_days']} up to
{e(doc['as_of_date'])})</h2>{_chart_div('score_history')}{_chart_div('dimension_history')}</section>"""


def tiers_section(doc: dict) -> str:
    t = doc["tiers"]
    head = "".join(f"<th>{x}</th>" for x in TIERS)

    def row(who: str, label: str) -> str:
        d = t[who]
        return (f'<tr data-who="{who}"><th>{e(label)}</th>{cell("on_sale_products", d["on_sale_products"])}'
                + "".join(cell(f"{x.lower()}_products", d["counts"][x], f"{d['counts'][x]} ({pct(d['shares'][x])})")
                          for x in TIERS)
                + cell("good_product_share", d["good_product_share"], pct(d["good_product_share"])) + "</tr>")
    cat = doc["main_category_name"] or doc["score"]["main_category_id"]
    return f"""
<section id="tiers"><h2>商品分层 product tiers on {e(doc['as_of_date'])}</h2>
<table id="tier-table"><tr><th></th><th>在售商品数</th>{head}<th>好货占比</th></tr>
{row('shop', '本店 this shop')}{row('category', f'主营类目 {cat} ({t["category_leaves"]} leaf categories)')}
</table><div class="charts">{_chart_div('tier_compare')}{_chart_div('tier_history')}</div></section>"""


def gaps_section(doc: dict) -> str:
    g = doc["gaps"]
    if not g["available"]:
        return ('<section id="gaps"><h2>距下一等级 largest gaps to the next level</h2>'
                f'<p class="na" data-gaps="not-available">not available: the published file has no '
                f'marts.{e(", marts.".join(g["missing"]))} yet (issue 13 point 3)</p></section>')
    parts = []
    for table in g["tables"]:
        head = "".join(f"<th>{e(c)}</th>" for c in table["columns"])
        body = "".join("<tr>" + "".join(cell(c, r.get(c)) for c in table["columns"]) + "</tr>"
                       for r in table["rows"]) or f'<tr><td class="na" colspan="{len(table["columns"])}">no rows</td></tr>'
        parts.append(f'<h3>{e(table["mart"])}</h3><table data-mart="{e(table["mart"])}"><tr>{head}</tr>{body}</table>')
    return ('<section id="gaps"><h2>距下一等级 largest gaps to the next level</h2>'
            + "".join(parts) + "</section>")


def alerts_section(doc: dict) -> str:
    if not doc["alerts_available"]:
        return '<section id="alerts"><h2>商家预警 alerts</h2><p class="na">not available</p></section>'
    rows = "".join(
        f'<tr data-alert="{e(a["alert_type"])}" data-day="{e(a["as_of_date"])}" data-subject="{a["subject_id"]}">'
        f'<td>{e(a["as_of_date"])}</td><td>{e(a["alert_type_cn"])}</td><td>{e(a["message"])}</td></tr>'
        for a in doc["alerts"])
    body = rows or '<tr><td colspan="3" class="na">no alerts in these 30 days</td></tr>'
    return f"""
<section id="alerts"><h2>商家预警 alerts, last 30 days ({len(doc['alerts'])})</h2>
<table id="alert-table"><tr><th>预警日期</th><th>预警类型</th><th>预警文案</th></tr>{body}</table></section>"""


EMBED = """
(function () {
  var specs = JSON.parse(document.getElementById('kscore-shop-report-charts').textContent);
  var names = Object.keys(specs), done = 0;
  names.forEach(function (name) {
    var el = document.getElementById('chart-' + name);
    vegaEmbed(el, specs[name], {mode: 'vega-lite', renderer: 'svg', actions: false}).then(function () {
      el.setAttribute('data-rendered', 'ok');
    }).catch(function (err) {
      el.setAttribute('data-rendered', 'error');
      el.textContent = 'chart error: ' + err;
    }).then(function () {
      done += 1;
      if (done === names.length) document.body.setAttribute('data-charts-rendered', String(done));
    });
  });
})();
"""


def render(doc: dict) -> str:
    """The whole page for one collected shop (shop_report.collect)."""
    specs = chart_specs(doc)
    bundle = javascript_bundle(alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0])
    if "</script" in bundle.lower():
        raise ShopReportError("the vl-convert JavaScript bundle cannot be inlined (it holds </script>)")
    name = doc["shop_name"] or ""
    title = f"店铺报告 shop {doc['shop_id']} {name} · {doc['as_of_date']}"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>{CSS}</style>
<script>{bundle}</script></head>
<body data-shop-id="{doc['shop_id']}" data-as-of="{e(doc['as_of_date'])}">
<h1>{e(title)}</h1>
<div class="sub">主营类目 {e(str(doc['main_category_name'] or doc['score']['main_category_id']))} ·
as_of_date {e(doc['as_of_date'])} uses data up to the day before · every figure is a published mart cell</div>
{scores_section(doc)}{history_section(doc)}{indicators_section(doc)}{tiers_section(doc)}
{gaps_section(doc)}{alerts_section(doc)}
<script type="application/json" id="kscore-shop-report-data">{_script_json(doc)}</script>
<script type="application/json" id="kscore-shop-report-charts">{_script_json(specs)}</script>
<script>{EMBED}</script>
</body></html>
"""
