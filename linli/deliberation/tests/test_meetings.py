from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.core.errors import Invalid, NotFound, Refused
from linli.deliberation.models import Decision, DecisionCase, Meeting, Participant, Topic
from linli.deliberation.workflow import (
    DECISION_TRANSITIONS,
    MEETING_TRANSITIONS,
    DecisionStatus,
    MeetingStatus,
    TopicStatus,
)


@pytest.mark.django_db
def test_residents_day_on_the_tenth_or_the_next_working_day():
    from linli.deliberation.actions import residents_day_date

    assert residents_day_date(2026, 3) == datetime.date(2026, 3, 10)  # a Tuesday
    # 2026-01-10 is a Saturday: the next working day is Monday the 12th.
    assert datetime.date(2026, 1, 10).weekday() == 5
    assert residents_day_date(2026, 1) == datetime.date(2026, 1, 12)
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休): it is a working day.
    assert datetime.date(2026, 10, 10).weekday() == 5
    assert residents_day_date(2026, 10) == datetime.date(2026, 10, 10)
    # 2026-05-10 is a Sunday: Monday the 11th.
    assert residents_day_date(2026, 5) == datetime.date(2026, 5, 11)


def test_schedule_the_year_once(world, community_staff):
    from linli.deliberation.actions import residents_days_schedule

    made = residents_days_schedule(community=world.community, year=2026, actor=community_staff)
    assert len(made) == 12
    jan = next(m for m in made if m.starts_at.month == 1)
    assert timezone.localtime(jan.starts_at).date() == datetime.date(2026, 1, 12)
    assert residents_days_schedule(community=world.community, year=2026, actor=community_staff) == []
    assert Meeting.objects.count() == 12


def test_outsider_cannot_schedule(world, outsider):
    from linli.core.errors import PermissionDenied
    from linli.deliberation.actions import residents_days_schedule

    with pytest.raises(PermissionDenied):
        residents_days_schedule(community=world.community, year=2026, actor=outsider)


@pytest.fixture
def meeting(world, community_staff):
    from linli.deliberation.actions import meeting_create

    return meeting_create(
        actor=community_staff, community=world.community, kind="tripartite", title="三方议事会：停车位",
        starts_at=timezone.now(), location="社区议事厅",
    )


def test_a_meeting_cannot_be_opened_before_its_day(world, community_staff):
    from linli.deliberation.actions import meeting_create, meeting_transition

    later = meeting_create(actor=community_staff, community=world.community, kind="tripartite", title="三方议事会",
                           starts_at=timezone.now() + datetime.timedelta(days=1), location="社区议事厅")
    with pytest.raises(Refused) as exc:
        meeting_transition(meeting=later, name="start", actor=community_staff)
    assert exc.value.code == "refused_transition"
    assert timezone.localtime(later.starts_at).date().isoformat() in str(exc.value.message)
    later.refresh_from_db()
    assert later.status == "planned"
    Meeting.objects.filter(pk=later.pk).update(starts_at=timezone.now())
    assert meeting_transition(meeting=later.pk, name="start", actor=community_staff).status == "in_session"


def test_participants_by_role_and_qr_signin(meeting, community_staff, make_voter):
    from linli.deliberation.actions import meeting_signin, participant_add

    rep = make_voter()
    participant_add(actor=community_staff, meeting=meeting, role="resident_rep", person=rep.person)
    participant_add(actor=community_staff, meeting=meeting, role="property", name="物业王经理", organisation="安居物业")
    with pytest.raises(Refused):
        participant_add(actor=community_staff, meeting=meeting, role="resident_rep", person=rep.person)
    signed = meeting_signin(actor=rep, token=meeting.checkin_token)
    first = signed.signed_in_at
    assert first is not None and signed.user == rep
    assert meeting_signin(actor=rep, token=meeting.checkin_token).signed_in_at == first  # idempotent
    with pytest.raises(Refused) as exc:
        meeting_signin(actor=make_voter(), token=meeting.checkin_token)  # not invited
    assert exc.value.code == "not_eligible"
    with pytest.raises(NotFound):
        meeting_signin(actor=rep, token="wrong")


def test_residents_day_is_open_to_every_resident(world, community_staff, make_voter):
    from linli.deliberation.actions import meeting_signin, residents_days_schedule

    day = residents_days_schedule(community=world.community, year=2026, actor=community_staff, months=[1])[0]
    walk_in = make_voter()
    p = meeting_signin(actor=walk_in, token=day.checkin_token)
    assert p.role == "resident" and not p.invited and p.signed_in_at is not None


def test_agenda_minutes_debate_and_decision(world, meeting, community_staff):
    from linli.deliberation.actions import (
        agenda_add,
        decision_record,
        meeting_transition,
        topic_raise,
        topic_transition,
    )

    topic = topic_raise(actor=community_staff, title="停车位不足", place=world.community)
    with pytest.raises(Refused):
        agenda_add(actor=community_staff, meeting=meeting, topic=topic)  # not on the agenda yet
    topic_transition(topic=topic, name="schedule", actor=community_staff)
    agenda_add(actor=community_staff, meeting=meeting, topic=topic)
    meeting_transition(meeting=meeting, name="start", actor=community_staff)
    with pytest.raises(Invalid):
        meeting_transition(meeting=meeting, name="finish", actor=community_staff, data={"minutes": " "})
    meeting_transition(meeting=meeting, name="finish", actor=community_staff, data={"minutes": "三方同意拆除围墙建停车场"})
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.DEBATED
    decision = decision_record(
        actor=community_staff, meeting=meeting, topic=topic, text="拆除原办公室围墙，建设停车场",
        owner=community_staff, owner_name="张主任", deadline=datetime.date(2026, 12, 31),
    )
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.DECIDED
    assert decision.status == DecisionStatus.OPEN and decision.owner_name == "张主任"


def test_decision_needs_owner_and_deadline(meeting, community_staff):
    from linli.deliberation.actions import decision_record, meeting_transition

    meeting_transition(meeting=meeting, name="start", actor=community_staff)
    with pytest.raises(Invalid) as exc:
        decision_record(actor=community_staff, meeting=meeting, text="x", owner_name="", deadline=None)
    assert {"owner_name", "deadline"} <= set(exc.value.fields)
    assert not Decision.objects.exists()


def test_decision_opens_a_case_and_is_rated_once_per_household(world, meeting, community_staff, make_voter):
    from linli.cases.models import Category
    from linli.deliberation.actions import (
        decision_open_case,
        decision_rate,
        decision_record,
        decision_transition,
        meeting_transition,
    )

    meeting_transition(meeting=meeting, name="start", actor=community_staff)
    d = decision_record(actor=community_staff, meeting=meeting, text="修复小区路灯", owner_name="李网格员",
                        deadline=datetime.date(2026, 12, 1))
    category = Category.objects.filter(parent__isnull=False).first()
    link = decision_open_case(actor=community_staff, decision=d, category=category.pk, title="修复3幢路灯", place=world.grid_a)
    assert DecisionCase.objects.get(decision=d).case == link.case and link.case.place_path.startswith(world.grid_a.path)
    head = make_voter()
    spouse = make_voter(household=head.household)
    with pytest.raises(Refused):
        decision_rate(actor=head, decision=d, satisfaction="satisfied")  # not carried out yet
    decision_transition(decision=d, name="carry_out", actor=community_staff, data={"note": "路灯已修复"})
    decision_rate(actor=head, decision=d, satisfaction="satisfied")
    with pytest.raises(Refused):
        decision_rate(actor=spouse, decision=d, satisfaction="unsatisfied")
    d.refresh_from_db()
    assert (d.rating_count, d.satisfied_count) == (1, 1)


@pytest.mark.parametrize(("state", "name"), [(s, n) for s in MeetingStatus.values for n in MEETING_TRANSITIONS])
def test_meeting_transition_pair(state, name, meeting, community_staff):
    from linli.deliberation.actions import meeting_transition

    Meeting.objects.filter(pk=meeting.pk).update(status=state)
    t = MEETING_TRANSITIONS[name]
    data = {"minutes": "纪要", "reason": "改期"}
    if t.allows_state(state):
        assert meeting_transition(meeting=meeting.pk, name=name, actor=community_staff, data=data).status == t.target
    else:
        with pytest.raises(Refused):
            meeting_transition(meeting=meeting.pk, name=name, actor=community_staff, data=data)
        assert Meeting.objects.get(pk=meeting.pk).status == state


@pytest.mark.parametrize(("state", "name"), [(s, n) for s in DecisionStatus.values for n in DECISION_TRANSITIONS])
def test_decision_transition_pair(state, name, world, community_staff):
    from linli.deliberation.actions import decision_record, decision_transition, topic_raise

    topic = topic_raise(actor=community_staff, title="x", place=world.community)
    d = decision_record(actor=community_staff, topic=topic, text="决定", owner_name="张", deadline=datetime.date(2026, 12, 1))
    Decision.objects.filter(pk=d.pk).update(status=state)
    t = DECISION_TRANSITIONS[name]
    data = {"note": "完成", "reason": "撤销"}
    if t.allows_state(state):
        assert decision_transition(decision=d.pk, name=name, actor=community_staff, data=data).status == t.target
    else:
        with pytest.raises(Refused):
            decision_transition(decision=d.pk, name=name, actor=community_staff, data=data)


def test_participant_of_other_community_refused(world, meeting, community_staff, make_person):
    from linli.deliberation.actions import participant_add

    stranger = make_person("外社区居民", place=world.grid_c)
    with pytest.raises(Invalid):
        participant_add(actor=community_staff, meeting=meeting, role="resident_rep", person=stranger)
    assert not Participant.objects.exists()


def test_two_committees_meeting_is_internal(world, community_staff, grid_worker_b, make_voter):
    from linli.deliberation.actions import meeting_create

    internal = meeting_create(actor=community_staff, community=world.community, kind="two_committees", title="两委会",
                              starts_at=timezone.now())
    public = meeting_create(actor=community_staff, community=world.community, kind="resident_reps", title="居民代表会",
                            starts_at=timezone.now())
    resident = make_voter()
    for user in (grid_worker_b, resident):
        assert list(Meeting.objects.visible_to(user)) == [public]
    assert set(Meeting.objects.visible_to(community_staff)) == {internal, public}


def test_a_decision_of_an_internal_meeting_is_seen_as_the_meeting_is(world, community_staff, grid_worker_b, make_voter):
    """A 两委会 decision is an internal step: residents and a grid worker of the community see the decisions of
    open meetings and votes, not those of the internal meeting (they saw both before)."""
    from linli.deliberation.actions import decision_record, meeting_create, meeting_transition

    day = datetime.date(2026, 12, 31)
    decisions = {}
    for kind in ("two_committees", "resident_reps"):
        m = meeting_create(actor=community_staff, community=world.community, kind=kind, title=kind, starts_at=timezone.now())
        meeting_transition(meeting=m, name="start", actor=community_staff)
        decisions[kind] = decision_record(actor=community_staff, meeting=m, text=f"{kind} 决定", owner_name="张主任", deadline=day)
    resident = make_voter()
    for user in (grid_worker_b, resident):
        assert list(Decision.objects.visible_to(user)) == [decisions["resident_reps"]]
    assert set(Decision.objects.visible_to(community_staff)) == set(decisions.values())


def test_meeting_api_flow(client, world, community_staff, make_voter):
    from linli.accounts.tests.conftest import bearer, issue_token
    from linli.deliberation.actions import topic_raise, topic_transition

    staff = bearer(issue_token(community_staff))
    topic = topic_raise(actor=community_staff, title="口袋公园", place=world.community)
    topic_transition(topic=topic, name="schedule", actor=community_staff)
    m = client.post("/api/v1/meetings", {"community_id": world.community.pk, "kind": "residents_day", "title": "居民议事日",
                                         "starts_at": timezone.now().isoformat()}, content_type="application/json", **staff)
    assert m.status_code == 201, m.content
    mid = m.json()["id"]
    assert client.post(f"/api/v1/meetings/{mid}/agenda", {"topic_id": topic.pk}, content_type="application/json", **staff).json()["agenda"] == [topic.pk]
    voter = make_voter()
    token = Meeting.objects.get(pk=mid).checkin_token
    r = client.post("/api/v1/meetings/signin", {"token": token}, content_type="application/json", **bearer(issue_token(voter)))
    assert r.status_code == 200 and r.json()["role"] == "resident"
    client.post(f"/api/v1/meetings/{mid}/start", {}, content_type="application/json", **staff)
    done = client.post(f"/api/v1/meetings/{mid}/finish", {"minutes": "同意建设"}, content_type="application/json", **staff)
    assert done.json()["status"] == "held"
    d = client.post(f"/api/v1/meetings/{mid}/decisions", {"text": "建设口袋公园", "owner_name": "王书记", "deadline": "2026-12-31",
                                                          "topic_id": topic.pk}, content_type="application/json", **staff)
    assert d.status_code == 201 and d.json()["status"] == "open"
    seen = client.get(f"/api/v1/meetings/{mid}", **bearer(issue_token(voter))).json()
    assert seen["participants"][0]["name"] != voter.person.name  # masked for residents


def test_decision_actions_through_the_api(client, world, community_staff, grid_worker_b, outsider):
    """POST /meetings/decisions/{id}/{action} (the endpoint factory): the community's staff carry it out; the
    sibling grid's worker sees the decision but may not (403); another community's staff do not see it (404)."""
    from linli.accounts.tests.conftest import bearer, issue_token
    from linli.deliberation.actions import decision_record, topic_raise

    topic = topic_raise(actor=community_staff, title="口袋公园", place=world.community)
    d = decision_record(actor=community_staff, topic=topic, text="建设", owner_name="张", deadline=datetime.date(2026, 12, 1))
    url = f"/api/v1/meetings/decisions/{d.pk}"
    post = lambda user, action, body=None: client.post(  # noqa: E731
        f"{url}/{action}", body or {}, content_type="application/json", **bearer(issue_token(user)))
    assert post(outsider, "carry_out", {"note": "完成"}).status_code == 404
    assert post(grid_worker_b, "carry_out", {"note": "完成"}).status_code == 403
    missing = post(community_staff, "carry_out")
    assert missing.status_code == 422 and "note" in missing.json()["fields"]
    done = post(community_staff, "carry_out", {"note": "已建成"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Decision.objects.get(pk=d.pk).status == "done"
