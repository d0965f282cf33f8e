"""The pages that manage monitoring's data: alarm rules (list, create, edit, enable/disable) and the
facilities of the 15-minute circles (list, create, edit, remove). Writes through the actions, audited,
scoped (404 outside), bad input answered in Chinese with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from linli.core.models import AuditEntry
from linli.core.testing.personas import PASSWORD
from linli.iot.actions import facility_create, readings_ingest, rule_create
from linli.iot.models import Alarm, AlarmRule, Facility
from linli.iot.selectors import facilities_geojson
from linli.iot.tests.conftest import readings

pytestmark = pytest.mark.django_db

RULE = {"name": "本社区燃气更严", "kind": "threshold", "device_kind": "gas", "operator": "gt", "threshold": "10",
        "duration_s": "20", "offline_minutes": "", "silence_from": "", "silence_to": "", "category_code": ""}


def _client(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_staff_create_a_rule_for_their_community(iot, community_staff, world):
    c = _client(community_staff)
    assert c.get("/iot/rules/new/").status_code == 200
    response = c.post("/iot/rules/new/", {**RULE, "place": world.community.pk, "emergency": "on"})
    assert response.status_code == 302
    rule = AlarmRule.objects.get(name="本社区燃气更严")
    assert (rule.place_path, rule.threshold, rule.duration_s, rule.emergency) == (world.community.path, 10, 20, True)
    assert AuditEntry.objects.filter(action="iot.rule_create", target_id=str(rule.pk)).exists()
    assert "本社区燃气更严" in c.get("/iot/rules/").content.decode()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("duration_s", "-5", "0 到 86400 秒之间。"),
    ("threshold", "abc", "一个数字。"),
    ("operator", "zz", "zz"),  # the form refuses an unknown choice, naming it
    ("silence_from", "25:99", "时间，例如 22:00。"),
    ("offline_minutes", "-1", "1 到 10080 分钟之间。"),
])
def test_bad_rule_input_is_answered_in_chinese_and_nothing_is_written(iot, community_staff, world, field, value, message):
    before = AlarmRule.objects.count()
    response = _client(community_staff).post("/iot/rules/new/", {**RULE, "place": world.community.pk, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert AlarmRule.objects.count() == before


def test_the_action_names_an_unknown_operator_and_a_negative_duration(iot, community_staff, world):
    from django.utils import translation

    from linli.core.errors import Invalid

    with translation.override("zh-hans"), pytest.raises(Invalid) as caught:
        rule_create(actor=community_staff, name="x", kind="threshold", device_kind="gas", place=world.community,
                    operator="eq", threshold=1, duration_s=-30)
    assert caught.value.fields["operator"] == ["高于或低于。"]
    assert caught.value.fields["duration_s"] == ["0 到 86400 秒之间。"]


def test_a_rule_for_one_device_from_its_code_is_scoped_by_the_device(iot, community_staff, outsider):
    c = _client(community_staff)
    c.post("/iot/rules/new/", {**RULE, "name": "本楼", "device_kind": "", "device": iot.gas.code, "place": ""})
    rule = AlarmRule.objects.get(name="本楼")
    assert rule.device_id == iot.gas.pk and rule.place_path == iot.gas.place_path
    assert _client(outsider).get(f"/iot/rules/{rule.pk}/").status_code == 404
    assert "本楼" not in _client(outsider).get("/iot/rules/").content.decode()
    page = _client(outsider).post("/iot/rules/new/", {**RULE, "name": "别人的", "device": iot.gas.code, "place": ""})
    assert "您所辖地点没有这个编号的设备" in page.content.decode() and not AlarmRule.objects.filter(name="别人的").exists()


def test_edit_changes_the_rule_and_the_audit_names_the_fields(iot, community_staff, world):
    rule = rule_create(actor=community_staff, name="更严", kind="threshold", device_kind="gas", place=world.community,
                       threshold=10, duration_s=20)
    c = _client(community_staff)
    assert "更严" in c.get(f"/iot/rules/{rule.pk}/").content.decode()
    c.post(f"/iot/rules/{rule.pk}/", {**RULE, "name": "更严", "place": world.community.pk, "threshold": "12.5",
                                      "silence_from": "22:00", "silence_to": "06:00"})
    rule.refresh_from_db()
    assert (rule.threshold, rule.silence_from.hour, rule.silence_to.hour) == (12.5, 22, 6)
    entry = AuditEntry.objects.get(action="iot.rule_update", target_id=str(rule.pk))
    assert entry.detail["changed"] == ["silence_from", "silence_to", "threshold"]


def test_the_streets_rules_are_read_only_for_a_community(iot, community_staff, street_supervisor):
    default = AlarmRule.objects.get(name="燃气浓度超限")
    page = _client(community_staff).get("/iot/rules/").content.decode()
    assert "燃气浓度超限" in page
    assert _client(community_staff).get(f"/iot/rules/{default.pk}/").status_code == 404
    assert _client(community_staff).post(f"/iot/rules/{default.pk}/disable/").status_code == 404
    assert AlarmRule.objects.get(pk=default.pk).active
    assert _client(street_supervisor).get(f"/iot/rules/{default.pk}/").status_code == 200


def test_a_disabled_rule_raises_nothing_until_enabled_again(iot, street_supervisor):
    gas_rule = AlarmRule.objects.get(name="燃气浓度超限")
    c = _client(street_supervisor)
    c.post(f"/iot/rules/{gas_rule.pk}/disable/")
    assert not AlarmRule.objects.get(pk=gas_rule.pk).active
    now = timezone.now()
    readings_ingest(readings(iot.gas, [(30, now - timedelta(seconds=60)), (31, now - timedelta(seconds=20))]))
    assert not Alarm.objects.exists()
    c.post(f"/iot/rules/{gas_rule.pk}/enable/")
    c.post(f"/iot/rules/{gas_rule.pk}/enable/")  # already enabled: nothing more
    readings_ingest(readings(iot.gas, [(32, now - timedelta(seconds=10)), (33, now + timedelta(seconds=25))]))
    assert Alarm.objects.filter(rule=gas_rule).count() == 1
    actions = list(AuditEntry.objects.filter(target_id=str(gas_rule.pk), action__in=["iot.rule_enable", "iot.rule_disable"])
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["iot.rule_disable", "iot.rule_enable"]


def test_rule_pages_need_the_manage_permission(iot, grid_worker_a):
    c = _client(grid_worker_a)
    assert c.get("/iot/rules/").status_code == 403
    assert c.get("/iot/facilities/").status_code == 403


def test_rule_list_queries_are_bounded(iot, street_supervisor, django_assert_max_num_queries):
    c = _client(street_supervisor)
    c.get("/iot/rules/")
    for n in range(15):
        rule_create(actor=None, name=f"r{n}", kind="offline", device=iot.camera, offline_minutes=5 + n)
    with django_assert_max_num_queries(12):
        assert c.get("/iot/rules/").status_code == 200


# --- facilities --------------------------------------------------------------------------------------------

FACILITY = {"kind": "canteen", "name": "阳光食堂", "address": "中山路1号", "lon": "120.17", "lat": "30.26",
            "hours": "11:00-13:00"}


def test_staff_add_a_facility_and_the_map_shows_it(iot, community_staff, world):
    c = _client(community_staff)
    assert c.get("/iot/facilities/new/").status_code == 200
    assert c.post("/iot/facilities/new/", {**FACILITY, "place": world.community.pk}).status_code == 302
    facility = Facility.objects.get(name="阳光食堂")
    assert facility.place_path == world.community.path
    assert AuditEntry.objects.filter(action="iot.facility_create", target_id=str(facility.pk)).exists()
    page = c.get(f"/iot/facilities/?place={world.community.pk}&kind=canteen").content.decode()
    assert "阳光食堂" in page
    assert "阳光食堂" not in c.get("/iot/facilities/?kind=clinic").content.decode()
    names = [f["properties"]["name"] for f in facilities_geojson(community_staff, place_path=world.community.path)["features"]]
    assert names == ["阳光食堂"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("lon", "abc", "一个数字。"),
    ("lat", "95", "超出范围。"),
    ("name", "   ", "必填"),
])
def test_bad_facility_input_is_answered_in_chinese_and_nothing_is_written(iot, community_staff, world, field, value, message):
    response = _client(community_staff).post("/iot/facilities/new/", {**FACILITY, "place": world.community.pk, field: value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Facility.objects.exists()


def test_edit_and_remove_a_facility(iot, community_staff, world):
    facility = facility_create(actor=None, kind="clinic", name="社区卫生站", place=world.community, lon=120.1, lat=30.2)
    c = _client(community_staff)
    assert "社区卫生站" in c.get(f"/iot/facilities/{facility.pk}/").content.decode()
    c.post(f"/iot/facilities/{facility.pk}/", {**FACILITY, "kind": "clinic", "name": "社区卫生服务站", "place": world.grid_a.pk})
    facility.refresh_from_db()
    assert (facility.name, facility.place_path, facility.lon) == ("社区卫生服务站", world.grid_a.path, 120.17)
    entry = AuditEntry.objects.get(action="iot.facility_update", target_id=str(facility.pk))
    assert entry.detail["changed"] == ["address", "hours", "lat", "lon", "name", "place_path"]
    c.post(f"/iot/facilities/{facility.pk}/delete/")
    assert not Facility.objects.filter(pk=facility.pk).exists()
    assert AuditEntry.objects.filter(action="iot.facility_delete", target_id=str(facility.pk)).exists()


def test_facilities_of_another_community_are_404(iot, outsider, world):
    facility = facility_create(actor=None, kind="school", name="实验小学", place=world.community, lon=120.1, lat=30.2)
    c = _client(outsider)
    assert c.get(f"/iot/facilities/{facility.pk}/").status_code == 404
    assert c.post(f"/iot/facilities/{facility.pk}/delete/").status_code == 404
    assert "实验小学" not in c.get("/iot/facilities/").content.decode()
    page = c.post("/iot/facilities/new/", {**FACILITY, "place": world.community.pk})
    assert page.status_code == 200 and not Facility.objects.filter(name="阳光食堂").exists()


def test_facility_list_queries_are_bounded(iot, community_staff, world, django_assert_max_num_queries):
    c = _client(community_staff)
    c.get("/iot/facilities/")
    for n in range(15):
        facility_create(actor=None, kind="sports", name=f"球场{n}", place=world.grid_a, lon=120.1, lat=30.2)
    with django_assert_max_num_queries(12):
        assert c.get("/iot/facilities/").status_code == 200


def test_the_pages_are_in_the_navigation_of_the_staff_who_manage_them(iot, community_staff, grid_worker_a):
    home = _client(community_staff).get("/").content.decode()
    assert 'href="/iot/rules/"' in home and 'href="/iot/facilities/"' in home
    worker_home = _client(grid_worker_a).get("/").content.decode()
    assert 'href="/iot/rules/"' not in worker_home


def test_the_rules_operators_read_as_thresholds_in_chinese():
    """"below" of a threshold is 低于, not the place tree's 下级 (the same English word)."""
    from django.utils import translation

    from linli.iot.models import Operator

    with translation.override("zh-hans"):
        assert [str(label) for label in Operator.labels] == ["高于", "低于"]


def test_an_old_device_rule_without_a_place_takes_its_devices_place(iot, community_staff, outsider):
    """Rules for one device written before rules had a place kept an empty path ("every place"): every
    manager saw them and only a street-wide one could change them. Migration 0004 gives them their device's."""
    import importlib

    from django.apps import apps

    rule = rule_create(actor=community_staff, name="老规则", kind="threshold", device=iot.gas, threshold=10, duration_s=20)
    AlarmRule.objects.filter(pk=rule.pk).update(place_path="")  # as such a rule was stored
    assert "老规则" in _client(outsider).get("/iot/rules/").content.decode()  # the defect: another community sees it
    assert _client(community_staff).get(f"/iot/rules/{rule.pk}/").status_code == 404  # and its own cannot change it
    kind_rule = AlarmRule.objects.get(name="燃气浓度超限")
    importlib.import_module("linli.iot.migrations.0004_device_rules_have_their_place").forward(apps, None)
    rule.refresh_from_db()
    assert rule.place_path == iot.gas.place_path
    assert AlarmRule.objects.get(pk=kind_rule.pk).place_path == ""  # a kind's rule for every place stays so
    assert "老规则" not in _client(outsider).get("/iot/rules/").content.decode()
    assert _client(outsider).get(f"/iot/rules/{rule.pk}/").status_code == 404
    assert _client(community_staff).get(f"/iot/rules/{rule.pk}/").status_code == 200
