from django.conf import settings

from careledger.accounts import policy
from careledger.accounts.models import Role


def site(request):
    user = getattr(request, "user", None)
    roles = policy.roles_of(user) if user is not None else frozenset()
    return {
        "SCHOOL_NAME": settings.SCHOOL_NAME,
        "user_roles": roles,
        # Navigation shows only what the user's grants allow: the same rules the views enforce.
        "nav": {
            "students": bool(roles & policy.STUDENT_READERS),
            "accounts": bool(roles & policy.ADMINS),
            "roster_import": bool(roles & policy.ADMINS),
            "cases": bool(roles & policy.CASE_READERS),
            "open_case": bool(roles & policy.CASE_OPENERS),
            "semesters": Role.SCHOOL_ADMIN in roles,
            "survey": bool(roles & policy.SURVEY_VIEWERS),
            "ledger": bool(roles & policy.LEDGER_KEEPERS),
            "school_ledgers": bool(roles & {Role.SCHOOL_ADMIN, Role.SECTION}),
            "escalations": bool(roles & policy.ESCALATION_READERS),
            "assessment": bool(roles & policy.RULES["assessment:dashboard"].read),
            "audit": bool(roles & policy.AUDIT_READERS),
            "evidence_upload": bool(roles & policy.EVIDENCE_UPLOADERS),  # evidence (issue 16)
        },
    }
