"""Channels configured per user and per department through the API; robot keys never shown."""

from rest_framework.test import APIClient

from careledger.audit.models import AuditEvent
from careledger.notify.models import Channel

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa"


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_user_adds_their_own_email_and_the_school_a_departments_robot(school):
    mine = as_user(school.carol).post(
        "/api/v1/channels/", {"kind": "email", "address": "carol@example.edu.cn"}, format="json"
    )
    assert mine.status_code == 201 and mine.json()["owner"] == {"user": "carol"}
    robot = as_user(school.alice).post(
        "/api/v1/channels/", {"kind": "wecom", "address": WECOM, "department": "psych_center"}, format="json"
    )
    assert robot.status_code == 201, robot.json()
    assert "693axxx6" not in robot.json()["address"] and robot.json()["owner"] == {"department": "psych_center"}
    assert AuditEvent.objects.filter(object_type="channel", action="create").count() == 2


def test_only_the_school_configures_department_channels_and_others_channels_are_404(school):
    refused = as_user(school.carol).post(
        "/api/v1/channels/", {"kind": "wecom", "address": WECOM, "department": "psych_center"}, format="json"
    )
    assert refused.status_code == 403 and not Channel.objects.exists()
    mine = as_user(school.carol).post(
        "/api/v1/channels/", {"kind": "email", "address": "c@example.edu.cn"}, format="json"
    )
    assert as_user(school.dave).post(f"/api/v1/channels/{mine.json()['id']}/deactivate/").status_code == 404
    assert as_user(school.dave).get("/api/v1/channels/").json()["count"] == 0
    off = as_user(school.carol).post(f"/api/v1/channels/{mine.json()['id']}/deactivate/")
    assert off.json()["is_active"] is False


def test_bad_addresses_are_400(school):
    client = as_user(school.carol)
    assert (
        client.post("/api/v1/channels/", {"kind": "email", "address": "not-an-address"}, format="json").status_code
        == 400
    )
    assert client.post("/api/v1/channels/", {"kind": "wecom", "address": "ftp://x"}, format="json").status_code == 400
