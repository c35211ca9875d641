from django.conf import settings

from careledger.accounts import policy


def site(request):
    user = getattr(request, "user", None)
    return {
        "SCHOOL_NAME": settings.SCHOOL_NAME,
        # Navigation shows only what the user may open: asked of the same rules the views enforce.
        "nav": policy.nav_for(user) if user is not None else {key: False for key in policy.NAV},
    }
