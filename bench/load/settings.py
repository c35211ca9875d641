"""The bench server's settings: CareLedger's own, with static files served without a collected manifest
(bench/load.py runs gunicorn on a throw-away database; collectstatic would cost minutes of the machine)."""

from careledger.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
