"""Who is told of what in the reporting loop (api.md, "Notifications"). Each function is called by the
service that makes the event, inside its transaction, and stores its messages in the outbox there.

| event                                          | told                                                  |
|------------------------------------------------|-------------------------------------------------------|
| an escalation is reported                      | the college's college_admins and the chosen departments |
| an escalation is acknowledged / resolved       | its reporter                                          |
| a ledger is submitted (or resubmitted)         | the school_admins, and each section for its categories |
| a ledger is returned (comment) or accepted     | who submitted it and the college's college_admins     |
| an addendum (随时上报) arrives                  | the school_admins, and the section of its category    |
| a closure (撤销建档) is requested               | the college's college_admins                          |
| a closure is approved or rejected              | who requested it                                      |
| a mentor is paired with a case                 | that mentor                                           |

A message names the student only to a person the policy lets see that student (``policy.may_name_student``);
everyone else gets the same message without the name. Bodies carry the least detail needed: never case,
psychological or medical text (the message also leaves the system by e-mail and group robots).

One module per subject — ``escalations``, ``ledgers``, ``cases`` — on ``base`` (the recipients and ``tell``);
this package re-exports every public name, and core.outbox.events() hands it to the apps below notify.
"""

from careledger.notify.events.base import college_admins, department_users, school_admins, section_users
from careledger.notify.events.cases import closure_decided, closure_requested, mentor_paired
from careledger.notify.events.escalations import escalation_acknowledged, escalation_reported, escalation_resolved
from careledger.notify.events.ledgers import (
    addenda_arrived,
    ledger_awaiting_confirmation,
    ledger_decided,
    ledger_submitted,
)

__all__ = [
    "addenda_arrived",
    "closure_decided",
    "closure_requested",
    "college_admins",
    "department_users",
    "escalation_acknowledged",
    "escalation_reported",
    "escalation_resolved",
    "ledger_awaiting_confirmation",
    "ledger_decided",
    "ledger_submitted",
    "mentor_paired",
    "school_admins",
    "section_users",
]
