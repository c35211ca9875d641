"""Plain Chinese labels for the audit page: roles, object types and the detail of each record.

The trail stores codes (``school_admin``, ``case``, ``fields=['effect']``); the page shows what they mean
(学工处管理员, 关爱档案, 修改的内容：帮扶效果). A code with no label here is shown as it is stored.
"""

from django.utils.translation import gettext_lazy as _

from careledger.accounts.models import Role
from careledger.audit.models import Action, Outcome
from careledger.cases.categories import Category

OBJECT_TYPES = {
    "case": _("关爱档案"),
    "auditevent": _("审计记录"),
    "user": _("用户"),
    "channel": _("通知渠道"),
    "student": _("学生"),
    "escalation": _("安全隐患上报"),
    "ledger": _("台账"),
    "college": _("学院"),
    "survey": _("摸排"),
    "endpoint": _("接口"),
    "semester": _("学期"),
    "grant": _("授权"),
    "encryption_keys": _("加密密钥"),
    "backup": _("备份"),
    "helper": _("帮扶小组成员"),
    "helper_activity": _("帮扶小组活动"),
    "demo": _("演示数据"),
    "attachment": _("附件"),
    "assessment": _("考核"),
    "staff": _("教职工"),
    "section": _("学工处科室"),
    "roster": _("花名册"),
    "department": _("职能部门"),
    "contact": _("辅导记录"),
}

# Keys of AuditEvent.detail.
DETAIL_KEYS = {
    "fields": _("修改的内容"),
    "actor": _("操作人"),
    "categories": _("类别"),
    "categories_count": _("类别数"),
    "category_count": _("类别数"),
    "title_count": _("说明"),
    "file_type": _("文件类型"),
    "filename_type": _("文件类型"),
    "reason": _("原因"),
    "version": _("版本"),
    "current": _("当前版本"),
    "filters": _("筛选条件"),
    "page": _("页码"),
    "file": _("文件"),
    "sha256": _("校验值"),
    "export_id": _("导出编号"),
    "rows": _("行数"),
    "outcome": _("结果"),
    "code": _("代码"),
    "kind": _("类型"),
    "user": _("用户"),
    "department": _("职能部门"),
    "event": _("事件"),
    "method": _("方式"),
    "role": _("角色"),
    "roles": _("角色"),
    "grants": _("授权"),
    "username": _("用户名"),
    "name": _("名称"),
    "raised": _("已升级至学校"),
    "purged": _("清理条数"),
    "retention_days": _("保留天数"),
    "before": _("早于"),
    "locks": _("解除的锁定"),
    "operation": _("操作"),
    "keys": _("密钥数"),
    "files": _("文件数"),
    "bucket": _("限流类别"),
    "limit": _("上限"),
    "mentor": _("帮扶导师"),
    "status": _("状态"),
    "object": _("记录"),
    "attachment": _("附件"),
    "contact": _("辅导记录"),
    "size": _("大小（字节）"),
    "is_active": _("启用"),
    "college": _("学院"),
    "student": _("学号"),
    "action": _("操作"),
    "since": _("起始日期"),
    "until": _("截止日期"),
    "format": _("格式"),
}

# Names in detail["fields"] (and the case timeline's changed fields).
FIELDS = {
    "effect": _("帮扶效果"),
    "risk_level": _("风险等级"),
    "problem": _("问题描述"),
    "life_history": _("既往生活史与当前生活情景"),
    "plan": _("帮扶措施"),
    "note": _("备注"),
    "mentor": _("帮扶导师"),
    "helpers": _("帮扶小组"),
    "close_request": _("撤销建档申请"),
    "status": _("档案状态"),
    "is_active": _("启用状态"),
    "is_current": _("当前学期"),
    "password": _("密码"),
    "totp": _("动态口令"),
    "name": _("姓名"),
    "phone": _("联系电话"),
    "email": _("电子邮箱"),
    "verification": _("班主任核实情况"),
    "parent_phone": _("家长联系方式"),
    "id_number": _("身份证号"),
}

STATUS = {"open": _("在档"), "closed": _("已撤销建档"), "rejected": _("未同意")}
BOOLEAN = {True: _("是"), False: _("否")}


def role_labels(codes: str) -> str:
    """ "counselor,mentor" → "辅导员、帮扶导师"."""
    labels = dict(Role.choices)
    return "、".join(str(labels.get(code.strip(), code.strip())) for code in (codes or "").split(",") if code.strip())


def object_label(object_type: str, object_id: str = "") -> str:
    """("case", "53") → "关爱档案 #53"."""
    label = str(OBJECT_TYPES.get(object_type, object_type or ""))
    if object_id:
        return f"{label} #{object_id}" if label else f"#{object_id}"
    return label


def field_label(name: str) -> str:
    """A changed field: "effect" → 帮扶效果, "category:economic" → 类别：家庭经济困难."""
    if name == "category":
        return str(_("类别"))
    if name.startswith("category:"):
        parts = name.split(":")
        category = _category(parts[1])
        if len(parts) > 2:
            return f"{_('类别')}：{category}（{FIELDS.get(parts[2], parts[2])}）"
        return f"{_('类别')}：{category}"
    return str(FIELDS.get(name, name))


def _category(code: str) -> str:
    return str(Category(code).label) if code in Category.values else code


def _value(key: str, value) -> str:
    if isinstance(value, bool):
        return str(BOOLEAN[value])
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_KEYS.get(k, k)}：{_value(k, v)}" for k, v in value.items())
    text = str(value)
    if key == "fields":
        return field_label(text)
    if key in ("categories", "category"):
        return _category(text)
    if key in ("role", "roles"):
        return role_labels(text)
    if key == "status":
        return str(STATUS.get(text, text))
    if key == "object":
        return str(OBJECT_TYPES.get(text, text))
    if key == "outcome":
        return str(dict(Outcome.choices).get(text, text))
    if key == "action":
        return str(dict(Action.choices).get(text, text))
    return text


def detail_pairs(detail: dict | None) -> list[tuple[str, str]]:
    """The record's detail as (label, value) pairs in plain words."""
    return [(str(DETAIL_KEYS.get(k, k)), _value(k, v)) for k, v in (detail or {}).items()]
