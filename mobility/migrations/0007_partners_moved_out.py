"""The partners now belong to the partners app (see its first migration): every key that names them follows.
Nothing changes in the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mobility', '0006_counts_at_most_max_count'),
        ('partners', '0001_partners_move_from_mobility'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='organisation',
            name='partner',
            field=models.ForeignKey(blank=True, help_text='The partner the organisation is based in, if any.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='organisations', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='lead_partner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities_led', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='partnermembership',
            name='partner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='mobilityflow',
            name='destination',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='incoming_flows', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='routetotal',
            name='destination',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='historicalmobilityflow',
            name='destination',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='historicalactivity_partners',
            name='partner',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='historicalmobilityflow',
            name='origin',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='mobilityflow',
            name='origin',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='outgoing_flows', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='routetotal',
            name='origin',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='historicalactivity',
            name='lead_partner',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.partner'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='partners',
            field=models.ManyToManyField(blank=True, related_name='activities_joined', to='partners.partner'),
        ),
        migrations.DeleteModel(
            name='Partner',
        ),
    ])]
