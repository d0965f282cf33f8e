"""District and city roles: bound to a district or a city, they see everything under it; the 12345
dispatch centre dispatches city-wide without the registry; none of them is told per case."""

import pytest

from linli.accounts.actions import role_assign
from linli.core.errors import Invalid
from linli.core.testing.personas import make_user


@pytest.mark.parametrize(
    ("role", "where", "ok"),
    [
        ("city_supervisor", "city", True),
        ("city_supervisor", "district_a", False),
        ("district_supervisor", "district_a", True),
        ("district_supervisor", "city", False),
        ("dispatch_centre", "city", True),
        ("dispatch_centre", "district_b", True),
        ("dispatch_centre", "street_a", False),
        ("street_supervisor", "street_a", True),
        ("street_supervisor", "district_a", False),
        ("grid_worker", "city", False),
    ],
)
def test_wide_roles_bind_to_cities_and_districts_only(city, role, where, ok):
    user = make_user(f"u_{role}_{where}")
    if ok:
        role_assign(user=user, role=role, place=getattr(city, where), actor=None)
        assert user.scope.place_paths == (getattr(city, where).path,)
    else:
        with pytest.raises(Invalid):
            role_assign(user=user, role=role, place=getattr(city, where), actor=None)


def test_the_dispatch_centre_sees_and_dispatches_every_district_but_not_the_registry(city):
    from linli.cases.actions import case_create
    from linli.cases.defaults import categories_restore_default
    from linli.cases.models import Case
    from linli.notifications.models import Notice
    from linli.residents.actions import person_create
    from linli.residents.models import Person

    categories_restore_default()
    centre = make_user("centre", "dispatch_centre", place=city.city)
    district = make_user("district_a", "district_supervisor", place=city.district_a)
    a = case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="甲", place=city.grid_a)
    b = case_create(actor=None, channel="hotline", category="MUNI.STREETLIGHT", title="乙", place=city.grid_b)
    person_create(actor=None, name="某人", place=city.grid_a)
    assert set(Case.objects.visible_to(centre)) == {a, b}
    assert set(Case.objects.visible_to(district)) == {a}
    assert "cases.dispatch" in centre.perms and not any(p.startswith("registry.") for p in centre.perms)
    assert not Person.objects.visible_to(centre).exists()
    assert Person.objects.visible_to(district).count() == 1
    # Neither is told about each new case (a city's centre would get millions of notices a year).
    assert not Notice.objects.filter(user__in=[centre, district]).exists()


def test_wide_roles_get_a_home_page_with_their_tiles(client, city):
    make_user("centre2", "dispatch_centre", place=city.city)
    make_user("citysup", "city_supervisor", place=city.city)
    from linli.core.testing.personas import PASSWORD

    for username, expected in (("centre2", "/cases/dispatch"), ("citysup", "/cases/supervis")):
        client.logout()
        assert client.login(username=username, password=PASSWORD)
        page = client.get("/")
        assert page.status_code == 200
        assert expected in page.content.decode()
