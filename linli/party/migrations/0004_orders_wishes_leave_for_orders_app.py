"""The 三单制 orders and 微心愿 wishes leave the party app for their own (``linli.orders``), keeping their
tables: the models leave the party's state only; nothing in the database changes (``orders.0001``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0003_org_members_registrations_meetings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="serviceorder",
                    name="member",
                ),
                migrations.RemoveField(
                    model_name="serviceorder",
                    name="org",
                ),
                migrations.RemoveField(
                    model_name="serviceorder",
                    name="place",
                ),
                migrations.RemoveField(
                    model_name="serviceorder",
                    name="placed_by",
                ),
                migrations.RemoveField(
                    model_name="serviceorder",
                    name="requester",
                ),
                migrations.RemoveField(
                    model_name="serviceorder",
                    name="requester_person",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="adopter_partner",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="adopter_person",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="adopter_user",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="community",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="place",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="posted_by",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="poster",
                ),
                migrations.RemoveField(
                    model_name="wish",
                    name="poster_person",
                ),
                migrations.RemoveField(
                    model_name="wishevent",
                    name="wish",
                ),
                migrations.RemoveField(
                    model_name="wishevent",
                    name="actor",
                ),
                migrations.DeleteModel(
                    name="OrderEvent",
                ),
                migrations.DeleteModel(
                    name="ServiceOrder",
                ),
                migrations.DeleteModel(
                    name="Wish",
                ),
                migrations.DeleteModel(
                    name="WishEvent",
                ),
            ],
            database_operations=[],
        ),
    ]
