import base64
import os
import stat
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.models.functions import Cast

from conftest import TEST_DATA_KEY
from linli.accounts.actions import user_create
from linli.accounts.models import User
from linli.core import crypto
from linli.core.audit import audit_record
from linli.core.models import AuditEntry

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"


def raw_values(field: str, model=User) -> list[str]:
    """What the database holds in a column, without the field's decryption."""
    return list(model.objects.order_by("pk").annotate(raw=Cast(field, models.TextField())).values_list("raw", flat=True))


def make_person(username="citizen", phone=PHONE, id_number=ID_NUMBER) -> User:
    user = user_create(username=username, password="Test-pass-2026", actor=None, phone=phone)
    user.id_number = id_number
    user.save(update_fields=["id_number", "id_number_hash"])
    return user


# --- the cipher -----------------------------------------------------------------------------------------


def test_encrypt_decrypt_round_trip():
    for text in ("", "13812345678", "欧阳娜娜", "x" * 10_000):
        assert crypto.decrypt(crypto.encrypt(text)) == text


def test_ciphertext_is_randomised_and_carries_the_key_id():
    a, b = crypto.encrypt(PHONE), crypto.encrypt(PHONE)
    assert a != b
    assert PHONE not in a
    key_id = crypto.key_ring().current.key_id
    assert a.startswith(f"v1${key_id}$")
    assert crypto.key_id_of(a) == key_id


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt(PHONE)
    prefix, key_id, body = token.split("$")
    blob = bytearray(base64.b64decode(body))
    for i in (0, 12, len(blob) - 1):  # nonce, ciphertext, tag
        changed = bytearray(blob)
        changed[i] ^= 1
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(f"{prefix}${key_id}${base64.b64encode(bytes(changed)).decode()}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}${key_id}$not-base64!")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{prefix}${key_id}$" + base64.b64encode(b"short").decode())
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("plain text")


def test_key_id_is_authenticated(settings):
    # The same secret under another id: the key id is part of the authenticated data.
    secret = TEST_DATA_KEY.partition(":")[2]
    settings.LINLI_DATA_KEY = f"other:{secret},{TEST_DATA_KEY}"
    crypto.reset_key_ring()
    token = crypto.encrypt(PHONE)
    moved = token.replace("$other$", f"${TEST_DATA_KEY.partition(':')[0]}$")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(moved)


def test_unknown_key_id_is_refused():
    token = crypto.encrypt(PHONE)
    other = crypto.parse_key_ring(crypto.new_key_line())
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, ring=other)


def test_key_ring_parsing():
    line = crypto.new_key_line()
    ring = crypto.parse_key_ring(f"# comment\nk2:{line.partition(':')[2]}\n{TEST_DATA_KEY}\n")
    assert [k.key_id for k in ring.keys] == ["k2", TEST_DATA_KEY.partition(":")[0]]
    bare = crypto.parse_key_ring(line.partition(":")[2])
    assert bare.current.key_id == line.partition(":")[0]
    for bad in ("", "k1:short", "k1:%%%", f"{line},{line}", f"k-1:{line.partition(':')[2]}"):
        with pytest.raises(ImproperlyConfigured):
            crypto.parse_key_ring(bad)


def test_lookup_hash_is_normalised_keyed_and_not_the_value():
    h = crypto.lookup_hash(ID_NUMBER)
    assert h == crypto.lookup_hash(" 11010519491231002x ")
    assert len(h) == 64 and ID_NUMBER not in h
    other = crypto.parse_key_ring(crypto.new_key_line()).current
    assert crypto.lookup_hash(ID_NUMBER, key=other) != h


def test_encrypted_field_refuses_value_comparison(db):
    assert not User.objects.filter(phone="").exists()
    with pytest.raises(TypeError):
        list(User.objects.filter(phone=PHONE))
    with pytest.raises(TypeError):
        list(User.objects.filter(phone__contains="139"))


# --- the known ID number is not in the database bytes ----------------------------------------------------


def database_bytes() -> bytes:
    """Every byte of the database (SQLite: a VACUUM INTO copy) or every row of every table as text."""
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(copy)])
            return copy.read_bytes()
    assert connection.vendor == "postgresql"
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT t::text FROM {name} t")  # noqa: S608 - names from the catalogue
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks).encode("utf-8")


def test_known_id_number_and_phone_are_not_in_the_database_bytes(transactional_db):
    user = make_person()
    audit_record(action="test.note", target=user, detail={"note": f"身份证{ID_NUMBER} 电话{PHONE}"})
    data = database_bytes()
    assert len(data) > 10_000  # the database really was read
    assert user.username.encode() in data
    for secret in (ID_NUMBER, ID_NUMBER.lower(), PHONE):
        assert secret.encode("ascii") not in data
        assert secret.encode("utf-16-le") not in data
        assert secret.encode("utf-16-be") not in data
    # ... while the application reads it back and finds it by its hash.
    again = User.objects.get(pk=user.pk)
    assert (again.id_number, again.phone) == (ID_NUMBER, PHONE)
    assert User.objects.get(id_number_hash__in=crypto.lookup_hashes("11010519491231002x")).pk == user.pk
    assert User.objects.get(phone_hash__in=crypto.lookup_hashes(PHONE)).pk == user.pk
    # The audit log holds masked forms only.
    note = AuditEntry.objects.get(action="test.note")
    assert note.detail["note"] == "身份证****************2X 电话139****5678"


# --- rotation -------------------------------------------------------------------------------------------


def rotate_to_new_key(settings) -> str:
    new = crypto.new_key_line()
    settings.LINLI_DATA_KEY = f"{new},{TEST_DATA_KEY}"
    crypto.reset_key_ring()
    return new.partition(":")[0]


def test_rotation_old_rows_still_decrypt_and_are_found(db, settings):
    user = make_person()
    old_id = TEST_DATA_KEY.partition(":")[0]
    new_id = rotate_to_new_key(settings)
    assert crypto.key_id_of(raw_values("phone")[0]) == old_id
    again = User.objects.get(pk=user.pk)
    assert (again.phone, again.id_number) == (PHONE, ID_NUMBER)
    assert User.objects.filter(phone_hash__in=crypto.lookup_hashes(PHONE)).count() == 1
    assert User.objects.filter(id_number_hash__in=crypto.lookup_hashes(ID_NUMBER)).count() == 1
    make_person("newcomer", phone="13700001111", id_number="320124198808240056")
    assert crypto.key_id_of(raw_values("phone")[1]) == new_id


def test_rotate_key_command_reencrypts_and_rehashes_everything(db, settings, capsys):
    users = [make_person(f"p{i}", phone=f"1390000{i:04d}", id_number="") for i in range(7)]
    make_person("with_id")
    new_id = rotate_to_new_key(settings)
    call_command("rotate_key", "--batch-size", "3")
    out = capsys.readouterr().out
    assert "accounts.user: 8 rows, 8 changed (9 values re-encrypted, 9 hashes recomputed)" in out
    for token in raw_values("phone") + [t for t in raw_values("id_number") if t]:
        assert crypto.key_id_of(token) == new_id
    new_key = crypto.key_ring().current
    for user in User.objects.all():
        assert user.phone_hash == (crypto.lookup_hash(user.phone, key=new_key) if user.phone else "")
        assert user.id_number_hash == (crypto.lookup_hash(user.id_number, key=new_key) if user.id_number else "")
    # Idempotent: nothing left to do.
    call_command("rotate_key")
    assert "accounts.user: 8 rows, 0 changed" in capsys.readouterr().out
    # The old key can go: everything still reads and is found.
    settings.LINLI_DATA_KEY = settings.LINLI_DATA_KEY.split(",")[0]
    crypto.reset_key_ring()
    assert User.objects.get(pk=users[3].pk).phone == "13900000003"
    assert User.objects.get(id_number_hash__in=crypto.lookup_hashes(ID_NUMBER)).username == "with_id"
    assert AuditEntry.objects.filter(action="core.key_rotate").count() == 2


def test_rotate_key_command_reports_rows_it_cannot_decrypt(db, settings):
    make_person()
    settings.LINLI_DATA_KEY = crypto.new_key_line()  # the old key is gone
    crypto.reset_key_ring()
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_key")


# --- the key file ---------------------------------------------------------------------------------------


@pytest.fixture
def key_file(settings, tmp_path):
    path = tmp_path / "var" / "data.key"
    settings.LINLI_DATA_KEY = None
    settings.LINLI_DATA_KEY_FILE = str(path)
    crypto.reset_key_ring()
    return path


def test_create_data_key_creates_a_private_file_once(key_file, capsys):
    call_command("create_data_key")
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    text = key_file.read_text()
    ring = crypto.parse_key_ring(text)
    assert len(ring.keys) == 1
    out = capsys.readouterr().out
    assert ring.current.key_id in out and text.strip().partition(":")[2] not in out
    call_command("create_data_key")
    assert key_file.read_text() == text
    assert "left as it is" in capsys.readouterr().out
    assert crypto.decrypt(crypto.encrypt("x")) == "x"


def test_create_data_key_rotate_puts_a_new_key_first(db, key_file, capsys):
    call_command("create_data_key")
    first = crypto.parse_key_ring(key_file.read_text()).current.key_id
    user = make_person()
    call_command("create_data_key", "--rotate")
    ring = crypto.parse_key_ring(key_file.read_text())
    assert [k.key_id for k in ring.keys][1:] == [first]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The process sees the new ring without a restart; old rows still read.
    assert crypto.key_ring().current.key_id == ring.current.key_id
    assert User.objects.get(pk=user.pk).phone == PHONE
    call_command("rotate_key")
    assert crypto.key_id_of(raw_values("phone")[0]) == ring.current.key_id


def test_create_data_key_with_env_key_creates_nothing(settings, tmp_path, capsys):
    settings.LINLI_DATA_KEY_FILE = str(tmp_path / "data.key")
    call_command("create_data_key")
    assert not (tmp_path / "data.key").exists()
    with pytest.raises(CommandError):
        call_command("create_data_key", "--rotate")
    capsys.readouterr()
    call_command("create_data_key", "--print-new")
    crypto.parse_key_ring(capsys.readouterr().out)


def test_create_data_key_warns_about_open_permissions(key_file, capsys):
    key_file.parent.mkdir(parents=True)
    key_file.write_text(crypto.new_key_line() + "\n")
    os.chmod(key_file, 0o644)
    call_command("create_data_key")
    assert "chmod 600" in capsys.readouterr().err
