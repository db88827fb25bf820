# Index-only: the default order of the case and aid-request lists (docs/PERFORMANCE.md).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_employment"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="aidrequest",
            index=models.Index(fields=["-created_at", "id"], name="aid_created_order"),
        ),
    ]
