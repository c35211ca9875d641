"""The case pages. Each view starts with a policy fetch; writes go through the services, which hold the rules.

One module per page (cases/urls.py names each view by its module):

- ``work``: 我的工作台 and the case list;
- ``editing``: opening a case file and editing it;
- ``case_page``: the case page (and the break-glass reveal that shows it);
- ``actions``: the case page's inline forms (mentor, help group, effect, closure, reopening);
- ``contacts``: 辅导记录 quick entry;
- ``semesters``: the semester list.

"""

from careledger.cases.views.work import work_context  # the home page shows the work view's figures

__all__ = ["work_context"]
