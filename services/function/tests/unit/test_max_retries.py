"""A function's own ``max_retries`` (retries of its async executions after platform failures)."""
import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_function import rules, update_rules


@pytest.mark.parametrize("given, clean", [(None, None), ("", None), ("0", 0), ("10", 10),
                                          (3, 3)])
def test_accepted_values(given, clean):
    assert rules.max_retries(given) == clean


@pytest.mark.parametrize("given", ["-1", "11", "two", True, "1.5"])
def test_refused_values(given):
    with pytest.raises(InvalidInput) as err:
        rules.max_retries(given)
    assert str(err.value) == "Invalid max_retries: an integer from 0 to 10 is required."


def test_created_shown_and_in_the_spec(service, package_function):
    fn = package_function(max_retries="2")
    assert fn["max_retries"] == 2
    assert service.get_function_spec(fn["id"])["max_retries"] == 2
    assert package_function()["max_retries"] is None


def test_a_bad_value_refuses_the_function_and_drops_its_package(service, storage,
                                                               package_function):
    with pytest.raises(InvalidInput, match="Invalid max_retries"):
        package_function(max_retries="99")
    assert len(storage.deleted) == 1


def test_an_update_changes_it_without_touching_the_workers(service, execution,
                                                            package_function):
    fn = package_function()
    assert update_rules.is_db_only({"max_retries": "1"})
    assert service.update_function(fn["id"], {"max_retries": "4"})["max_retries"] == 4
    assert service.update_function(fn["id"], {"max_retries": ""})["max_retries"] is None
    assert execution.forgotten == []
