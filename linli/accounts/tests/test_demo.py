from io import StringIO

import pyotp
import pytest
from django.core.management import call_command

from linli.accounts import demo
from linli.accounts.actions import login_attempt, password_is_expired, user_create
from linli.accounts.models import Department, RoleAssignment, User
from linli.core.models import AuditEntry
from linli.places.models import Place, PlaceKind

EXPECTED_ROLES = {
    "street": "street_supervisor",
    "community": "community_staff",
    "grid1": "grid_worker",
    "grid2": "grid_worker",
    "resident": "resident",
    "dept": "department_staff",
    "member": "party_member",
    "volunteer": "volunteer",
    "mediator": "mediator",
    "building": "building_head",
    "sysadmin": "system_admin",
    "secadmin": "security_admin",
    "auditadmin": "audit_admin",
}


def _run(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_creates_every_demo_user_with_its_role(db):
    demo.demo_build()
    roles = dict(RoleAssignment.objects.filter(user__username__in=EXPECTED_ROLES).values_list("user__username", "role"))
    assert roles == EXPECTED_ROLES


def test_demo_places_the_users_in_the_demo_street(db):
    built = demo.demo_build()
    street = Place.objects.get(kind=PlaceKind.STREET, name="邻里街道")
    assert len(street.code) == 12 and street.code.isdigit()

    def place_of(username):
        return RoleAssignment.objects.get(user__username=username).place

    grid1, grid2 = place_of("grid1"), place_of("grid2")
    assert grid1.kind == grid2.kind == PlaceKind.GRID
    assert grid1 != grid2
    assert grid1.parent == grid2.parent == place_of("community")
    assert place_of("community").parent == street == place_of("street")
    assert place_of("resident") == grid1
    dept = RoleAssignment.objects.get(user__username="dept")
    assert dept.place is None and dept.department == built.department
    assert Department.objects.get(pk=dept.department_id).place == street


def test_demo_users_log_in_with_the_demo_password_not_expired(db):
    demo.demo_build()
    outcome = login_attempt(identifier="grid1", password=demo.DEMO_PASSWORD)
    assert outcome.user.username == "grid1"
    assert outcome.password_expired is False
    assert not password_is_expired(User.objects.get(username="street"))


def test_demo_admins_need_their_printed_totp_code(db):
    demo.demo_build()
    admin = User.objects.get(username="secadmin")
    assert admin.totp_enabled and admin.totp_secret
    row = next(r for r in demo.demo_logins() if r.username == "secadmin")
    assert row.totp_secret == admin.totp_secret
    outcome = login_attempt(identifier="secadmin", password=demo.DEMO_PASSWORD, otp_code=pyotp.TOTP(row.totp_secret).now())
    assert outcome.user == admin
    assert outcome.must_enrol_totp is False


def test_demo_twice_changes_nothing(db):
    demo.demo_build()
    secret = User.objects.get(username="auditadmin").totp_secret
    counts = (User.objects.count(), Place.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count())
    demo.demo_build()
    assert (User.objects.count(), Place.objects.count(), RoleAssignment.objects.count(), AuditEntry.objects.count()) == counts
    assert User.objects.get(username="auditadmin").totp_secret == secret


def test_demo_if_empty_builds_on_an_empty_database(db):
    output = _run("--if-empty")
    # care's demo adds the login "elder" (a 60+ resident of grid1, to try the canteen's half price); the
    # cases and registry demos add staff who are not demo logins (no known password), named "demo-…"
    names = set(User.objects.values_list("username", flat=True))
    assert names - {"elder"} - {n for n in names if n.startswith("demo-")} == set(EXPECTED_ROLES)
    assert "Linli-demo-2026" in output
    assert "grid1" in output


def test_demo_if_empty_leaves_a_used_database_alone(db):
    user_create(username="someone", password="Real-pass-2026", actor=None)
    output = _run("--if-empty")
    assert list(User.objects.values_list("username", flat=True)) == ["someone"]
    assert Place.objects.count() == 0
    assert "left as it is" in output


def test_demo_logins_table_prints_the_admin_secrets(db):
    demo.demo_build()
    output = _run("--codes")
    for username in EXPECTED_ROLES:
        assert username in output
    for admin in ("sysadmin", "secadmin", "auditadmin"):
        secret = User.objects.get(username=admin).totp_secret
        assert secret in output
    # Non-admins have no second factor to print.
    assert User.objects.get(username="grid1").totp_enabled is False


def test_demo_codes_creates_nothing(db):
    assert _run("--codes") == ""
    assert not User.objects.exists()


def test_demo_is_one_transaction(db, monkeypatch):
    def broken_extension(built):
        raise RuntimeError("extension failed")

    monkeypatch.setattr(demo, "demo_extensions", lambda: [broken_extension])
    with pytest.raises(RuntimeError):
        demo.demo_build()
    assert not User.objects.exists()
    assert not Place.objects.exists()


def test_demo_extensions_receive_the_built_demo(db, monkeypatch):
    seen = []
    monkeypatch.setattr(demo, "demo_extensions", lambda: [seen.append])
    built = demo.demo_build()
    assert seen == [built]
    assert built.users["grid1"].username == "grid1"
    assert built.grids[0].name == "幸福社区第一网格"


def test_demo_no_logins_prints_no_table(db):
    output = _run("--no-logins")
    assert User.objects.filter(username="grid1").exists()
    assert "Linli-demo-2026" not in output


def test_demo_prints_the_time_of_each_part(db):
    output = _run("--no-logins")
    lines = {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.strip()}
    assert lines["part"] == ["seconds", "processor"]
    for part in ("places", "accounts", "residents", "cases", "care", "total"):
        clock, cpu = (float(x) for x in lines[part])
        assert clock >= 0 and cpu >= 0


def test_demo_accounts_with_one_password_share_one_hash_that_logs_in(db):
    """One PBKDF2 hash computed for the demo password, given to every demo login; the loop's staff share
    another, of a random password nobody knows."""
    from django.contrib.auth.hashers import get_hasher, identify_hasher

    from linli.accounts.actions import LoginRefused

    demo.demo_build()
    hashes = set(User.objects.filter(username__in=EXPECTED_ROLES).values_list("password", flat=True))
    assert len(hashes) == 1
    (hashed,) = hashes
    assert identify_hasher(hashed).algorithm == get_hasher().algorithm  # the configured hasher, not a weaker one
    for username in ("street", "resident", "mediator"):
        assert login_attempt(identifier=username, password=demo.DEMO_PASSWORD).user.username == username
    staff = set(User.objects.filter(username__startswith="demo-").values_list("password", flat=True))
    assert len(staff) == 1 and hashed not in staff
    with pytest.raises(LoginRefused):
        login_attempt(identifier="demo-dept-sc", password=demo.DEMO_PASSWORD)


def test_shared_hashes_only_inside_the_context(db):
    from linli.accounts.actions import password_hashes_shared

    with password_hashes_shared():
        a = user_create(username="a1", password="Shared-pass-2026!", actor=None)
        b = user_create(username="b1", password="Shared-pass-2026!", actor=None)
    c = user_create(username="c1", password="Shared-pass-2026!", actor=None)
    assert a.password == b.password != c.password
    assert b.check_password("Shared-pass-2026!") and c.check_password("Shared-pass-2026!")
