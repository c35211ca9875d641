"""Assessment (考核) pages: the dashboard, the ranking with the commendation candidates, the cadres'
help-group contribution, and the two downloads.

Every figure comes from assessment.selectors, which list only the units the caller may see (the same
visible_units as GET /api/v1/assessment/); the views format them. Charts are drawn in the browser by
static/js/dashboard.js from the JSON the page carries (json_script: no inline script).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from careledger.accounts import policy
from careledger.assessment import exports, rules, selectors
from careledger.assessment import indicators as ind
from careledger.cases.categories import Category
from careledger.cases.models import HelperRole, RiskLevel
from careledger.core import http
from careledger.core.models import Semester, mark_current

CADRES_PAGE_SIZE = 100
# Above this many units the tables under the charts start folded (a mentor level can list hundreds).
OPEN_TABLE_ROWS = 30
LEVEL_LABELS = {"school": _("全校"), "college": _("学院"), "counselor": _("辅导员"), "mentor": _("帮扶导师")}
RISK_ORDER = (RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.LOW)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # int, rate, minutes, bool, avg
    definition: str


# The table's columns (categories and risk are charted and tabled on their own).
COLUMNS = (
    Column("students", _("在册学生"), "int", ind.DEFINITIONS["students"]),
    Column("survey_coverage", _("摸排覆盖率"), "rate", ind.DEFINITIONS["survey_coverage"]),
    Column("open_cases", _("在档"), "int", ind.DEFINITIONS["open_cases"]),
    Column("mentor_coverage", _("导师结对覆盖率"), "rate", ind.DEFINITIONS["mentor_coverage"]),
    Column("compliance_rate", _("联系达标率"), "rate", ind.DEFINITIONS["compliance_rate"]),
    Column("overdue_cases", _("逾期档案"), "int", ind.DEFINITIONS["overdue_cases"]),
    Column("escalations", _("隐患上报"), "int", ind.DEFINITIONS["escalations"]),
    Column("ack_minutes_median", _("确认用时"), "minutes", ind.DEFINITIONS["ack_minutes_median"]),
    Column("resolve_minutes_median", _("处置用时"), "minutes", ind.DEFINITIONS["resolve_minutes_median"]),
    Column("ledger_on_time", _("台账按时"), "bool", ind.DEFINITIONS["ledger_on_time"]),
    Column("closed_improved", _("帮扶后改善撤销建档"), "int", ind.DEFINITIONS["closed_improved"]),
    Column("effect_rating_avg", _("帮扶效果均分"), "avg", ind.DEFINITIONS["effect_rating_avg"]),
)
SCORE_LABELS = {
    "survey_coverage": _("摸排覆盖率"),
    "mentor_coverage": _("导师结对覆盖率"),
    "compliance_rate": _("联系达标率"),
    "ledger_on_time": _("台账按时上报"),
    "ack_speed": _("上报确认用时"),
}


def show(value, kind: str) -> str:
    """A figure as shown on the page: rates as percentages, minutes with one decimal, — for no value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("是")) if value else str(_("否"))
    if kind in ("rate", "bool"):  # the school's ledger_on_time is a share
        return f"{value * 100:.1f}%"
    if kind == "minutes":
        return f"{value:.1f}"
    if kind == "avg":
        return f"{value:.2f}"
    return str(value)


def _semester(request: HttpRequest) -> tuple[list[Semester], Semester | None]:
    """The semesters, newest first, and the one asked for (?semester=pk), else the current, else the latest.
    An unknown semester is a 404."""
    semesters = list(Semester.objects.order_by("-start"))
    current = mark_current(semesters)
    wanted = request.GET.get("semester")
    if wanted:
        found = next((s for s in semesters if str(s.pk) == wanted), None)
        if found is None:
            raise Http404("semester")
        return semesters, found
    return semesters, current or (semesters[0] if semesters else None)


_download = http.download


# --- dashboard ---


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    definition: str
    detail: str = ""
    tone: str = ""  # "", "warn", "error"


def _kpis(row: dict) -> list[Kpi]:
    target = settings.ASSESSMENT_COMPLIANCE_TARGET
    compliance = row["compliance_rate"]
    risk = row["cases_by_risk"]
    return [
        Kpi(
            _("摸排覆盖率"),
            show(row["survey_coverage"], "rate"),
            ind.DEFINITIONS["survey_coverage"],
            f"{row['surveyed']} / {row['students']}",
        ),
        Kpi(_("在档人数"), show(row["open_cases"], "int"), ind.DEFINITIONS["open_cases"]),
        Kpi(
            _("风险 高 / 中 / 低"),
            " / ".join(str(risk[level]) for level in RISK_ORDER),
            ind.DEFINITIONS["cases_by_risk"],
            tone="warn" if risk[RiskLevel.HIGH] else "",
        ),
        Kpi(
            _("导师结对覆盖率"),
            show(row["mentor_coverage"], "rate"),
            ind.DEFINITIONS["mentor_coverage"],
            f"{row['with_mentor']} / {row['open_cases']}",
        ),
        Kpi(
            _("联系达标率"),
            show(compliance, "rate"),
            ind.DEFINITIONS["compliance_rate"],
            f"{row['windows_met']} / {row['windows_required']}",
            tone="warn" if compliance is not None and compliance < target else "",
        ),
        Kpi(
            _("逾期档案"),
            show(row["overdue_cases"], "int"),
            ind.DEFINITIONS["overdue_cases"],
            tone="error" if row["overdue_cases"] else "",
        ),
        Kpi(_("安全隐患上报"), show(row["escalations"], "int"), ind.DEFINITIONS["escalations"]),
        Kpi(
            _("确认用时中位数（分钟）"),
            show(row["ack_minutes_median"], "minutes"),
            ind.DEFINITIONS["ack_minutes_median"],
        ),
        Kpi(
            _("处置用时中位数（分钟）"),
            show(row["resolve_minutes_median"], "minutes"),
            ind.DEFINITIONS["resolve_minutes_median"],
        ),
        Kpi(
            _("台账按时上报"),
            show(row["ledger_on_time"], "bool"),
            ind.DEFINITIONS["ledger_on_time"],
            tone="error" if row["ledger_on_time"] is False else "",
        ),
        Kpi(_("帮扶后改善撤销建档"), show(row["closed_improved"], "int"), ind.DEFINITIONS["closed_improved"]),
        Kpi(_("帮扶效果均分"), show(row["effect_rating_avg"], "avg"), ind.DEFINITIONS["effect_rating_avg"]),
    ]


def _chart_data(board: selectors.Dashboard) -> dict:
    """What dashboard.js draws; the tables beside each chart show the same numbers."""
    rows = board.rows
    with_escalations = [r for r in rows if r["escalations"]]
    return {
        "locale": "EN" if (get_language() or "").startswith("en") else "ZH",
        "unit": str(LEVEL_LABELS[board.level]),
        "units": [r["unit"]["name"] for r in rows],
        "categories": [{"code": c, "label": str(Category(c).label)} for c in Category.values],
        "byCategory": [[r["cases_by_category"][c] for r in rows] for c in Category.values],
        "compliance": [r["compliance_rate"] for r in rows],
        "target": settings.ASSESSMENT_COMPLIANCE_TARGET,
        "escalationUnits": [r["unit"]["name"] for r in with_escalations],
        "ack": [r["ack_minutes_median"] for r in with_escalations],
        "resolve": [r["resolve_minutes_median"] for r in with_escalations],
        "trend": {
            "semesters": [s.name for s, _r in board.trend],
            "open": [r["open_cases"] for _s, r in board.trend],
            "risk": {level: [r["cases_by_risk"][level] for _s, r in board.trend] for level in RiskLevel.values},
        },
        "labels": {
            "openCases": str(_("在档")),
            # One translatable phrase per level: "高风险" reads "High risk" in English.
            "risk": {level: _("%(level)s风险") % {"level": label} for level, label in RiskLevel.choices},
            "riskSuffix": "",
            "compliance": str(_("联系达标率")),
            "target": str(_("目标")),
            "ack": str(_("确认用时中位数（分钟）")),
            "resolve": str(_("处置用时中位数（分钟）")),
            "save": str(_("下载图片 (PNG)")),
        },
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """考核: the caller's own figures (KPI cards with their definitions), the trend over semesters, and the
    units one level down (or the level chosen) as charts and tables."""
    user = request.user
    semesters, semester = _semester(request)
    if semester is None:
        return render(request, "assessment/dashboard.html", {"semester": None})
    level = request.GET.get("level") or None
    if level is not None and level not in selectors.levels_for(user):
        raise Http404("level")
    board = selectors.dashboard(user, semester, level, trend_semesters=settings.ASSESSMENT_TREND_SEMESTERS)
    rows = board.rows
    context = {
        "semester": semester,
        "semesters": semesters,
        "board": board,
        "as_of": board.data.as_of,
        "tabs": [(lv, LEVEL_LABELS[lv]) for lv in board.levels],
        "unit_label": LEVEL_LABELS[board.level],
        "headline_label": LEVEL_LABELS[board.levels[0]],
        "kpis": _kpis(board.headline) if board.headline else [],
        "fold_tables": len(rows) > OPEN_TABLE_ROWS,
        "columns": COLUMNS,
        "table": [(r["unit"]["name"], [(c.label, show(r[c.key], c.kind)) for c in COLUMNS]) for r in rows],
        "categories": [(c, Category(c).label) for c in Category.values],
        "category_rows": [
            (r["unit"]["name"], [r["cases_by_category"][c] for c in Category.values], r["open_cases"]) for r in rows
        ],
        "compliance_rows": [
            (r["unit"]["name"], r["windows_required"], r["windows_met"], show(r["compliance_rate"], "rate"))
            for r in rows
        ],
        "escalation_rows": [
            (
                r["unit"]["name"],
                r["escalations"],
                show(r["ack_minutes_median"], "minutes"),
                show(r["resolve_minutes_median"], "minutes"),
            )
            for r in rows
            if r["escalations"]
        ],
        "trend_rows": [
            (s.name, r["open_cases"], [r["cases_by_risk"][lv] for lv in RISK_ORDER]) for s, r in board.trend
        ],
        "risk_labels": [RiskLevel(lv).label for lv in RISK_ORDER],
        "target": show(settings.ASSESSMENT_COMPLIANCE_TARGET, "rate"),
        "charts": _chart_data(board),
        "definitions": [(c.label, c.definition) for c in COLUMNS]
        + [(_("类别"), ind.DEFINITIONS["cases_by_category"]), (_("风险"), ind.DEFINITIONS["cases_by_risk"])],
        "may_rank": policy.allows_endpoint(user, "assessment:ranking", "GET"),
        "may_cadres": policy.allows_endpoint(user, "assessment:cadres", "GET"),
    }
    return render(request, "assessment/dashboard.html", context)


# --- ranking and commendation ---


@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    """Colleges and counselors by weighted score, the formula and weights, and the commendation candidates."""
    user = request.user
    semesters, semester = _semester(request)
    context = {"semester": semester, "semesters": semesters}
    if semester is not None:
        data = ind.load(semester)
        tables = []
        for level in ("college", "counselor"):
            rows = selectors.rows_for(user, data, level)
            if rows:
                ranked = selectors.ranking(rows, level)
                tables.append(
                    {
                        "level": level,
                        "label": LEVEL_LABELS[level],
                        "items": [
                            (
                                u,
                                [
                                    (SCORE_LABELS[k], show(u.values[k] if u.score is not None else None, "rate"))
                                    for k in rules.SCORED
                                ],
                            )
                            for u in ranked
                        ],
                        "commended": [u for u in ranked if u.commended],
                    }
                )
        context.update(
            {
                "as_of": data.as_of,
                "tables": tables,
                "scored": [(k, SCORE_LABELS[k]) for k in rules.SCORED],
                "weights": [(SCORE_LABELS[k], w) for k, w in settings.ASSESSMENT_WEIGHTS.items() if w > 0],
                "thresholds": [
                    (SCORE_LABELS[k], show(v, "rate")) for k, v in settings.ASSESSMENT_COMMEND_THRESHOLDS.items()
                ],
                "ack_target": settings.ASSESSMENT_ACK_TARGET_MINUTES,
                "top": settings.ASSESSMENT_COMMEND_TOP,
            }
        )
    return render(request, "assessment/ranking.html", context)


# --- help-group contribution ---


@require_GET
def cadres(request: HttpRequest) -> HttpResponse:
    """Each student cadre's roles and the number of their help-group activities in the semester — for
    学生干部考察 and 党员发展考核. Never whom they helped or why."""
    semesters, semester = _semester(request)
    context = {"semester": semester, "semesters": semesters}
    if semester is not None:
        found = selectors.cadres(request.user, semester)
        page = Paginator(found, CADRES_PAGE_SIZE).get_page(request.GET.get("page"))
        labels = dict(HelperRole.choices)
        context.update(
            {
                "page": page,
                "total": len(found),
                "activities": sum(c.activities for c in found),
                "rows": [
                    (
                        c,
                        [labels[r] for r in c.roles],
                        [(labels[r], n) for r, n in c.by_role.items()],
                    )
                    for c in page.object_list
                ],
            }
        )
    return render(request, "assessment/cadres.html", context)


@require_GET
def cadres_export(request: HttpRequest) -> HttpResponse:
    _semesters, semester = _semester(request)
    if semester is None:
        raise Http404("semester")
    return _download(exports.export_cadres(actor=request.user, semester=semester))


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The whole assessment of the semester as the caller sees it: a sheet per level (.xlsx)."""
    _semesters, semester = _semester(request)
    if semester is None:
        raise Http404("semester")
    return _download(exports.export_assessment(actor=request.user, semester=semester))
