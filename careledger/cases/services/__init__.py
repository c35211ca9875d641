"""Writes to case files. Each checks the policy, validates, saves, records the timeline and audits.

One module per part of the case file; callers import this package (``from careledger.cases import services``):

- ``common``: what every write shares — the policy check of the verb, the timeline row, the audit row;
- ``case_file``: opening a case and editing its fields and categories;
- ``support``: 帮扶 — the mentor pairing, the help group and its activities, the semester's effect;
- ``closing``: closing a case (request, approve, reject) and reopening it;
- ``break_glass``: a reader's stated reason for opening sensitive fields (SEC-17).

"""

from careledger.cases.services.break_glass import CASE_TEXT_FIELDS, case_reveal, reveal
from careledger.cases.services.case_file import EDITABLE, CategoryInput, case_open, case_update, clean_categories
from careledger.cases.services.closing import case_reopen, close_approve, close_reject, close_request
from careledger.cases.services.common import audit_case, require_action, timeline_add
from careledger.cases.services.support import (
    effect_record,
    helper_activity_record,
    helper_add,
    last_mentor,
    mentor_assign,
)
from careledger.core.errors import StaleVersion  # services.StaleVersion, as the views and tests name it

__all__ = [
    "CASE_TEXT_FIELDS",
    "EDITABLE",
    "CategoryInput",
    "StaleVersion",
    "audit_case",
    "case_open",
    "case_reopen",
    "case_reveal",
    "case_update",
    "clean_categories",
    "close_approve",
    "close_reject",
    "close_request",
    "effect_record",
    "helper_activity_record",
    "helper_add",
    "last_mentor",
    "mentor_assign",
    "require_action",
    "reveal",
    "timeline_add",
]
