"""Aliases over RPC: validated targets, project scope, events."""
import pytest
from nameko.testing.services import entrypoint_waiter

from qinling_shared.exceptions import Conflict, Forbidden, InvalidInput, NotFound


def test_lifecycle(function, make_function, listener):
    created = make_function()
    fid = created["id"]
    with pytest.raises(InvalidInput) as err:
        function.create_alias({"function_id": fid})
    assert str(err.value) == "Required param is missing. Required: {'name', 'function_id'}"
    with pytest.raises(NotFound, match=r"^FunctionVersion not found \[function_id=.*, "
                                       r"version_number=1\]$"):
        function.create_alias({"name": "a", "function_id": fid, "function_version": 1})
    with pytest.raises(NotFound, match=r"^Function not found \[id=nope\]$"):
        function.create_alias({"name": "a", "function_id": "nope"})
    alias = function.create_alias({"name": "a", "function_id": fid, "function_version": 0,
                                   "description": ""})
    assert (alias["name"], alias["function_version"], alias["project_id"]) == ("a", 0, "p1")
    with pytest.raises(Conflict, match=r"^Function alias a already exists\.$"):
        function.create_alias({"name": "a", "function_id": fid})
    function.create_version(fid)
    with entrypoint_waiter(listener, "on_alias_updated") as result:
        updated = function.update_alias("a", {"function_id": None, "function_version": "1",
                                              "description": "v1"})
    assert result.get() == {"name": "a", "project_id": "p1"}
    assert (updated["function_version"], updated["description"]) == (1, "v1")
    assert function.resolve_alias("a") == {"function_id": fid, "function_version": 1}
    assert function.get_alias("a")["description"] == "v1"
    with entrypoint_waiter(listener, "on_alias_deleted") as result:
        function.delete_alias("a")
    assert result.get() == {"name": "a", "project_id": "p1"}
    with pytest.raises(NotFound, match=r"^FunctionAlias not found \[name=a\]$"):
        function.get_alias("a")


def test_listing_is_scoped(function, make_function, rpc_as):
    created = make_function()
    function.create_alias({"name": "mine", "function_id": created["id"]})
    with rpc_as("p2") as other:
        assert other.list_aliases(None) == []
        with pytest.raises(Forbidden):
            other.list_aliases({"filters": [], "all_projects": True})
        with pytest.raises(NotFound):
            other.resolve_alias("mine")
    with rpc_as("p2", is_admin=True) as admin:
        listed = admin.list_aliases({"filters": [], "all_projects": True})
        assert [a["name"] for a in listed] == ["mine"]
