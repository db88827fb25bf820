# Index-only: the default order of the case and aid-request lists (docs/PERFORMANCE.md).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_client_anonymisation"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-opened_at", "id"], name="case_opened_order"),
        ),
    ]
