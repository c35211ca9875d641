"""The load of bench/load.py: mentors record contacts, counselors browse their cases, admins watch the
school. Users sign in through the login form (two-factor off on the bench server)."""

import json
import os
import random
import re
from datetime import datetime

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["BENCH_LOAD_DATA"]).read())  # noqa: SIM115
PASSWORD = DATA["password"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _Signed(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    username = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text).group(1)
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
        )


class Mentor(_Signed):
    weight = 5

    def on_start(self):
        n = random.randrange(len(DATA["mentors"]))
        self.username = DATA["mentors"][n]["username"]
        self.cases = DATA["mentors"][n]["cases"]
        super().on_start()

    @task(3)
    def record_contact(self):
        case = random.choice(self.cases)
        form = self.client.get(f"/cases/{case}/contacts/new/", name="contact form")
        match = CSRF.search(form.text)
        if not match:
            form.failure("no form")
            return
        self.client.post(
            f"/cases/{case}/contacts/new/",
            {
                "csrfmiddlewaretoken": match.group(1),
                "kind": "talk",
                "occurred_at": datetime.now().strftime("%Y-%m-%dT%H:%M"),
                "location": "办公室",
                "content": "了解近况，鼓励按时作息。",
            },
            name="record contact",
        )

    @task(1)
    def case_page(self):
        self.client.get(f"/cases/{random.choice(self.cases)}/", name="case page")


class Counselor(_Signed):
    weight = 3
    username = DATA["counselor"]

    @task(2)
    def home(self):
        self.client.get("/", name="home")

    @task(2)
    def work(self):
        self.client.get("/work/", name="work view")

    @task(3)
    def case_page(self):
        self.client.get(f"/cases/{random.choice(DATA['counselor_cases'])}/", name="case page")

    @task(1)
    def students(self):
        self.client.get("/students/", name="student list")


class Admin(_Signed):
    weight = 1
    username = DATA["admin"]

    @task(2)
    def home(self):
        self.client.get("/", name="admin home")

    @task(1)
    def assessment(self):
        self.client.get("/assessment/", name="assessment")

    @task(1)
    def overdue(self):
        self.client.get("/api/v1/compliance/overdue/", name="overdue API")
