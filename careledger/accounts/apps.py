from django.apps import AppConfig
from django.core import checks


class AccountsConfig(AppConfig):
    name = "careledger.accounts"

    def ready(self) -> None:
        from careledger.accounts import policy, signals  # noqa: F401 (connects the receivers)
        from careledger.audit import services as audit_services

        audit_services.set_roles_reader(policy.roles_of)  # audit rows name the actor's roles

        checks.register(check_otp_roles, checks.Tags.security)


def check_otp_roles(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A misspelt role in CARELEDGER_2FA_ROLES would silently leave that role without two-factor."""
    from django.conf import settings

    from careledger.accounts.models import Role

    unknown = sorted(set(settings.OTP_ROLES) - set(Role.values))
    if unknown:
        return [
            checks.Error(
                f"CARELEDGER_2FA_ROLES names unknown roles: {', '.join(unknown)}",
                hint=f"Known roles: {', '.join(Role.values)}",
                id="careledger.E001",
            )
        ]
    return []
