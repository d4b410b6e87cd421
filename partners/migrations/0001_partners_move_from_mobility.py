"""The partners move from mobility down to an app of their own, below objectives, which now name them too.

The table stays as it is: only Django's picture of which app owns it changes, and the
content type follows, so the permissions granted on partners stay granted.
"""

import django.core.validators
from django.db import migrations, models


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="partner").exists():
        ContentType.objects.filter(app_label=old, model="partner").update(app_label=new)


def move_content_type(apps, schema_editor):
    _relabel(apps, "mobility", "partners")


def move_content_type_back(apps, schema_editor):
    _relabel(apps, "partners", "mobility")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("mobility", "0006_counts_at_most_max_count"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='Partner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=5, unique=True, validators=[django.core.validators.RegexValidator('^([A-Z]{2}|EU|ASEAN)$', 'Use the ISO 3166 alpha-2 code in capitals, or EU or ASEAN.')])),
                ('name', models.CharField(max_length=100, unique=True)),
                ('region', models.CharField(choices=[('asia', 'Asia'), ('europe', 'Europe')], db_index=True, max_length=6)),
                ('kind', models.CharField(choices=[('country', 'Country'), ('organisation', 'Organisation')], default='country', max_length=12)),
            ],
            options={
                'db_table': 'mobility_partner',
                'ordering': ['name'],
            },
        )]),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
