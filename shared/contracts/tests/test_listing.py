import pytest

from qinling_shared import listing
from qinling_shared.exceptions import InvalidInput


def test_a_query_string_becomes_the_wire_query():
    query = listing.parse({"status": "neq:failed", "id": "in:a,b", "name": "x", "limit": "5",
                           "sort_dir": "DESC", "all_projects": "yes"})
    assert query == {"filters": [["status", "neq", "failed"], ["id", "in", ["a", "b"]],
                                 ["name", "eq", "x"]],
                     "all_projects": True, "project_id": None, "limit": 5, "marker": None,
                     "sort_key": "created_at", "sort_dir": "desc"}


def test_filter_names_are_checked_by_their_owner_not_by_parse():
    query = listing.parse({"colour": "red"})
    with pytest.raises(InvalidInput, match="Invalid filter 'colour'; known: name, status."):
        listing.validate(query, {"name", "status"})


@pytest.mark.parametrize("query", [
    {"filters": "x"}, {"filters": [["a", "eq"]]}, ["not", "a", "dict"],
])
def test_a_malformed_wire_query_is_refused(query):
    with pytest.raises(InvalidInput, match="Invalid list query."):
        listing.validate(query, {"a"})


def test_an_unknown_operator_from_the_wire_is_refused():
    with pytest.raises(InvalidInput, match="Invalid filter operator 'like'"):
        listing.validate({"filters": [["a", "like", "x"]]}, {"a"})
