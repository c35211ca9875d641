"""The bench server's settings: CareLedger's own, with static files served without a collected manifest
(bench/load.py runs gunicorn on a throw-away database; collectstatic would cost minutes of the machine)."""

from careledger.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True

# Sign-in is not what is measured: Argon2 costs a large fraction of a second of CPU per login by design,
# and every simulated user signs in once at its start. bench/load.py stores the bench users' password
# with this fast hasher; Argon2 stays listed so that any other hash still verifies.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
