from linli.core.testing.personas import make_user
from linli.residents.actions import person_create, person_move_out
from linli.residents.selectors import person_for_user


def test_person_for_user_matches_by_phone(world):
    person = person_create(actor=None, name="测试甲", place=world.grid_a, phone="13800001111")
    person_create(actor=None, name="测试乙", place=world.grid_a, phone="13800002222")
    user = make_user("pfu_a", "resident", place=world.grid_a, phone="13800001111")
    assert person_for_user(user) == person


def test_person_for_user_none_without_phone_or_match(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    person_create(actor=None, name="测试丙", place=world.grid_a, phone="13800003333")
    assert person_for_user(AnonymousUser()) is None
    assert person_for_user(None) is None
    assert person_for_user(make_user("pfu_b", "resident", place=world.grid_a)) is None
    assert person_for_user(make_user("pfu_c", "resident", place=world.grid_a, phone="13900009999")) is None


def test_person_for_user_skips_people_who_moved_away(world):
    gone = person_create(actor=None, name="测试丁", place=world.grid_a, phone="13800004444")
    person_move_out(person=gone, actor=None)
    assert person_for_user(make_user("pfu_d", "resident", place=world.grid_a, phone="13800004444")) is None
