# Index-only bounded counts of a team's clients and of cases by status (docs/PERFORMANCE.md).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_client_name_order"),
        ("core", "0004_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["id", "status"], name="case_count_status"),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["id", "region"],
                name="client_current_count",
            ),
        ),
    ]
