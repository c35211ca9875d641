"""The account pages (list, create, edit, grants, staff import) and sign-in, through the test client.

Personas come from tests.support.testing.build_school: alice is the school admin, bob runs 文学院
(文学与新闻传播学院), ivan runs 数学学院, carol counsels 文学院's 2023 grade, harry has no grant.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.accounts.models import Grant, Role, User
from tests.support.testing import PASSWORD, build_school, make_user

NEW_PASSWORD = "Counselor-2026-pw"


def login_url(next_url: str) -> str:
    return f"{reverse('login')}?next={next_url}"


class UserListTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def test_school_admin_sees_every_account(self):
        self.client.force_login(self.school.alice)
        r = self.client.get(reverse("accounts:user-list"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "accounts/user_list.html")
        for username in ("bob", "carol", "ivan", "harry"):
            self.assertContains(r, reverse("accounts:user-edit", args=[self.school.users[username].pk]))
        self.assertContains(r, "辅导员")

    def test_college_admin_sees_only_own_college_staff(self):
        self.client.force_login(self.school.bob)
        r = self.client.get(reverse("accounts:user-list"))
        self.assertContains(r, reverse("accounts:user-edit", args=[self.school.carol.pk]))
        self.assertNotContains(r, reverse("accounts:user-edit", args=[self.school.ivan.pk]))
        self.assertNotContains(r, reverse("accounts:user-edit", args=[self.school.alice.pk]))

    def test_search_by_username(self):
        self.client.force_login(self.school.alice)
        r = self.client.get(reverse("accounts:user-list"), {"q": "carol"})
        self.assertContains(r, reverse("accounts:user-edit", args=[self.school.carol.pk]))
        self.assertNotContains(r, reverse("accounts:user-edit", args=[self.school.bob.pk]))

    def test_counselor_is_refused(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("accounts:user-list"))
        self.assertEqual(r.status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        url = reverse("accounts:user-list")
        self.assertRedirects(self.client.get(url), login_url(url), fetch_redirect_response=False)

    def test_post_is_refused(self):
        self.client.force_login(self.school.alice)
        r = self.client.post(reverse("accounts:user-list"))
        self.assertEqual(r.status_code, 405)

    def test_query_count_does_not_grow_with_accounts(self):
        self.client.force_login(self.school.alice)
        url = reverse("accounts:user-list")
        self.client.get(url)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for i in range(25):
            make_user(f"staff{i:02d}", role=Role.COUNSELOR, college=self.school.wenxue, grades=["2024"])
        with CaptureQueriesContext(connection) as large:
            self.client.get(url)
        # Per request: session, user, grants, grants' classes (no session save). The page: count,
        # one page of users, then their grants with colleges, classes and departments prefetched.
        self.assertEqual(len(large), len(small), [q["sql"] for q in large.captured_queries])


class UserCreateTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def post(self, **overrides):
        data = {
            "username": "T2026001",
            "name": "周老师",
            "phone": "13800001111",
            "password": NEW_PASSWORD,
            "role": Role.COUNSELOR,
            "college": self.school.wenxue.pk,
            "grades": "2024",
            "classes": "",
            "department": "",
        }
        data.update(overrides)
        return self.client.post(reverse("accounts:user-create"), data)

    def test_form_is_shown(self):
        self.client.force_login(self.school.bob)
        r = self.client.get(reverse("accounts:user-create"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "accounts/user_create.html")
        self.assertContains(r, 'name="username"')
        self.assertContains(r, self.school.wenxue.name)
        self.assertNotContains(r, self.school.shuxue.name)

    def test_college_admin_creates_counselor(self):
        self.client.force_login(self.school.bob)
        r = self.post()
        user = User.objects.get(username="T2026001")
        self.assertRedirects(r, reverse("accounts:user-edit", args=[user.pk]), fetch_redirect_response=False)
        self.assertTrue(user.must_change_password)
        grant = user.grants.get()
        self.assertEqual((grant.role, grant.college, grant.grades), (Role.COUNSELOR, self.school.wenxue, ["2024"]))
        self.assertContains(self.client.get(r.url), "已创建账号 T2026001")

    def test_weak_password_is_refused(self):
        self.client.force_login(self.school.bob)
        r = self.post(password="abc")
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "errorlist", status_code=400)
        self.assertFalse(User.objects.filter(username="T2026001").exists())

    def test_college_admin_cannot_grant_in_other_college(self):
        self.client.force_login(self.school.bob)
        r = self.post(college=self.school.shuxue.pk)
        self.assertEqual(r.status_code, 400)
        self.assertFalse(User.objects.filter(username="T2026001").exists())

    def test_anonymous_is_sent_to_login(self):
        url = reverse("accounts:user-create")
        self.assertRedirects(self.client.get(url), login_url(url), fetch_redirect_response=False)

    def test_put_is_refused(self):
        self.client.force_login(self.school.alice)
        self.assertEqual(self.client.put(reverse("accounts:user-create")).status_code, 405)


class UserEditTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def url(self, user: User | None = None) -> str:
        return reverse("accounts:user-edit", args=[(user or self.school.carol).pk])

    def test_page_shows_profile_grants_and_actions(self):
        self.client.force_login(self.school.bob)
        r = self.client.get(self.url())
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "accounts/user_edit.html")
        grant = self.school.carol.grants.get()
        self.assertContains(r, reverse("accounts:grant-delete", args=[grant.pk]))
        self.assertContains(r, reverse("accounts:grant-add", args=[self.school.carol.pk]))
        self.assertContains(r, reverse("accounts:user-active", args=[self.school.carol.pk]))
        self.assertContains(r, "2023级")

    def test_profile_is_saved(self):
        self.client.force_login(self.school.bob)
        r = self.client.post(self.url(), {"name": "陈老师", "phone": "13800002222", "password": ""})
        self.assertRedirects(r, self.url())
        self.school.carol.refresh_from_db()
        self.assertEqual(self.school.carol.name, "陈老师")

    def test_other_college_admin_gets_404(self):
        self.client.force_login(self.school.ivan)
        r = self.client.get(self.url())
        self.assertEqual(r.status_code, 404)
        self.assertTemplateUsed(r, "404.html")

    def test_anonymous_is_sent_to_login(self):
        url = self.url()
        self.assertRedirects(self.client.get(url), login_url(url), fetch_redirect_response=False)

    def test_delete_is_refused(self):
        self.client.force_login(self.school.bob)
        self.assertEqual(self.client.delete(self.url()).status_code, 405)


class UserActiveTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def url(self) -> str:
        return reverse("accounts:user-active", args=[self.school.carol.pk])

    def test_college_admin_deactivates_and_reactivates(self):
        self.client.force_login(self.school.bob)
        r = self.client.post(self.url(), {"active": "0"})
        self.assertRedirects(r, reverse("accounts:user-edit", args=[self.school.carol.pk]))
        self.school.carol.refresh_from_db()
        self.assertIs(self.school.carol.is_active, False)
        self.client.post(self.url(), {"active": "1"})
        self.school.carol.refresh_from_db()
        self.assertIs(self.school.carol.is_active, True)

    def test_other_college_admin_gets_404(self):
        self.client.force_login(self.school.ivan)
        self.assertEqual(self.client.post(self.url(), {"active": "0"}).status_code, 404)
        self.school.carol.refresh_from_db()
        self.assertIs(self.school.carol.is_active, True)

    def test_anonymous_is_sent_to_login(self):
        r = self.client.post(self.url(), {"active": "0"})
        self.assertRedirects(r, login_url(self.url()), fetch_redirect_response=False)

    def test_get_is_refused(self):
        self.client.force_login(self.school.bob)
        self.assertEqual(self.client.get(self.url()).status_code, 405)


class GrantPagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def add_url(self) -> str:
        return reverse("accounts:grant-add", args=[self.school.carol.pk])

    def test_form_page_is_shown(self):
        self.client.force_login(self.school.bob)
        r = self.client.get(self.add_url())
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "accounts/grant_add.html")

    def test_college_admin_adds_mentor_grant(self):
        self.client.force_login(self.school.bob)
        r = self.client.post(self.add_url(), {"role": Role.MENTOR, "college": self.school.wenxue.pk})
        self.assertRedirects(r, reverse("accounts:user-edit", args=[self.school.carol.pk]))
        self.assertTrue(self.school.carol.grants.filter(role=Role.MENTOR).exists())

    def test_invalid_grant_shows_errors(self):
        self.client.force_login(self.school.bob)
        r = self.client.post(self.add_url(), {"role": Role.COUNSELOR, "college": self.school.wenxue.pk})
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "辅导员须指定所带年级或班级", status_code=400)

    def test_grant_is_deleted(self):
        grant = self.school.carol.grants.get()
        self.client.force_login(self.school.alice)
        r = self.client.post(reverse("accounts:grant-delete", args=[grant.pk]))
        self.assertRedirects(r, reverse("accounts:user-edit", args=[self.school.carol.pk]))
        self.assertFalse(Grant.objects.filter(pk=grant.pk).exists())

    def test_other_college_admin_gets_404(self):
        self.client.force_login(self.school.ivan)
        self.assertEqual(self.client.get(self.add_url()).status_code, 404)
        grant = self.school.carol.grants.get()
        self.assertEqual(self.client.post(reverse("accounts:grant-delete", args=[grant.pk])).status_code, 404)
        self.assertTrue(Grant.objects.filter(pk=grant.pk).exists())

    def test_anonymous_is_sent_to_login(self):
        url = self.add_url()
        self.assertRedirects(self.client.get(url), login_url(url), fetch_redirect_response=False)

    def test_wrong_methods_are_refused(self):
        self.client.force_login(self.school.alice)
        grant = self.school.carol.grants.get()
        self.assertEqual(self.client.get(reverse("accounts:grant-delete", args=[grant.pk])).status_code, 405)
        self.assertEqual(self.client.put(self.add_url()).status_code, 405)


STAFF_CSV = "工号,姓名,手机,学院,角色,年级,班级\nT2026001,周老师,13800001111,文学与新闻传播学院,辅导员,2024,\n"


class StaffImportPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def upload(self, text: str, *, dry_run: bool):
        data = {"file": SimpleUploadedFile("staff.csv", text.encode("utf-8"), content_type="text/csv")}
        if dry_run:
            data["dry_run"] = "on"
        return self.client.post(reverse("accounts:staff-import"), data)

    def test_page_lists_columns(self):
        self.client.force_login(self.school.bob)
        r = self.client.get(reverse("accounts:staff-import"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "accounts/staff_import.html")
        self.assertContains(r, "工号")
        self.assertContains(r, "employee_id")

    def test_dry_run_shows_no_passwords_and_writes_nothing(self):
        self.client.force_login(self.school.bob)
        r = self.upload(STAFF_CSV, dry_run=True)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "仅检查，未写入")
        self.assertNotContains(r, "initial-passwords")
        self.assertFalse(User.objects.filter(username="T2026001").exists())

    def test_import_shows_initial_passwords_once(self):
        self.client.force_login(self.school.bob)
        r = self.upload(STAFF_CSV, dry_run=False)
        self.assertEqual(r.status_code, 200)
        user = User.objects.get(username="T2026001")
        self.assertTrue(user.must_change_password)
        (item,) = r.context["report"].extra["initial_passwords"]
        self.assertContains(r, "初始密码只显示这一次")
        self.assertContains(r, item["password"])
        self.assertTrue(user.check_password(item["password"]))

    def test_bad_row_is_reported(self):
        self.client.force_login(self.school.bob)
        r = self.upload(STAFF_CSV.replace("辅导员", "校长"), dry_run=False)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "问题清单", status_code=400)
        self.assertContains(r, "校长", status_code=400)

    def test_counselor_is_refused(self):
        self.client.force_login(self.school.carol)
        self.assertEqual(self.client.get(reverse("accounts:staff-import")).status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        url = reverse("accounts:staff-import")
        self.assertRedirects(self.client.get(url), login_url(url), fetch_redirect_response=False)

    def test_put_is_refused(self):
        self.client.force_login(self.school.bob)
        self.assertEqual(self.client.put(reverse("accounts:staff-import")).status_code, 405)


class SignInTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def test_login_page_names_the_school(self):
        r = self.client.get(reverse("login"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "core/login.html")
        self.assertContains(r, "精准关爱台账系统")
        self.assertContains(r, "赣南师范大学")

    def test_wrong_password_gives_one_message(self):
        r = self.client.post(reverse("login"), {"username": "carol", "password": "wrong"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "用户名或密码错误")

    def test_login_leads_home_with_grants_and_counts(self):
        r = self.client.post(reverse("login"), {"username": "carol", "password": PASSWORD}, follow=True)
        self.assertTemplateUsed(r, "home/home.html")
        self.assertContains(r, "辅导员")
        self.assertEqual(r.context["counts"]["active"], 2)
        self.assertContains(r, reverse("students:list"))
        self.assertNotContains(r, reverse("accounts:user-list"))

    def test_logout_is_a_post(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("home"))
        self.assertContains(r, f'action="{reverse("logout")}"')
        r = self.client.post(reverse("logout"))
        self.assertRedirects(r, reverse("login"), fetch_redirect_response=False)

    def test_password_change_page(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("password_change"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "core/password_change.html")
        r = self.client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        self.assertRedirects(r, reverse("home"))

    def test_language_switch_keeps_the_page(self):
        self.client.force_login(self.school.carol)
        r = self.client.post(reverse("set_language"), {"language": "en", "next": reverse("students:list")})
        self.assertRedirects(r, reverse("students:list"), fetch_redirect_response=False)
        r = self.client.get(reverse("students:list"))
        self.assertContains(r, '<html lang="en">')
        self.assertContains(r, 'value="zh-hans"')
