"""Anonymisation after the retention period (PIPL Art. 47, ``LINLI_RETENTION_DAYS``): persons who moved away
or died longer ago lose their name, ID number, phone, the keyed hashes of both, their addresses and free
text, in every app; the registry's search index forgets them; every count and KPI stays the same.
The database-file test (SQLite file and WAL bytes) is ``test_anonymise_bytes.py``."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connection
from django.utils import timezone

from linli.core.crypto import lookup_hashes
from linli.core.models import AuditEntry
from linli.privacy.actions import correction_request, database_scrub, persons_anonymise, retention_days
from linli.privacy.models import CorrectionRequest
from linli.residents.models import Person, PersonStatus, PersonTag
from linli.residents.privacy import ANONYMOUS_NAME

from .conftest import ID_NUMBER, NAME, PHONE


@pytest.fixture
def categories(db):
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Category

    categories_restore_default()
    return {c.code: c for c in Category.objects.all()}


@pytest.fixture
def history(me, categories, community_staff):
    """The person reported a case (by phone, at the hotline, naming themself), asked for a correction,
    and moved away four years ago."""
    from linli.cases.actions import case_create
    from linli.residents.actions import person_move_out

    case = case_create(actor=None, category=categories["MUNI.STREETLIGHT"], title=f"{NAME}反映路灯不亮",
                       description=f"{NAME}说1栋楼下的路灯坏了", place=me.house, channel="hotline",
                       reporter_name=NAME, reporter_phone=PHONE)
    correction_request(actor=me.user, field="current_address", value="明月小区1栋101室", note=f"我是{NAME}")
    long_ago = timezone.localdate() - datetime.timedelta(days=4 * 365)
    person_move_out(person=me.person, actor=None, on=long_ago)
    return case


@pytest.fixture
def everywhere(history, me, world, community_staff):
    """The person in the newer apps too, in their own rows and in other people's texts: a dispute they were
    a party to (the agreement names them), a topic they raised, an expert's opinion naming them, their
    nomination, a money-ledger entry and points and hours entries with notes naming them, a commitment
    naming them, a photo of their order and of a care visit, and audit rows written before ``audit_repr``
    (their full name as the object, their phone and name in the details)."""
    from django.core.files.base import ContentFile

    from linli.care.models import Visit
    from linli.core.audit import audit_record
    from linli.deliberation.models import (
        Expert,
        ExpertOpinion,
        HonourCategory,
        HonourNomination,
        HonourRound,
        Ledger,
        LedgerEntry,
        Topic,
    )
    from linli.evaluation.models import Commitment
    from linli.mediation.models import Agreement, Dispute, DisputeParty, MediationSession
    from linli.orders.models import ServiceOrder
    from linli.party.models import PartyMember, PartyOrg
    from linli.points.models import EntryKind, HoursEntry, PointsEntry
    from linli.residents.models import Person

    now = timezone.now()
    path = me.house.path
    community = world.community
    dispute = Dispute.objects.create(title=f"{NAME}与邻居漏水纠纷", kind="neighbour", facts=f"{NAME}家楼上漏水",
                                     place=me.house, place_path=path, community=community, reported_at=now)
    DisputeParty.objects.create(dispute=dispute, role="applicant", person=me.person)
    DisputeParty.objects.create(dispute=dispute, role="respondent", name="楼上住户", phone="13900001111")
    MediationSession.objects.create(dispute=dispute, held_on=now.date(), participants=f"{NAME}、楼上住户",
                                    notes=f"{NAME}同意")
    Agreement.objects.create(dispute=dispute, community=community, form="written", signed_on=now.date(),
                             facts=f"申请人{NAME}（电话{PHONE}）", terms=f"楼上赔偿{NAME}五百元")
    topic = Topic.objects.create(title=f"{NAME}提议加装电梯", description=f"我是{NAME}", source="resident",
                                 community=community, community_path=community.path, place=me.house,
                                 place_path=path, raised_by=me.user, raised_by_name=NAME)
    expert = Expert.objects.create(community=community, community_path=community.path, name="诸葛明理",
                                   kind="lawyer", specialties="物业纠纷")
    ExpertOpinion.objects.create(topic=topic, expert=expert, text=f"{NAME}的提议可行", at=now)
    category = HonourCategory.objects.create(community=community, community_path=community.path, name="好邻居")
    honours = HonourRound.objects.create(community=community, community_path=community.path, year=now.year,
                                         title="好邻居评选")
    HonourNomination.objects.create(round=honours, category=category, person=me.person, nominee_key=f"p{me.person.pk}",
                                    label="欧**（1栋）", reason=f"{NAME}常年照顾邻居")
    ledger = Ledger.objects.create(name="加装电梯", kind="project", community=community,
                                   community_path=community.path)
    LedgerEntry.objects.create(ledger=ledger, kind="contribution", amount_fen=50000, balance_after_fen=50000,
                               counterparty=NAME, person=me.person, note=f"{NAME}出资", at=now)
    PointsEntry.objects.create(person=me.person, amount=10, kind=EntryKind.AWARD, source="test:points",
                               place_path=path, note=f"{NAME}参加义诊", at=now)
    spouse_points = PointsEntry.objects.create(person=me.spouse, amount=5, kind=EntryKind.AWARD,
                                               source="test:spouse", place_path=path, note=f"陪{NAME}看病", at=now)
    HoursEntry.objects.create(person=me.person, hours=2, kind="other", source="test:hours", place_path=path,
                              occurred_on=now.date(), note=f"{NAME}服务两小时")
    org = PartyOrg.objects.create(name="第一支部", kind="branch", place=world.grid_a, place_path=world.grid_a.path)
    member = PartyMember.objects.create(person=me.spouse, org=org, place_path=path)
    Commitment.objects.create(member=member, building=me.house.parent, place_path=path, year=now.year,
                              text=f"每周看望{NAME}")
    order = ServiceOrder.objects.create(requester_person=me.person, requester_name=NAME, description="修水龙头",
                                        place=me.house, place_path=path, address="明月小区1栋101", placed_at=now)
    order.photo.save("order.jpg", ContentFile(b"\xff\xd8order"), save=True)
    from django.core.files.storage import default_storage

    visit_photo = default_storage.save("care/visits/test.jpg", ContentFile(b"\xff\xd8visit"))
    Visit.objects.create(person=me.person, visitor_name="网格员", visited_at=now, found="ok", note=f"{NAME}身体好",
                         photo=visit_photo, place_path=path)
    # Rows as the log was written before audit_repr: the person's full name as the object.
    audit_record(action="residents.person_update", actor=None, actor_name="system", target_type="residents.person",
                 target_id=me.person.pk, target_repr=NAME, detail={"name": NAME})
    audit_record(action="test.note", actor=me.user, detail={"text": f"{NAME}来电"})
    assert Person.objects.filter(pk=me.person.pk).exists()
    return {"order": order, "visit_photo": visit_photo, "spouse_points": spouse_points, "dispute": dispute}


def _figures(world, staff):
    from linli.cases.kpi import kpi_recompute
    from linli.cases.models import Case
    from linli.residents.selectors_profile import place_profile

    p = place_profile(staff, world.community)
    return {
        "persons": Person.objects.count(),
        "by_status": sorted(Person.objects.values_list("status", flat=True)),
        "tags": PersonTag.objects.count(),
        "profile": (p.households, p.residents, p.elderly.count, p.living_alone.count, p.pyramid),
        "cases": Case.objects.count(),
        "kpi": sorted((str(k), sorted(v.items())) for k, v in kpi_recompute().rows.items()),
    }


def test_retention_is_three_years_by_default(settings):
    del settings.LINLI_RETENTION_DAYS
    assert retention_days() == 1095


def test_anonymise_blanks_the_person_everywhere_and_keeps_every_figure(history, me, world, community_staff):
    from linli.cases.models import Case
    from linli.residents.selectors import PersonFilters, person_search

    before = _figures(world, community_staff)
    done = persons_anonymise(scrub=False)
    assert done["persons"] == 1
    p = Person.objects.get(pk=me.person.pk)
    assert p.name == ANONYMOUS_NAME and p.name_initials == "" and p.name_pinyin == ""
    assert (p.id_number, p.id_number_hash, p.id_tail_hash, p.phone, p.phone_hash, p.phone_tail_hash) == ("",) * 6
    assert (p.registered_address, p.current_address, p.notes) == ("", "", "")
    assert p.birth_month == datetime.date(1950, 1, 1) and p.status == PersonStatus.MOVED_OUT
    assert not Person.objects.filter(phone_hash__in=lookup_hashes(PHONE)).exists()
    assert not Person.objects.filter(id_number_hash__in=lookup_hashes(ID_NUMBER)).exists()
    for q in (NAME, "欧阳", "oymy", "文三路"):
        assert me.person.pk not in {x.pk for x in person_search(community_staff, q, PersonFilters(status="all"))}
    case = Case.objects.get(pk=history.pk)
    assert (case.reporter_name, case.reporter_phone, case.reporter_phone_hash) == ("", "", "")
    assert NAME not in case.title and NAME not in case.description and NAME not in case.tokens
    corr = CorrectionRequest.objects.get(person=me.person)
    assert (corr.value, corr.note) == ("", "")
    assert _figures(world, community_staff) == before
    row = AuditEntry.objects.get(action="privacy.persons_anonymise")
    assert row.detail["persons"] == [me.person.pk] and NAME not in str(row.detail) + row.target_repr


def test_the_newer_apps_keep_nothing_of_the_person(everywhere, me, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    from linli.core.models import AuditEntry
    from linli.deliberation.models import LedgerEntry
    from linli.mediation.models import Agreement, DisputeParty
    from linli.orders.models import ServiceOrder
    from linli.points.models import HoursEntry, PointsEntry

    order_photo = everywhere["order"].photo.name
    assert default_storage.exists(order_photo) and default_storage.exists(everywhere["visit_photo"])
    with django_capture_on_commit_callbacks(execute=True):
        persons_anonymise(scrub=False)
    party = DisputeParty.objects.get(dispute=everywhere["dispute"], person=me.person)
    assert (party.name, party.name_hash, party.phone, party.phone_hash) == ("", "", "", "")
    other = DisputeParty.objects.get(dispute=everywhere["dispute"], person__isnull=True)
    assert other.name == "楼上住户"  # somebody else's
    agreement = Agreement.objects.get(dispute=everywhere["dispute"])
    assert NAME not in agreement.facts + agreement.terms and PHONE not in agreement.facts
    assert agreement.terms == "楼上赔偿某某五百元"
    entry = PointsEntry.objects.get(source="test:points")
    assert (entry.note, entry.amount) == ("", 10)
    assert PointsEntry.objects.get(pk=everywhere["spouse_points"].pk).note == "陪某某看病"
    assert HoursEntry.objects.get(source="test:hours").note == ""
    ledger = LedgerEntry.objects.get(person=me.person)
    assert (ledger.counterparty, ledger.note, ledger.amount_fen) == ("", "某某出资", 50000)
    assert not default_storage.exists(order_photo) and not default_storage.exists(everywhere["visit_photo"])
    assert ServiceOrder.objects.get(pk=everywhere["order"].pk).photo.name == ""
    about = AuditEntry.objects.filter(target_type="residents.person", target_id=str(me.person.pk))
    assert about.exists() and all(NAME not in a.target_repr for a in about)
    assert not AuditEntry.objects.filter(actor_name="me_resident").exists()


def test_the_raw_rows_hold_nothing_of_the_person(history, everywhere, me):
    """Every text column of every table, read with SQL: neither the name nor the phone nor the ID number
    nor any of their keyed hashes (the audit log names persons by masked name: ``audit_repr``)."""
    hashes = {h for v in (PHONE, ID_NUMBER, PHONE[-4:], ID_NUMBER[-4:]) for h in lookup_hashes(v)}
    persons_anonymise(scrub=False)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith("residents_person_search"):
                continue  # the FTS5 shadow tables: by MATCH below and in the bytes test
            cols = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row if v is not None)
                for needle in (NAME, PHONE, ID_NUMBER, "文三路", *hashes):
                    if needle in text:
                        found.append((table, cols, needle))
    assert sorted({(t, n[:12]) for t, _c, n in found}) == []


def test_search_index_forgets_the_person(history, me):
    from linli.residents.search_index import double

    persons_anonymise(scrub=False)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid FROM residents_person_search WHERE residents_person_search MATCH %s",
                           ['"' + double(NAME) + '"'])
            assert cursor.fetchall() == []
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM residents_person WHERE residents_search_text(name, current_address, "
                           "registered_address) LIKE %s", ["%" + double(NAME) + "%"])
            assert cursor.fetchall() == []


def test_only_persons_past_the_retention_are_touched(me, world, settings):
    from linli.residents.actions import person_create, person_move_out, person_record_death

    today = timezone.localdate()
    recent = person_create(actor=None, name="刚搬走", place=world.grid_a, phone="13711110000")
    person_move_out(person=recent, actor=None, on=today - datetime.timedelta(days=1094))
    old_death = person_create(actor=None, name="早已故", place=world.grid_a)
    person_record_death(person=old_death, actor=None, on=today - datetime.timedelta(days=1096))
    done = persons_anonymise(scrub=False)
    assert done["persons"] == 1
    assert Person.objects.get(pk=recent.pk).name == "刚搬走"
    assert Person.objects.get(pk=old_death.pk).name == ANONYMOUS_NAME
    assert Person.objects.get(pk=me.person.pk).name == me.person.name  # still living here
    settings.LINLI_RETENTION_DAYS = 1000
    assert persons_anonymise(scrub=False)["persons"] == 1
    assert Person.objects.get(pk=recent.pk).name == ANONYMOUS_NAME


def test_a_second_run_does_nothing(history):
    assert persons_anonymise(scrub=False)["persons"] == 1
    assert persons_anonymise(scrub=False) == {"persons": 0, "rows": {}, "scrub": ""}
    assert AuditEntry.objects.filter(action="privacy.persons_anonymise").count() == 1


def test_the_nightly_task_is_a_periodic_huey_task(history, me):
    from huey.api import PeriodicTask

    from linli.privacy.tasks import privacy_persons_anonymise

    assert isinstance(privacy_persons_anonymise.periodic.task_class(), PeriodicTask)
    privacy_persons_anonymise.call_local()
    assert Person.objects.get(pk=me.person.pk).name == ANONYMOUS_NAME


@pytest.mark.django_db(transaction=True)
def test_scrub_runs_outside_a_transaction(world):
    """The scrub needs its own statements (VACUUM cannot run in a transaction): it runs after the
    commit, and on PostgreSQL its VACUUM FULL leaves files that no longer hold the person."""
    from linli.places.actions import place_create  # noqa: F401
    from linli.residents.actions import person_create, person_move_out

    gone = person_create(actor=None, name="公孙远去", place=world.grid_a, phone="13722223333",
                         registered_address="远方路99号")
    person_move_out(person=gone, actor=None, on=timezone.localdate() - datetime.timedelta(days=2000))
    needles = ["公孙远去".encode(), "远方路99号".encode(), *[h.encode() for h in lookup_hashes("13722223333")]]
    if connection.vendor == "postgresql":
        assert _pg_files_holding(needles)  # the control: the files hold them before
    done = persons_anonymise()
    assert done["persons"] == 1
    scrub = done["scrub"]
    if connection.vendor == "sqlite":
        assert scrub == "sqlite"
        return
    # PostgreSQL: a scrub that copied a dead row version says so ("postgresql-busy": VACUUM FULL VERBOSE
    # counts them) and the next night scrubs again; here the next nights come sooner.
    nights = 0
    while scrub == "postgresql-busy" and nights < 5:
        time.sleep(2)
        scrub = database_scrub()
        nights += 1
    if scrub == "postgresql-busy":
        pytest.xfail(f"the server kept the horizon back for 5 scrubs: {_pg_horizon_holders()}")
    assert scrub == "postgresql"
    assert _pg_files_holding(needles) == []


def _pg_horizon_holders() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname, state, backend_xmin::text, left(query, 60) FROM pg_stat_activity "
                       "WHERE backend_xmin IS NOT NULL AND pid <> pg_backend_pid() "
                       "UNION ALL SELECT slot_name, 'slot', xmin::text, '' FROM pg_replication_slots "
                       "WHERE xmin IS NOT NULL")
        return cursor.fetchall()


def _pg_files_holding(needles: list[bytes]) -> list[tuple[str, bytes]]:
    """Read the files of every table the scrub rewrites (their partitions, indexes and TOAST tables too)
    with ``pg_read_binary_file`` (a superuser's function; skipped for other roles) after a CHECKPOINT:
    which hold which needle."""
    from linli.privacy.actions import scrub_tables

    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("reading relation files needs a superuser")
        cursor.execute("CHECKPOINT")
        existing = set(connection.introspection.table_names())
        tables = [t for t in scrub_tables() if t in existing]
        cursor.execute(
            "WITH names AS (SELECT unnest(%s::text[]) AS name), "
            "rels AS (SELECT name::regclass::oid AS oid FROM names UNION "
            "SELECT p.relid FROM names, LATERAL pg_partition_tree(names.name::regclass) AS p) "
            "SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c "
            "WHERE c.oid IN (SELECT oid FROM rels) "
            "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM rels)) "
            "OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE oid IN (SELECT oid FROM rels))",
            [tables],
        )
        files = [(name, path) for name, path in cursor.fetchall() if path]
        assert any(name == "residents_person" for name, _p in files)
        for name, path in files:
            cursor.execute("SELECT pg_read_binary_file(%s)", [path])
            data = bytes(cursor.fetchone()[0])
            found += [(name, needle) for needle in needles if needle in data]
    return found


@pytest.mark.django_db(transaction=True)
def test_a_busy_scrub_is_tried_again_the_next_night(world):
    from linli.core.audit import audit_record

    audit_record(action="privacy.database_scrub", actor=None, actor_name="system", detail={"result": "sqlite-busy"})
    done = persons_anonymise()
    assert done["persons"] == 0 and done["scrub"] in ("sqlite", "postgresql")
    assert AuditEntry.objects.filter(action="privacy.database_scrub").count() == 2
    assert persons_anonymise()["scrub"] == ""  # the last one was clean: nothing to do
