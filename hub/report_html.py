"""The monthly bulletin (每月一通报) as print-ready HTML: one A4 page per section, in Chinese.

Sections: the hall totals, the window ranking with classes, per-window figures, overdue
cases, ratings and complaints. Self-contained (inline CSS, no outside requests); print
it from a browser or convert it with any HTML-to-PDF tool.
"""

from __future__ import annotations

from html import escape
from typing import Any

from hub.catalogue import Hall
from hub.report_out import CLASS_NAMES, cell

CSS = """
@page { size: A4; margin: 18mm 15mm; }
body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; font-size: 10.5pt; color: #111; }
section.page { page-break-after: always; break-after: page; }
section.page:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; }
h2 { font-size: 14pt; border-bottom: 1.5pt solid #333; padding-bottom: 1mm; }
p.period { text-align: center; margin: 0 0 8mm; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #555; padding: 1.2mm 1.5mm; text-align: right; }
th { background: #eee; text-align: center; }
td.t { text-align: left; }
dl.totals { display: grid; grid-template-columns: 1fr 1fr; gap: 2mm 8mm; }
dl.totals dt { font-weight: bold; } dl.totals dd { margin: 0; text-align: right; }
"""


def _table(head: list[str], rows: list[list[str]], text_cols: int = 1) -> str:
    h = "".join(f"<th>{escape(x)}</th>" for x in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="t">{escape(v)}</td>' if i < text_cols else f"<td>{escape(v)}</td>"
            for i, v in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def bulletin(report: dict[str, Any], hall: Hall) -> str:
    """The bulletin of the report's period as one HTML document."""
    h = report["hall"]
    period = f"{report['from']} 至 {report['to']}（工作日 {report['working_days']} 天）"
    totals = [
        ("收件", f"{h['received']} 件"),
        ("办结", f"{h['completed']} 件"),
        ("办结率", cell(h["completion_rate"], "r", "zh")),
        ("按时办结率", cell(h["on_time_rate"], "r", "zh")),
        ("即办件 / 承诺件", f"{h['instant']} / {h['promised']} 件"),
        ("期末在办 / 超期", f"{h['open']} / {h['overdue']} 件"),
        ("叫号 / 过号", f"{h['tickets']} / {h['no_show']} 张"),
        (
            "平均等候 / 90%等候",
            f"{cell(h['avg_wait_s'], 'd', 'zh')} / {cell(h['p90_wait_s'], 'd', 'zh')}",
        ),
        ("超时等候占比", cell(h["over_target_rate"], "r", "zh")),
        ("平均办理时长", cell(h["avg_service_s"], "d", "zh")),
        ("转办（转出）", f"{h['handoffs_out']} 次"),
        ("首问负责办结率", cell(h["first_responsibility_closure_rate"], "r", "zh")),
        ("评价 / 平均评分", f"{h['ratings']} 次 / {cell(h['rating_avg'], 'f', 'zh')}"),
        ("差评率", cell(h["bad_rating_rate"], "r", "zh")),
        ("投诉", f"{h['complaints']} 次"),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in totals)
    wins = report["windows"]
    ranking = _table(
        ["排名", "窗口", "类别", "收件", "办结", "办结率", "在岗天数"],
        [
            [
                str(w["rank"]),
                str(w["name"]),
                CLASS_NAMES[w["class"]][0],
                str(w["received"]),
                str(w["completed"]),
                cell(w["completion_rate"], "r", "zh"),
                f"{w['days_present']}/{w['working_days']}",
            ]
            for w in wins
        ],
        text_cols=3,
    )
    counts = {k: sum(1 for w in wins if w["class"] == k) for k in CLASS_NAMES}
    classes = "；".join(f"{CLASS_NAMES[k][0]} {n} 个" for k, n in counts.items())
    per_window = _table(
        [
            "窗口",
            "收件",
            "办结",
            "按时率",
            "在办",
            "超期",
            "叫号",
            "过号",
            "平均等候",
            "平均办理",
            "在岗时长",
            "暂停时长",
        ],
        [
            [
                str(w["name"]),
                str(w["received"]),
                str(w["completed"]),
                cell(w["on_time_rate"], "r", "zh"),
                str(w["open"]),
                str(w["overdue"]),
                str(w["tickets"]),
                str(w["no_show"]),
                cell(w["avg_wait_s"], "d", "zh"),
                cell(w["avg_service_s"], "d", "zh"),
                cell(w["on_duty_s"], "h", "zh"),
                cell(w["paused_s"], "h", "zh"),
            ]
            for w in sorted(wins, key=lambda w: w["window"])
        ],
    )
    names = {s.code: s.name for s in hall.services}
    overdue = report.get("overdue_cases", [])
    overdue_html = (
        _table(
            ["办件编号", "事项", "收件窗口", "收件日期", "承诺办结日期"],
            [
                [
                    c["id"],
                    names.get(c["service"], c["service"]),
                    str(c["window"]),
                    c["day"],
                    c["due"],
                ]
                for c in overdue
            ],
            text_cols=2,
        )
        if overdue
        else "<p>本期末无超期办件。</p>"
    )
    rated = _table(
        ["窗口", "评价次数", "平均评分", "差评率", "投诉次数"],
        [
            [
                str(w["name"]),
                str(w["ratings"]),
                cell(w["rating_avg"], "f", "zh"),
                cell(w["bad_rating_rate"], "r", "zh"),
                str(w["complaints"]),
            ]
            for w in sorted(wins, key=lambda w: w["window"])
            if w["ratings"] or w["complaints"]
        ],
    )
    title = escape(f"{hall.name} 窗口工作通报")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title><style>{CSS}</style></head>
<body>
<section class="page" id="totals"><h1>{title}</h1><p class="period">{escape(period)}</p>
<h2>一、总体情况</h2><dl class="totals">{dl}</dl></section>
<section class="page" id="ranking"><h2>二、窗口业务量排名</h2><p>{escape(classes)}</p>{ranking}</section>
<section class="page" id="windows"><h2>三、各窗口办件情况</h2>{per_window}</section>
<section class="page" id="overdue"><h2>四、超期办件（{len(overdue)} 件）</h2>{overdue_html}</section>
<section class="page" id="ratings"><h2>五、评价与投诉</h2>{rated}</section>
</body></html>
"""
