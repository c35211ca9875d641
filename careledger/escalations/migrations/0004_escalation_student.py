# An escalation names its student; the case becomes optional (a screening's urgent answer escalates a
# student who has no open case — nothing opens a case by itself).

import django.db.models.deletion
from django.db import migrations, models


def fill_student(apps, schema_editor):
    Escalation = apps.get_model("escalations", "Escalation")
    for escalation in Escalation.objects.select_related("case").only("pk", "case__student_id").iterator():
        Escalation.objects.filter(pk=escalation.pk).update(student_id=escalation.case.student_id)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_caseperiod"),
        ("escalations", "0003_encrypt_sensitive_columns"),
        ("roster", "0003_studentstatus"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="student",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="escalations",
                to="roster.student",
            ),
        ),
        migrations.RunPython(fill_student, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="escalation",
            name="student",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="escalations", to="roster.student"
            ),
        ),
        migrations.AlterField(
            model_name="escalation",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="escalations",
                to="cases.case",
            ),
        ),
    ]
