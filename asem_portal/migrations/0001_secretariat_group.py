from django.db import migrations

from core.roles import sync_secretariat_group


def create_group(apps, schema_editor):
    sync_secretariat_group(apps)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Secretariat").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("objectives", "0001_initial"),
        ("instruments", "0001_initial"),
        ("mobility", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
