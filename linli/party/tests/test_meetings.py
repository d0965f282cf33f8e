"""大党委: the rotating chair (按月轮值), joint meetings, and their problems filed as cases."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from linli.core.errors import Invalid, PermissionDenied
from linli.party.actions import meeting_create, meeting_problem_file, partner_set_active
from linli.party.models import MeetingProblem
from linli.party.selectors import chair_for_month, meeting_problems, rotation_of, rotation_pick


def _units(*flags):
    return [SimpleNamespace(name=chr(65 + i), active=a) for i, a in enumerate(flags)]


def test_rotation_goes_in_order_and_wraps_around():
    units = _units(True, True, True)
    months = [datetime.date(2026, m, 15) for m in range(1, 8)]
    names = [rotation_pick(units, d).name for d in months]
    # Jan 2026 is month 72 since Jan 2020; 72 % 3 == 0
    assert names == ["A", "B", "C", "A", "B", "C", "A"]
    assert rotation_pick(units, datetime.date(2025, 12, 1)).name == "C"  # across the year end


def test_rotation_skips_inactive_units():
    units = _units(True, False, True, True)
    names = [rotation_pick(units, datetime.date(2026, m, 1)).name for m in range(1, 7)]
    assert "B" not in names
    assert names == ["A", "C", "D", "A", "C", "D"]  # 72 % 3 == 0


def test_rotation_without_units_has_no_chair():
    assert rotation_pick([], datetime.date(2026, 1, 1)) is None
    assert rotation_pick(_units(False), datetime.date(2026, 1, 1)) is None


def test_rotation_is_deterministic_from_the_ordered_units(world, partners):
    jan = datetime.date(2026, 1, 10)
    assert chair_for_month(world.community, jan) == partners[0]
    assert chair_for_month(world.community, datetime.date(2026, 2, 3)) == partners[1]
    partner_set_active(partner=partners[1], active=False, actor=None)
    assert chair_for_month(world.community, datetime.date(2026, 2, 3)) == partners[2]
    rotation = rotation_of(world.community, jan)
    assert rotation.current == partners[0] and rotation.next == partners[2]
    assert [c for _, c in rotation.schedule][:3] == [partners[0], partners[2], partners[3]]


def test_a_meeting_gets_its_month_chair_and_attendance(world, partners, community_staff):
    meeting = meeting_create(
        community=world.community,
        held_on=datetime.date(2026, 3, 12),
        title="三月联席会",
        attendees=partners[:3],
        minutes="议定事项",
        actor=community_staff,
    )
    assert meeting.chair == partners[2]  # 74 % 4 == 2
    assert set(meeting.attendees.all()) == set(partners[:3])


def test_only_member_units_attend(world, partners, community_staff):
    from linli.party.actions import partner_create

    plain = partner_create(community=world.community, name="共建单位", actor=None)
    with pytest.raises(Invalid):
        meeting_create(
            community=world.community,
            held_on=datetime.date(2026, 3, 1),
            title="x",
            attendees=[plain],
            actor=community_staff,
        )


def test_outsider_may_not_record_a_meeting(world, partners, outsider):
    with pytest.raises(PermissionDenied):
        meeting_create(
            community=world.community, held_on=datetime.date(2026, 3, 1), title="x", actor=outsider
        )


def test_meeting_problems_become_cases(world, partners, community_staff, categories, tree):
    from linli.cases.actions import case_transition
    from linli.cases.models import Case

    meeting = meeting_create(
        community=world.community,
        held_on=datetime.date(2026, 3, 12),
        title="三月联席会",
        attendees=partners,
        actor=community_staff,
    )
    problem = meeting_problem_file(
        meeting=meeting,
        title="小区路灯不亮",
        category="MUNI.STREETLIGHT",
        description="和谐小区东门路灯",
        place=tree.compound,
        partner=partners[0],
        actor=community_staff,
    )
    case = Case.objects.get(pk=problem.case_id)
    assert (
        case.channel == "joint_meeting"
        and case.status == "reported"
        and case.place_path.startswith(tree.compound.path)
    )
    assert case.created_by == community_staff
    case_transition(case=case, name="accept", actor=community_staff, data={})
    rows = meeting_problems(meeting)
    assert [r.case.status for r in rows] == ["accepted"]
    assert MeetingProblem.objects.filter(meeting=meeting).count() == 1


def test_a_bad_problem_files_nothing(world, partners, community_staff, categories):
    from linli.cases.models import Case

    meeting = meeting_create(
        community=world.community, held_on=datetime.date(2026, 3, 12), title="x", actor=community_staff
    )
    with pytest.raises(Invalid):
        meeting_problem_file(meeting=meeting, title="x", category="NO.SUCH", actor=community_staff)
    with pytest.raises(Invalid):
        meeting_problem_file(
            meeting=meeting, title="x", category="MUNI.STREETLIGHT", place=world.grid_c, actor=community_staff
        )
    assert not Case.objects.exists() and not MeetingProblem.objects.exists()
