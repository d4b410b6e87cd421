"""Every flow row now names the end of its route that reported it.

The rows already here were reported before anyone said who reported them: they are
taken as the host country's (the destination's), the rule that decides which row
is public when both ends report a route.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def host_reported(apps, schema_editor):
    apps.get_model("mobility", "MobilityFlow").objects.update(reported_by=models.F("destination"))


class Migration(migrations.Migration):

    dependencies = [
        ('mobility', '0007_partners_moved_out'),
        ('partners', '0001_partners_move_from_mobility'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='mobilityflow',
            name='flow_unique_per_year_route_mode_level_programme',
        ),
        migrations.AddField(
            model_name='historicalmobilityflow',
            name='is_public',
            field=models.BooleanField(default=True, editable=False, help_text="Whether the row is the public figure for its year, route, mode, level and programme: when both ends report it, the host country's (the destination's) row is, and the other is kept beside it."),
        ),
        migrations.AddField(
            model_name='historicalmobilityflow',
            name='reported_by',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The end of the route that reported the row: only its focal points (and the secretariat) may change it. The origin and the destination may each report a route.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.partner'),
        ),
        migrations.AddField(
            model_name='mobilityflow',
            name='is_public',
            field=models.BooleanField(default=True, editable=False, help_text="Whether the row is the public figure for its year, route, mode, level and programme: when both ends report it, the host country's (the destination's) row is, and the other is kept beside it."),
        ),
        migrations.AddField(
            model_name='mobilityflow',
            name='reported_by',
            field=models.ForeignKey(db_index=False, help_text='The end of the route that reported the row: only its focal points (and the secretariat) may change it. The origin and the destination may each report a route.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reported_flows', to='partners.partner'),
        ),
        migrations.RunPython(host_reported, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='mobilityflow',
            name='reported_by',
            field=models.ForeignKey(db_index=False, help_text='The end of the route that reported the row: only its focal points (and the secretariat) may change it. The origin and the destination may each report a route.', on_delete=django.db.models.deletion.PROTECT, related_name='reported_flows', to='partners.partner'),
        ),
        migrations.AddIndex(
            model_name='mobilityflow',
            index=models.Index(fields=['reported_by', 'year'], name='flow_reported_by_year'),
        ),
        migrations.AddIndex(
            model_name='mobilityflow',
            index=models.Index(condition=models.Q(('is_public', False)), fields=['is_public'], name='flow_not_public'),
        ),
        migrations.AddConstraint(
            model_name='mobilityflow',
            constraint=models.UniqueConstraint(fields=('year', 'origin', 'destination', 'mode', 'level', 'programme', 'reported_by'), name='flow_unique_per_reporter_year_route_mode_level_programme', violation_error_message='This partner already reported a flow for this year, origin, destination, mode, level and programme.'),
        ),
        migrations.AddConstraint(
            model_name='mobilityflow',
            constraint=models.CheckConstraint(condition=models.Q(('reported_by', models.F('origin')), ('reported_by', models.F('destination')), _connector='OR'), name='flow_reported_by_an_end', violation_error_message='A flow is reported by its origin or its destination.'),
        ),
    ]
