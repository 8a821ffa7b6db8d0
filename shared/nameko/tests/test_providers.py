from qinling_nameko.providers import Caller, caller_of


def test_the_caller_comes_from_the_context_data():
    assert caller_of({"project_id": "p1", "is_admin": True}) == Caller("p1", True)


def test_internal_callers_act_for_the_default_project_without_admin_rights():
    assert caller_of({}) == Caller("default", False)


def test_a_caller_sees_its_project_public_resources_and_admins_everything():
    assert Caller("p1", False).may_see("p1")
    assert not Caller("p1", False).may_see("p2")
    assert Caller("p1", False).may_see("p2", is_public=True)
    assert Caller("p1", True).may_see("p2")
