"""The assessment levels and the definition of each indicator, shown beside each figure on the dashboard
and in the export's 指标说明 sheet. Chinese source strings, translated through the catalogue (the
English dashboard shows the English definitions; the .xlsx is rendered in Chinese whoever exports it)."""

from django.utils.translation import gettext_lazy as _

LEVELS = ("school", "college", "counselor", "mentor")

DEFINITIONS = {
    "students": _("在册学生：统计范围内在册的学生人数"),
    "survey_coverage": _("摸排覆盖率 = 已摸排学生 / 在册学生"),
    "open_cases": _("在档人数：统计日在档的学生（一人多类只计一次）"),
    "cases_by_category": _("各类别在档人数（一人多类在每类各计一次）"),
    "cases_by_risk": _("各风险等级在档人数（低/中/高，按统计日的风险等级）"),
    "mentor_coverage": _("导师结对覆盖率 = 已结对导师的在档档案 / 在档档案"),
    "compliance_rate": _(
        "联系达标率 = 已达标的窗口 / 应达标的窗口（按应联系日计：谈心每半月 1 次，下寝室每月非假期应联系日 16 天以上 2 次、8–15 天 1 次，重点时段 1 次；只计已结束的窗口）"
    ),
    "overdue_cases": _("逾期档案：有已结束但未达标窗口的在档档案"),
    "escalations": _("安全隐患上报次数（学期内）"),
    "ack_minutes_median": _("确认用时中位数（分钟）：从上报到确认"),
    "resolve_minutes_median": _("处置用时中位数（分钟）：从上报到处置完毕"),
    "ledger_on_time": _("台账按时上报：截止日前上报为是；逾期或截止后未报为否；未到截止日为空（全校为按时学院的比例）"),
    "closed_improved": _("学期内撤销建档且帮扶后有改善的档案数"),
    "effect_rating_avg": _("帮扶效果平均评分（1–5，仅计已评分的档案）"),
    "suggestions_pending": _("待确认的建档建议（来自心理普查与各部门名单）"),
    "suggestions_confirmed": _("已确认建档的建议"),
    "suggestions_declined": _("已排除的建议（附理由）"),
}
