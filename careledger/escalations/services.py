from django.db import transaction

from careledger.audit.services import Action, record
from careledger.escalations.models import Department


@transaction.atomic
def department_create(*, actor, code: str, name: str) -> Department:
    department = Department(code=code, name=name)
    department.full_clean()
    department.save()
    record(actor=actor, action=Action.CREATE, object_type="department", object_id=department.pk, detail={"code": code})
    return department
