"""The 三单制 orders and 微心愿 wishes as their own app. Their tables were made by ``party.0002`` and keep
their names (``Meta.db_table``), as do their indexes: this migration adds the models to the state only."""


import django.db.models.deletion
import linli.orders.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('party', '0004_orders_wishes_leave_for_orders_app'),
        ('places', '0003_city_district'),
        ('residents', '0007_organisations_serve_compounds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ServiceOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('category', models.CharField(choices=[('cleaning', 'Housekeeping and cleaning'), ('appliance', 'Appliance repair'), ('plumbing', 'Plumbing and electrics'), ('meals', 'Meal delivery'), ('escort', 'Hospital escort and care'), ('errands', 'Shopping and errands'), ('haircut', 'Haircut'), ('legal', 'Legal advice'), ('counsel', 'Counselling'), ('other', 'Other')], max_length=16, verbose_name='service')),
                        ('description', models.TextField(verbose_name='description')),
                        ('wanted_at', models.DateTimeField(blank=True, null=True, verbose_name='wanted at')),
                        ('address', models.CharField(max_length=200, verbose_name='address or building')),
                        ('photo', models.ImageField(blank=True, default='', upload_to=linli.orders.models._order_photo_path, verbose_name='photo')),
                        ('requester_name', models.CharField(blank=True, default='', max_length=64, verbose_name='requester')),
                        ('place_path', models.CharField(blank=True, default='', editable=False, max_length=255)),
                        ('status', models.CharField(choices=[('placed', 'Ordered'), ('dispatched', 'Dispatched to a member'), ('published', 'Open for members to take'), ('taken', 'Taken'), ('done', 'Done'), ('rated', 'Rated'), ('closed', 'Closed without rating'), ('cancelled', 'Cancelled'), ('returned', 'Returned')], default='placed', editable=False, max_length=16, verbose_name='status')),
                        ('placed_at', models.DateTimeField(verbose_name='ordered at')),
                        ('dispatch_due', models.DateTimeField(blank=True, null=True)),
                        ('dispatched_at', models.DateTimeField(blank=True, null=True)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('take_due', models.DateTimeField(blank=True, null=True)),
                        ('taken_at', models.DateTimeField(blank=True, null=True)),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('done_note', models.TextField(blank=True, default='', verbose_name='what was done')),
                        ('done_photo', models.ImageField(blank=True, default='', upload_to=linli.orders.models._order_photo_path, verbose_name='photo of the work')),
                        ('hours', models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True, verbose_name='hours spent')),
                        ('satisfaction', models.CharField(blank=True, choices=[('satisfied', 'Satisfied'), ('basically', 'Basically satisfied'), ('unsatisfied', 'Not satisfied')], default='', max_length=16, verbose_name='rating')),
                        ('rating_comment', models.TextField(blank=True, default='', verbose_name='comment')),
                        ('rated_at', models.DateTimeField(blank=True, null=True)),
                        ('flagged', models.BooleanField(default=False, verbose_name='flagged to the branch')),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_reason', models.CharField(blank=True, choices=[('rated', 'Rated'), ('not_rated', 'Not rated in time'), ('cancelled', 'Cancelled'), ('returned', 'Returned')], default='', max_length=16)),
                        ('version', models.PositiveIntegerField(default=0, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='party.partymember', verbose_name='party member')),
                        ('org', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='party.partyorg', verbose_name='party branch')),
                        ('place', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.place', verbose_name='place')),
                        ('placed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('requester', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requester')),
                        ('requester_person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='residents.person')),
                    ],
                    options={
                        'verbose_name': 'service order',
                        'verbose_name_plural': 'service orders',
                        'db_table': 'party_serviceorder',
                        'ordering': ['-id'],
                    },
                ),
                migrations.CreateModel(
                    name='OrderEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=16, verbose_name='event')),
                        ('actor_name', models.CharField(blank=True, default='', max_length=150)),
                        ('at', models.DateTimeField(verbose_name='time')),
                        ('from_status', models.CharField(blank=True, default='', max_length=16)),
                        ('to_status', models.CharField(blank=True, default='', max_length=16)),
                        ('note', models.TextField(blank=True, default='')),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='orders.serviceorder')),
                    ],
                    options={
                        'db_table': 'party_orderevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Wish',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=80, verbose_name='wish')),
                        ('description', models.TextField(blank=True, default='', verbose_name='description')),
                        ('photo', models.ImageField(blank=True, default='', upload_to=linli.orders.models._wish_photo_path, verbose_name='photo')),
                        ('poster_name', models.CharField(blank=True, default='', max_length=64, verbose_name='posted by')),
                        ('place_path', models.CharField(blank=True, default='', editable=False, max_length=255)),
                        ('status', models.CharField(choices=[('posted', 'Awaiting review'), ('open', 'Waiting for adoption'), ('adopted', 'Adopted'), ('fulfilled', 'Fulfilled'), ('confirmed', 'Confirmed'), ('rejected', 'Not published'), ('withdrawn', 'Withdrawn')], default='posted', editable=False, max_length=16, verbose_name='status')),
                        ('reject_reason', models.TextField(blank=True, default='')),
                        ('adopter_kind', models.CharField(blank=True, choices=[('member', 'Party member'), ('volunteer', 'Volunteer'), ('partner', 'Partner unit')], default='', max_length=16)),
                        ('adopter_name', models.CharField(blank=True, default='', max_length=120, verbose_name='adopted by')),
                        ('posted_at', models.DateTimeField(verbose_name='posted at')),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('adopted_at', models.DateTimeField(blank=True, null=True)),
                        ('fulfilled_at', models.DateTimeField(blank=True, null=True)),
                        ('fulfil_note', models.TextField(blank=True, default='')),
                        ('fulfil_photo', models.ImageField(blank=True, default='', upload_to=linli.orders.models._wish_photo_path)),
                        ('hours', models.DecimalField(blank=True, decimal_places=1, max_digits=5, null=True)),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('version', models.PositiveIntegerField(default=0, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('adopter_partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='party.partner')),
                        ('adopter_person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='residents.person')),
                        ('adopter_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.place', verbose_name='community')),
                        ('place', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='places.place', verbose_name='place')),
                        ('posted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('poster', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('poster_person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='residents.person')),
                    ],
                    options={
                        'verbose_name': 'wish',
                        'verbose_name_plural': 'wishes',
                        'db_table': 'party_wish',
                        'ordering': ['-id'],
                    },
                ),
                migrations.CreateModel(
                    name='WishEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=16, verbose_name='event')),
                        ('actor_name', models.CharField(blank=True, default='', max_length=150)),
                        ('at', models.DateTimeField(verbose_name='time')),
                        ('from_status', models.CharField(blank=True, default='', max_length=16)),
                        ('to_status', models.CharField(blank=True, default='', max_length=16)),
                        ('note', models.TextField(blank=True, default='')),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('wish', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='orders.wish')),
                    ],
                    options={
                        'db_table': 'party_wishevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='serviceorder',
                    index=models.Index(fields=['place_path'], name='party_order_path', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='serviceorder',
                    index=models.Index(fields=['status', 'id'], name='party_order_status'),
                ),
                migrations.AddIndex(
                    model_name='serviceorder',
                    index=models.Index(fields=['org', 'status'], name='party_order_org_status'),
                ),
                migrations.AddIndex(
                    model_name='serviceorder',
                    index=models.Index(fields=['requester', 'id'], name='party_order_requester'),
                ),
                migrations.AddIndex(
                    model_name='serviceorder',
                    index=models.Index(condition=models.Q(('status', 'done')), fields=['done_at'], name='party_order_unrated'),
                ),
                migrations.AddIndex(
                    model_name='orderevent',
                    index=models.Index(fields=['order', 'at'], name='party_orderevent_order_at'),
                ),
                migrations.AddIndex(
                    model_name='wish',
                    index=models.Index(fields=['place_path'], name='party_wish_path', opclasses=['varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='wish',
                    index=models.Index(fields=['community', 'status', 'id'], name='party_wish_wall'),
                ),
                migrations.AddIndex(
                    model_name='wish',
                    index=models.Index(fields=['poster', 'id'], name='party_wish_poster'),
                ),
                migrations.AddIndex(
                    model_name='wishevent',
                    index=models.Index(fields=['wish', 'at'], name='party_wishevent_wish_at'),
                ),
            ],
            database_operations=[],
        ),
    ]
