"""Every (state, action) pair of the topic table: allowed from its sources (and the state moves to the
target, with an event row and an audit row), refused with 409 refused_transition from every other state."""

from __future__ import annotations

import pytest

from linli.core.errors import Refused
from linli.core.models import AuditEntry
from linli.deliberation.models import Topic, TopicEvent
from linli.deliberation.workflow import TOPIC_TRANSITIONS, TopicStatus

PAIRS = [(state, name) for state in TopicStatus.values for name in TOPIC_TRANSITIONS]


def _data(name, other):
    return {"merge": {"into": other.pk}, "reject": {"reason": "不属于社区议事范围"}, "decide": {"note": "同意"}}.get(
        name, {}
    )


@pytest.mark.parametrize(("state", "name"), PAIRS)
def test_topic_transition_pair(state, name, world, community_staff, resident):
    from linli.deliberation.actions import topic_raise, topic_transition

    topic = topic_raise(actor=resident, title="楼道灯不亮", place=world.grid_a)
    other = topic_raise(actor=community_staff, title="楼道照明", place=world.community)
    Topic.objects.filter(pk=topic.pk).update(status=state)
    actor = resident if name == "withdraw" else community_staff
    t = TOPIC_TRANSITIONS[name]
    if t.allows_state(state):
        done = topic_transition(topic=topic.pk, name=name, actor=actor, data=_data(name, other))
        assert done.status == (t.target or state)
        assert TopicEvent.objects.filter(topic=topic, kind=name, from_status=state).exists()
        assert AuditEntry.objects.filter(action=f"deliberation.topic_{name}", target_id=str(topic.pk)).exists()
    else:
        with pytest.raises(Refused) as exc:
            topic_transition(topic=topic.pk, name=name, actor=actor, data=_data(name, other))
        assert exc.value.code == "refused_transition"
        assert Topic.objects.get(pk=topic.pk).status == state
