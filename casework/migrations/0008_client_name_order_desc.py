# The client list's `ordering=-name` read in index order for a team lead (docs/PERFORMANCE.md).

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def _hidden_or(value):
    return models.Case(
        models.When(models.Q(("is_restricted", True)), then=models.Value("")),
        default=value,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_count_indexes"),
        ("core", "0004_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                models.Case(
                    models.When(models.Q(("is_restricted", True)), then=models.Value(1)),
                    default=models.Value(0),
                ),
                models.OrderBy(
                    _hidden_or(django.db.models.functions.text.Lower("legal_family_name")),
                    descending=True,
                ),
                models.OrderBy(
                    _hidden_or(django.db.models.functions.text.Lower("legal_given_names")),
                    descending=True,
                ),
                models.F("created_at"),
                models.F("id"),
                name="client_name_order_desc",
            ),
        ),
    ]
