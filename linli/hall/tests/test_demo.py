"""The hall's demo year of classes (item 8): written in bulk by the rules of the actions, so the actions
keep working on it (enrol within the quota, finish with certificates numbered on), and idempotent."""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import pytest
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from linli.core.errors import Refused


@pytest.fixture
def demo(world):
    from linli.core.testing.personas import make_user
    from linli.residents.actions import person_create

    for n, grid in enumerate([world.grid_a, world.grid_b, world.grid_c] * 20):
        person_create(actor=None, name=f"居民{n:02d}", place=grid, phone=f"1390000{n:04d}")
    resident = make_user("wangfang", "resident", place=world.grid_a, phone="13711112222")
    person_create(actor=None, name="王芳", place=world.grid_a, phone="13711112222", current_address="幸福里1幢")
    return SimpleNamespace(communities=[world.community, world.community_2], community=world.community,
                           users={"resident": resident})


def test_a_year_of_classes_in_each_community(demo, world, street_supervisor, client):
    from linli.hall.demo import COURSE_RUNS, demo_classes
    from linli.hall.models import Attendance, Certificate, CertificateSerial, Course, CourseEvent, Enrolment
    from linli.hall.selectors import class_totals

    started = time.perf_counter()
    demo_classes(demo)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"the classes' demo took {elapsed:.1f} s"
    today = timezone.localdate()
    for community in demo.communities:
        courses = Course.objects.filter(community=community)
        assert courses.count() == COURSE_RUNS
        assert {"finished", "closed", "open", "cancelled"} <= set(courses.values_list("status", flat=True))
        assert {"employment", "skills", "interest"} <= set(courses.values_list("kind", flat=True))
        first = courses.order_by("starts_on").first()
        assert first is not None and (today - first.starts_on).days > 300  # a year of them
    for course in Course.objects.all():
        active = course.enrolments.exclude(status="cancelled").count()
        assert course.enrolled == active <= course.quota
        held = course.sessions.filter(starts_at__lte=timezone.now()).count()
        needed = math.ceil(held * course.min_attendance / 100)
        for e in course.enrolments.annotate(n=Count("attendances")):
            if e.status == "completed":
                assert course.status == "finished" and e.n >= needed and e.certificate.title == "结业证书"
            elif e.status == "enrolled" and course.status == "finished":
                assert e.n < needed  # attended too little: no certificate
        assert CourseEvent.objects.filter(course=course, kind="create").count() == 1
    assert Attendance.objects.filter(by_qr=True).exists() and Attendance.objects.filter(by_qr=False).exists()
    completed = Enrolment.objects.filter(status="completed")
    assert completed.count() > 50 and Certificate.objects.filter(enrolment__in=completed).count() == completed.count()
    assert CourseEvent.objects.filter(kind="complete").count() == completed.count()
    # One numbering per community and year, the counter at the last number drawn.
    for serial in CertificateSerial.objects.all():
        top = Certificate.objects.filter(community=serial.community, year=serial.year).aggregate(m=Max("serial"))
        assert top["m"] == serial.last
    # The demo resident's certificate and her running class.
    mine = Enrolment.objects.filter(user=demo.users["resident"])
    assert set(mine.values_list("status", flat=True)) == {"completed", "enrolled"}
    # Totals of the year: classes and people in both communities.
    years = set(Course.objects.values_list("starts_on__year", flat=True))
    rows = [r for y in years for r in class_totals(user=street_supervisor, year=y)[0]]
    assert {r.community for r in rows} == {world.community.name, world.community_2.name}
    assert sum(r.people for r in rows) >= 100
    # A certificate of the demo verifies.
    cert = Certificate.objects.filter(enrolment__isnull=False).first()
    page = client.get(reverse("certificate_verify", args=[cert.code]))
    assert page.status_code == 200 and cert.issuer_name in page.content.decode()
    # Idempotent.
    demo_classes(demo)
    assert Course.objects.count() == COURSE_RUNS * len(demo.communities)


def test_the_actions_work_on_the_demo_classes(demo, community_staff):
    """The counters the demo writes are the ones the actions keep: the quota holds, finishing a running class
    numbers its certificates after the demo's."""
    from linli.hall.actions import course_enrol, course_transition
    from linli.hall.demo import demo_classes
    from linli.hall.models import Certificate, CertificateSerial, Course

    demo_classes(demo)
    course = Course.objects.get(community=demo.community, status="open")
    free = course.quota - course.enrolled
    for n in range(free):
        course_enrol(actor=community_staff, course=course, walk_in=True, name=f"报名{n}")
    with pytest.raises(Refused) as exc:
        course_enrol(actor=community_staff, course=course, walk_in=True, name="晚来的")
    assert exc.value.code == "full"
    running = Course.objects.get(community=demo.community, status="closed", enrolments__user=demo.users["resident"])
    before = Certificate.objects.filter(community=demo.community).count()
    course_transition(course=running, name="finish", actor=community_staff)
    issued = Certificate.objects.filter(community=demo.community).count() - before
    assert issued >= 1  # the resident attended every session held
    year = timezone.localdate().year
    serial = CertificateSerial.objects.get(community=demo.community, year=year)
    assert Certificate.objects.filter(community=demo.community, year=year).aggregate(m=Max("serial"))["m"] == serial.last
