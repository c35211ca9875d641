"""The ``ledgers`` namespace: the ledger app's pages (ledgers/urls.py) and, from this layer, the downloads
that call the exporters or start jobs (web/ledger_downloads.py) — one namespace, the names of before."""

from django.urls import path

from careledger.ledgers import urls as ledger_urls
from careledger.web import ledger_downloads

app_name = "ledgers"

urlpatterns = [
    *ledger_urls.urlpatterns,
    path("ledgers/school/export/", ledger_downloads.school_export, name="school-export"),
    path("ledgers/case-file/<int:case_pk>/", ledger_downloads.case_file, name="case-file"),
    path("ledgers/<int:pk>/export/", ledger_downloads.ledger_export, name="export"),
    path("ledgers/<int:pk>/case-files/", ledger_downloads.ledger_case_files, name="case-files"),
]
