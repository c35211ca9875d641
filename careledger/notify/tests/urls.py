"""The site's URLs plus the inbox ones (if careledger/urls.py does not include them yet)."""

from django.urls import URLResolver, include, path

from careledger.urls import urlpatterns as site_patterns

urlpatterns = list(site_patterns)
if not any(isinstance(p, URLResolver) and p.namespace == "notify" for p in site_patterns):
    urlpatterns.append(path("", include("careledger.notify.urls", namespace="notify")))
