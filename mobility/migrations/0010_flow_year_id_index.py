from django.db import migrations, models


class Migration(migrations.Migration):
    """The admin's list of flows, newest year first, reads its page from an index instead of sorting a million rows."""

    dependencies = [
        ("mobility", "0009_partner_totals"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mobilityflow",
            index=models.Index(fields=["year", "id"], name="flow_year_id"),
        ),
    ]
