# Index-only: a team lead's client list by registration time (docs/PERFORMANCE.md).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0009_client_name_search"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["-created_at", "id"], name="client_created_order"),
        ),
    ]
