"""The inbox page and the bell. Both show only the caller's own messages, so they need no object scope."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from careledger.notify import services

PAGE_SIZE = 50


class _UnrefreshedSession:
    """The request's session, except that saving it does nothing.

    With SESSION_SAVE_EVERY_REQUEST every request pushes the idle timeout back (SEC-5). The bell polls every
    minute by itself; if that counted as activity an open tab would never time out.
    """

    def __init__(self, session):
        self._session = session

    def __getattr__(self, name: str):
        return getattr(self._session, name)

    def __getitem__(self, key):
        return self._session[key]

    def __setitem__(self, key, value):
        self._session[key] = value

    def __delitem__(self, key):
        del self._session[key]

    def __contains__(self, key) -> bool:
        return key in self._session

    def save(self, must_create: bool = False) -> None:
        pass


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(services.inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = services.unread_count(request.user)
    return render(request, "notify/inbox.html", {"page": page, "unread": unread})


@require_GET
@never_cache
def bell(request: HttpRequest) -> HttpResponse:
    response = render(request, "notify/_bell.html", {"unread": services.unread_count(request.user)})
    request.session = _UnrefreshedSession(request.session)
    return response


@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the posted ``ids`` read, or every unread message when none is posted (“全部标为已读”)."""
    ids = request.POST.getlist("ids")
    services.mark_read(request.user, [int(i) for i in ids if i.isdigit()] if ids else None)
    return redirect("notify:inbox")
