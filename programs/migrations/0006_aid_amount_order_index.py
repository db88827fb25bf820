# Index-only: an officer's aid requests ordered by amount (docs/PERFORMANCE.md).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0005_list_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="aidrequest",
            index=models.Index(fields=["agency", "amount", "id"], name="aid_agency_amount"),
        ),
    ]
