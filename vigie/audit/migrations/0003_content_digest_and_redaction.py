"""The columns a redactable chain needs; migration 0004 fills content_digest."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_refuse_changes_on_postgresql")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="content_digest",
            # Empty only until 0004 computes it for the rows already there.
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="content digest"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="redacted_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="redacted on"
            ),
        ),
    ]
