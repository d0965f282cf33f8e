"""Anonymisation leaves no plaintext and no keyed hash of the person in the database's bytes (SQLite).

A child process runs Linli on a SQLite file of its own (``linli.core.tests.procs``): it registers a person
(name, ID number, phone, address, notes), files a hotline case in their name, takes a correction request
from them, lets them move away 2,000 days ago, and stops. The test reads the database file and its
write-ahead log and finds the person in them (the control: the test can fail). A second child runs the
anonymisation (with its scrub: FTS5 ``optimize``, ``VACUUM`` with ``secure_delete``, and a
``wal_checkpoint(TRUNCATE)``); then no byte sequence of the name (as stored, and the trigrams of its
doubled form that the search index stores), the address, the notes, the phone, the ID number or any of
their keyed hashes is left in any file of the database (main file, WAL, shared memory) nor in the worker queue's database.

On PostgreSQL the same is checked in-process by reading the relation files with ``pg_read_binary_file``
(``test_anonymise.py::test_scrub_runs_outside_a_transaction``); PostgreSQL's WAL cannot be read that way
and keeps the old rows until it is recycled (docs/privacy.md).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from linli.core.tests.procs import clean_env, manage

pytestmark = [pytest.mark.slow]

NAME = "慕容远山"
PHONE = "13577778888"
ADDRESS = "远山路88号"
NOTES = "左耳听力弱"

SETUP = textwrap.dedent(
    """
    import datetime, json
    from django.utils import timezone
    from linli.cases.actions import case_create
    from linli.cases.defaults import categories_restore_default
    from linli.core.crypto import lookup_hashes
    from linli.core.idnumber import make_id_number
    from linli.core.testing.personas import make_user
    from linli.places.actions import place_create
    from linli.places.models import PlaceKind
    from linli.privacy.actions import correction_request
    from linli.residents.actions import person_create, person_move_out

    street = place_create(kind=PlaceKind.STREET, name="街道", code="330102001000")
    community = place_create(kind=PlaceKind.COMMUNITY, name="社区", code="330102001001", parent=street)
    grid = place_create(kind=PlaceKind.GRID, name="网格", code="330102001001-01", parent=community)
    id_number = make_id_number("330102", datetime.date(1948, 11, 23), 135)
    person = person_create(actor=None, name="NAME", place=grid, phone="PHONE", id_number=id_number,
                           registered_address="ADDRESS", notes="NOTES")
    categories_restore_default()
    case_create(actor=None, category="MUNI.STREETLIGHT", title="NAME反映路灯不亮", description="NAME说路灯坏了",
                place=grid, channel="hotline", reporter_name="NAME", reporter_phone="PHONE")
    user = make_user("gone", "resident", place=grid, phone="PHONE")
    correction_request(actor=user, field="current_address", value="ADDRESS东", note="NAME")
    person_move_out(person=person, actor=None, on=timezone.localdate() - datetime.timedelta(days=2000))
    hashes = sorted({h for v in ("PHONE", id_number, "PHONE"[-4:], id_number[-4:]) for h in lookup_hashes(v)})
    print("SUBJECT=" + json.dumps({"id_number": id_number, "hashes": hashes}))
    """
).replace("NAME", NAME).replace("PHONE", PHONE).replace("ADDRESS", ADDRESS).replace("NOTES", NOTES)

RUN = textwrap.dedent(
    """
    import json
    from linli.privacy.actions import persons_anonymise
    print("DONE=" + json.dumps(persons_anonymise()))
    """
)


def _line(stdout: str, key: str) -> dict:
    return json.loads(next(ln for ln in stdout.splitlines() if ln.startswith(key + "="))[len(key) + 1:])


def _needles(subject: dict) -> dict[str, bytes]:
    from linli.residents.search_index import double

    indexed = double(NAME)
    out = {
        "name": NAME.encode(), "address": ADDRESS.encode(),
        "notes": NOTES.encode(), "phone": PHONE.encode(), "id number": subject["id_number"].encode(),
        "birth date digits": subject["id_number"][6:14].encode(),
    }
    out.update({f"hash {h[:8]}": h.encode() for h in subject["hashes"]})
    # The search index stores trigrams of the doubled text, prefix-compressed: every trigram and every
    # doubled character of the name is looked for (the first term of a leaf is stored whole).
    out.update({f"index trigram {indexed[i:i + 3]}": indexed[i:i + 3].encode() for i in range(len(indexed) - 2)})
    out.update({f"index pair {c}{c}": (c + c).encode() for c in NAME})
    return out


def _files(var: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(var.glob("*.sqlite3*")) if p.is_file()}


def _holding(files: dict[str, bytes], needles: dict[str, bytes]) -> list[tuple[str, str]]:
    return [(fname, what) for fname, data in files.items() for what, needle in needles.items() if needle in data]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file test; PostgreSQL: test_anonymise.py")
def test_no_plaintext_nor_hash_of_the_person_is_left_in_the_database_files(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    env = clean_env(var)
    migrated = manage("migrate", "--noinput", "-v0", env=env, timeout=600)
    assert migrated.returncode == 0, migrated.stderr
    setup = manage("shell", "-c", SETUP, env=env, timeout=300)
    assert setup.returncode == 0, setup.stderr
    needles = _needles(_line(setup.stdout, "SUBJECT"))

    before = _holding(_files(var), needles)
    held = {what for _f, what in before}
    # The control: the person is in the files (as a name, an address, the search index and the hashes).
    assert {"name", "address", "notes"} <= held, before
    assert any(w.startswith("index trigram ") for w in held), before
    assert any(w.startswith("hash ") for w in held), before
    assert "phone" not in held and "id number" not in held  # encrypted from the start

    run = manage("shell", "-c", RUN, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    done = _line(run.stdout, "DONE")
    assert done["persons"] == 1 and done["scrub"] == "sqlite", done
    assert _holding(_files(var), needles) == []
    wal = var / "linli.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
