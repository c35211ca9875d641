"""The inbox page, the bell and mark-read through the test client (see conftest.notify_urls)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careledger.notify import services

pytestmark = pytest.mark.usefixtures("notify_urls")

NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")


def notify(
    *users, subject="【提醒】本月谈心未完成", body="文学院 2023级汉语言文学1班 1 名学生本月尚未谈心", link="/cases/12/"
):
    return services.notify(users=users, kind="reminder", subject=subject, body=body, link=link)


def test_anonymous_is_sent_to_login(client, school):
    for url in ("/inbox/", "/inbox/bell/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post("/inbox/read/").status_code == 302


def test_the_inbox_lists_only_the_users_own_messages(client, school):
    notify(school.carol)
    notify(school.bob, subject="只给 bob 的消息")
    client.force_login(school.carol)
    response = client.get("/inbox/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "【提醒】本月谈心未完成" in content and 'href="/cases/12/"' in content
    assert "文学院 2023级汉语言文学1班 1 名学生本月尚未谈心" in content
    assert "只给 bob 的消息" not in content
    assert "1 条未读" in content and "全部标为已读" in content


def test_text_in_a_message_is_escaped(client, school):
    notify(school.carol, subject="<script>alert(1)</script>")
    client.force_login(school.carol)
    content = client.get("/inbox/").content.decode()
    assert "<script>alert(1)</script>" not in content and "&lt;script&gt;" in content


def test_a_user_without_a_role_is_refused(client, school):
    client.force_login(school.harry)
    assert client.get("/inbox/").status_code == 403
    assert client.get("/inbox/bell/").status_code == 403


def test_wrong_methods_are_refused(client, school):
    client.force_login(school.carol)
    assert client.get("/inbox/read/").status_code == 405
    assert client.post("/inbox/").status_code == 405
    assert client.post("/inbox/bell/").status_code == 405


def test_mark_all_read(client, school):
    notify(school.carol)
    notify(school.carol)
    client.force_login(school.carol)
    response = client.post("/inbox/read/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert services.unread_count(school.carol) == 0
    assert "没有未读消息" in client.get("/inbox/").content.decode()


def test_mark_one_read_and_never_someone_elses(client, school):
    mine = notify(school.carol).deliveries.get()
    notify(school.carol)
    bobs = notify(school.bob).deliveries.get()
    client.force_login(school.carol)
    client.post("/inbox/read/", {"ids": [mine.pk, bobs.pk, "x"]})
    assert services.unread_count(school.carol) == 1
    assert services.unread_count(school.bob) == 1


def test_the_bell_shows_the_unread_count_and_keeps_polling(client, school):
    client.force_login(school.carol)
    empty = client.get("/inbox/bell/").content.decode()
    assert 'class="bell"' in empty and "bell-count" not in empty
    for _ in range(3):
        notify(school.carol)
    response = client.get("/inbox/bell/")
    content = response.content.decode()
    assert '<span class="badge badge-danger bell-count" aria-hidden="true">3</span>' in content
    assert 'hx-get="/inbox/bell/"' in content and 'hx-trigger="every 60s"' in content
    assert 'hx-swap="outerHTML"' in content and 'href="/inbox/"' in content
    assert "no-store" in response["Cache-Control"]
    assert "<html" not in content  # a fragment, not a page


def test_the_bell_caps_the_count(client, school):
    for _ in range(100):
        notify(school.carol)
    client.force_login(school.carol)
    assert ">99+</span>" in client.get("/inbox/bell/").content.decode()


def test_polling_the_bell_does_not_keep_an_idle_session_alive(client, school):
    """SEC-5: 30 idle minutes end the session. The bell asks every minute by itself; that is not activity."""
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(school.carol)
        for minute in (10, 20, 29):
            clock.move_to(NOW + timedelta(minutes=minute))
            assert client.get("/inbox/bell/").status_code == 200
        clock.move_to(NOW + timedelta(minutes=31))
        response = client.get("/inbox/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_page_view_is_activity(client, school):
    with time_machine.travel(NOW, tick=False) as clock:
        client.force_login(school.carol)
        clock.move_to(NOW + timedelta(minutes=20))
        assert client.get("/inbox/").status_code == 200
        clock.move_to(NOW + timedelta(minutes=45))
        assert client.get("/inbox/").status_code == 200


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/inbox/").status_code == 200
    return len(queries)


def test_the_inbox_query_count_does_not_grow_with_the_messages(client, school):
    client.force_login(school.carol)
    notify(school.carol)
    few = count_queries(client)
    for _ in range(40):
        notify(school.carol)
    # session, user, grants + their classes (policy), the page's count, the unread count, the rows (message
    # joined); no session save (nothing changed)
    assert few == count_queries(client) == 7
