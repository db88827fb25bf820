# Index-only: the client list's name order as a team lead reads it (docs/PERFORMANCE.md).

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0005_list_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                models.Case(
                    models.When(models.Q(("is_restricted", True)), then=models.Value(1)),
                    default=models.Value(0),
                ),
                models.Case(
                    models.When(models.Q(("is_restricted", True)), then=models.Value("")),
                    default=django.db.models.functions.text.Lower("legal_family_name"),
                ),
                models.Case(
                    models.When(models.Q(("is_restricted", True)), then=models.Value("")),
                    default=django.db.models.functions.text.Lower("legal_given_names"),
                ),
                models.F("created_at"),
                models.F("id"),
                name="client_name_order",
            ),
        ),
    ]
