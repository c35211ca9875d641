"""The settings' groups, one module each, read by careledger/settings.py (DJANGO_SETTINGS_MODULE). Each
setting is declared in exactly one of them or in settings.py; they import careledger.core and each other,
never a domain app."""
