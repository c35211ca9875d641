"""The student pages and the roster upload page, through the test client.

Personas come from tests.support.testing.build_school: carol counsels 文学院's 2023 grade (sees 张三丰
and 李四, not 王小明 of 2024 or 赵六 of 数学学院), ivan runs 数学学院, alice is the school admin, harry
has no grant.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careledger.audit.models import Action, AuditEvent
from careledger.roster.models import SchoolClass, Student
from careledger.roster.rules import name_initials
from tests.support.testing import audited_read_queries, build_school, make_id_number

ZHANG = "202301010001"


def new_student(student_no: str, name: str, school_class: SchoolClass, **extra) -> Student:
    """An unsaved student, for bulk_create."""
    return Student(
        student_no=student_no,
        name=name,
        name_initials=name_initials(name),
        gender="M",
        college=school_class.college,
        grade=school_class.grade,
        school_class=school_class,
        **extra,
    )


class StudentPagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()
        cls.id_number = make_id_number("20050101", 123)
        Student.objects.filter(student_no=ZHANG).update(id_number=cls.id_number, parent_name="张大山")

    # --- student list ---

    def test_counselor_sees_only_students_of_own_grade(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:list"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "roster/student_list.html")
        self.assertContains(r, "张三丰")
        self.assertContains(r, "李四")
        self.assertNotContains(r, "王小明")
        self.assertNotContains(r, "赵六")
        self.assertContains(r, reverse("students:detail", args=[ZHANG]))

    def test_list_masks_phone_numbers(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:list"))
        self.assertContains(r, "138****5678")
        self.assertNotContains(r, "13812345678")

    def test_list_searches_by_pinyin_initials(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:list"), {"q": "zsf"})
        self.assertContains(r, "张三丰")
        self.assertNotContains(r, "李四")

    def test_filters_cannot_widen_scope(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:list"), {"college": self.school.shuxue.name})
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "赵六")

    def test_navigation_shows_only_what_the_role_allows(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:list"))
        self.assertContains(r, reverse("students:list"))
        self.assertNotContains(r, reverse("accounts:user-list"))
        self.assertNotContains(r, reverse("roster:import"))

    def test_htmx_request_gets_only_the_table(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:list"), {"q": "李"}, headers={"HX-Request": "true"})
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "roster/_student_table.html")
        self.assertTemplateNotUsed(r, "base.html")
        self.assertNotContains(r, "<html")
        self.assertContains(r, "李四")
        self.assertNotContains(r, "张三丰")

    def test_pagination_links_keep_filters(self):
        Student.objects.bulk_create(
            [new_student(f"2023010100{i:02d}", f"学生{i}", self.school.c2023_1) for i in range(10, 50)]
        )
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:list"), {"grade": "2023", "class": "2023级汉语言文学1班"})
        self.assertEqual(r.context["page"].paginator.num_pages, 2)
        self.assertContains(
            r, "grade=2023&amp;class=2023%E7%BA%A7%E6%B1%89%E8%AF%AD%E8%A8%80%E6%96%87%E5%AD%A61%E7%8F%AD&amp;page=2"
        )

    def test_account_without_grant_is_refused_the_list(self):
        self.client.force_login(self.school.harry)
        r = self.client.get(reverse("students:list"))
        self.assertEqual(r.status_code, 403)
        self.assertTemplateUsed(r, "403.html")

    def test_anonymous_is_sent_to_login_from_list(self):
        url = reverse("students:list")
        r = self.client.get(url)
        self.assertRedirects(r, f"{reverse('login')}?next={url}", fetch_redirect_response=False)

    def test_list_refuses_post(self):
        self.client.force_login(self.school.carol)
        r = self.client.post(reverse("students:list"))
        self.assertEqual(r.status_code, 405)

    def test_list_issues_same_queries_for_10_and_1000_students(self):
        c2023_1 = self.school.c2023_1
        Student.objects.bulk_create(
            [new_student(f"2023010190{i:02d}", f"甲{i}", c2023_1, phone="13800000000") for i in range(8)]
        )
        self.client.force_login(self.school.carol)
        url = reverse("students:list")
        self.client.get(url)  # warm up caches (content types) outside the measured requests

        with CaptureQueriesContext(connection) as small:
            r = self.client.get(url)
        self.assertEqual(r.context["page"].paginator.count, 10)

        Student.objects.bulk_create(
            [new_student(f"20230102{i:04d}", f"乙{i}", c2023_1, phone="13800000000") for i in range(990)]
        )
        with CaptureQueriesContext(connection) as large:
            r = self.client.get(url)
        self.assertEqual(r.context["page"].paginator.count, 1000)

        # 9 queries, whatever the roster's size. Per request: session, user, grants, the grants'
        # classes (a request that changes nothing saves no session). The page: count, one page of
        # rows (college, major, class and dorm joined), then the colleges, grades and classes that
        # fill the filter selects.
        self.assertEqual(len(large), len(small), [q["sql"] for q in large.captured_queries])
        self.assertEqual(
            len(large), 9 + audited_read_queries(), [q["sql"] for q in large.captured_queries]
        )  # the audited read (SEC-52)

    # --- student detail ---

    def test_counselor_sees_student_page_with_masked_id_number(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("students:detail", args=[ZHANG]))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "roster/student_detail.html")
        self.assertContains(r, "张三丰")
        self.assertContains(r, ZHANG)
        self.assertContains(r, "东区12栋305")
        self.assertContains(r, "张大山")
        self.assertContains(r, self.id_number[:3] + "*" * 11 + self.id_number[-4:])
        self.assertNotContains(r, self.id_number)

    def test_viewing_student_is_audited(self):
        self.client.force_login(self.school.carol)
        self.client.get(reverse("students:detail", args=[ZHANG]))
        self.assertTrue(
            AuditEvent.objects.filter(actor=self.school.carol, action=Action.READ, student_no=ZHANG).exists()
        )

    def test_college_admin_of_other_college_gets_404(self):
        self.client.force_login(self.school.ivan)
        r = self.client.get(reverse("students:detail", args=[ZHANG]))
        self.assertEqual(r.status_code, 404)
        self.assertTemplateUsed(r, "404.html")

    def test_missing_student_is_404(self):
        self.client.force_login(self.school.alice)
        r = self.client.get(reverse("students:detail", args=["199999999999"]))
        self.assertEqual(r.status_code, 404)

    def test_anonymous_is_sent_to_login_from_detail(self):
        url = reverse("students:detail", args=[ZHANG])
        r = self.client.get(url)
        self.assertRedirects(r, f"{reverse('login')}?next={url}", fetch_redirect_response=False)

    def test_detail_refuses_post(self):
        self.client.force_login(self.school.carol)
        r = self.client.post(reverse("students:detail", args=[ZHANG]))
        self.assertEqual(r.status_code, 405)


ROSTER_CSV = (
    "学号,姓名,性别,学院,年级,班级,联系方式\n"
    "202301010001,张三丰,男,文学与新闻传播学院,2023,2023级汉语言文学1班,13812345678\n"
)
BAD_ROSTER_CSV = "学号,姓名,性别,学院,年级,班级\n20230101AB,张三丰,男,文学与新闻传播学院,2023,2023级汉语言文学1班\n"


class RosterImportPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.school = build_school()

    def upload(self, text: str, *, dry_run: bool):
        data = {"file": SimpleUploadedFile("roster.csv", text.encode("utf-8"), content_type="text/csv")}
        if dry_run:
            data["dry_run"] = "on"
        return self.client.post(reverse("roster:import"), data)

    def test_page_lists_columns_and_checks_dry_run_by_default(self):
        self.client.force_login(self.school.alice)
        r = self.client.get(reverse("roster:import"))
        self.assertEqual(r.status_code, 200)
        self.assertTemplateUsed(r, "roster/import.html")
        self.assertContains(r, "身份证号")
        self.assertContains(r, "student_no")
        self.assertContains(r, 'enctype="multipart/form-data"')
        self.assertInHTML('<input type="checkbox" name="dry_run" id="id_dry_run" checked>', r.content.decode())

    def test_dry_run_reports_and_writes_nothing(self):
        self.client.force_login(self.school.alice)
        r = self.upload(ROSTER_CSV.replace("张三丰", "张三"), dry_run=True)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "仅检查，未写入")
        self.assertEqual(r.context["report"].updated, 1)
        self.assertEqual(Student.objects.get(student_no=ZHANG).name, "张三丰")

    def test_upload_writes_students(self):
        self.client.force_login(self.school.alice)
        r = self.upload(ROSTER_CSV.replace("张三丰", "张三"), dry_run=False)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "导入完成")
        self.assertEqual(Student.objects.get(student_no=ZHANG).name, "张三")

    def test_bad_file_shows_row_column_problem_table(self):
        self.client.force_login(self.school.alice)
        r = self.upload(BAD_ROSTER_CSV, dry_run=False)
        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "问题清单", status_code=400)
        self.assertContains(r, "20230101AB", status_code=400)
        self.assertEqual(Student.objects.get(student_no=ZHANG).name, "张三丰")

    def test_counselor_is_refused(self):
        self.client.force_login(self.school.carol)
        r = self.client.get(reverse("roster:import"))
        self.assertEqual(r.status_code, 403)

    def test_anonymous_is_sent_to_login(self):
        url = reverse("roster:import")
        r = self.client.get(url)
        self.assertRedirects(r, f"{reverse('login')}?next={url}", fetch_redirect_response=False)

    def test_put_is_refused(self):
        self.client.force_login(self.school.alice)
        r = self.client.put(reverse("roster:import"))
        self.assertEqual(r.status_code, 405)
