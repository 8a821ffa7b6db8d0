import json

import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_trigger import webhook_rules

CURRENT = {"function_id": "f1", "function_version": 2, "function_alias": None}


def test_an_omitted_version_is_zero_not_null():
    assert webhook_rules.new_webhook({"function_id": "f1"}) == {
        "function_id": "f1", "function_version": 0, "function_alias": None,
        "description": None, "secret": None}


def test_an_alias_nulls_the_function_and_version():
    clean = webhook_rules.new_webhook({"function_alias": "prod", "function_id": "f1",
                                       "function_version": 3, "secret": "s3cret"})
    assert clean == {"function_alias": "prod", "function_id": None, "function_version": None,
                     "description": None, "secret": "s3cret"}


@pytest.mark.parametrize("values", [{}, {"function_id": ""}, {"description": "d"}])
def test_a_target_is_required_in_qinlings_words(values):
    with pytest.raises(InvalidInput, match="^Either function_alias or function_id must be "
                                           "provided.$"):
        webhook_rules.new_webhook(values)


@pytest.mark.parametrize("values", [
    {"function_id": "f1", "function_version": -1}, {"function_id": "f1", "secret": ""},
    {"function_id": "f1", "secret": "x" * 256}, {"function_id": "f1", "description": 5},
    {"function_id": "x" * 37}, "not an object"])
def test_invalid_fields_are_400s(values):
    with pytest.raises(InvalidInput):
        webhook_rules.new_webhook(values)


@pytest.mark.parametrize("description,message", [
    ("d" * 256, "Invalid description: at most 255 characters."),
    (["d"], "Invalid description: a string is required.")])
def test_a_bad_description_is_named_on_create_and_update(description, message):
    assert webhook_rules.new_webhook({"function_id": "f1", "description": "d" * 255})[
        "description"] == "d" * 255
    with pytest.raises(InvalidInput) as err:
        webhook_rules.new_webhook({"function_id": "f1", "description": description})
    assert str(err.value) == message
    with pytest.raises(InvalidInput) as err:
        webhook_rules.webhook_changes({"description": description}, CURRENT)
    assert str(err.value) == message


def test_update_to_an_alias_nulls_the_function():
    assert webhook_rules.webhook_changes({"function_alias": "prod"}, CURRENT) == {
        "function_alias": "prod", "function_id": None, "function_version": None}


def test_update_of_the_version_keeps_the_function_and_nulls_the_alias():
    current = {"function_id": "f1", "function_version": 0, "function_alias": None}
    assert webhook_rules.webhook_changes({"function_version": "1"}, current) == {
        "function_alias": None, "function_id": "f1", "function_version": 1}


def test_update_from_an_alias_to_a_function_defaults_the_version_to_zero():
    current = {"function_id": None, "function_version": None, "function_alias": "prod"}
    assert webhook_rules.webhook_changes({"function_id": "f2"}, current) == {
        "function_alias": None, "function_id": "f2", "function_version": 0}


def test_a_version_alone_on_an_alias_webhook_is_refused():
    current = {"function_id": None, "function_version": None, "function_alias": "prod"}
    with pytest.raises(InvalidInput, match="Either function_alias or function_id"):
        webhook_rules.webhook_changes({"function_version": 1}, current)


def test_update_with_an_alias_and_a_function_is_refused():
    with pytest.raises(InvalidInput, match="excludes"):
        webhook_rules.webhook_changes({"function_alias": "a", "function_id": "f1"}, CURRENT)


def test_update_nulls_stay_and_an_empty_secret_removes_it():
    assert webhook_rules.webhook_changes({"description": None, "secret": None}, CURRENT) == {}
    assert webhook_rules.webhook_changes({"secret": ""}, CURRENT) == {"secret": None}
    assert webhook_rules.webhook_changes({"secret": "k", "description": "d"}, CURRENT) == {
        "secret": "k", "description": "d"}


@pytest.mark.parametrize("body, expected", [
    ('{"name": "qinling"}', '{"name": "qinling"}'),
    ("[1, 2]", "[1, 2]"),
    ("name=qinling&x=", json.dumps({"name": "qinling", "x": ""})),
    ("just text", json.dumps("just text")),
    ("", None), (None, None)])
def test_the_body_becomes_the_input(body, expected):
    assert webhook_rules.webhook_input(body) == expected


def test_the_description_names_the_webhook_as_qinling():
    assert webhook_rules.description("w-1") == "Created by Webhook w-1"


def test_an_invokes_key_is_the_clients_scoped_to_the_webhook_and_hashed():
    key = webhook_rules.idempotency_key("w-1", "order-42")
    assert key == webhook_rules.idempotency_key("w-1", "order-42")
    assert key.startswith("qinling-webhook:w-1:") and "order-42" not in key
    assert key != webhook_rules.idempotency_key("w-2", "order-42")
    assert key != webhook_rules.idempotency_key("w-1", "order-43")
    longest = webhook_rules.idempotency_key("0" * 36, "k" * 255)
    assert len(longest) <= 255 and longest.isascii() and longest.isprintable()


@pytest.mark.parametrize("client_key", [None, ""])
def test_an_invoke_without_a_key_has_none(client_key):
    assert webhook_rules.idempotency_key("w-1", client_key) is None


@pytest.mark.parametrize("client_key", ["k" * 256, "a\x00b", "caf\u00e9", "tab\there", 42])
def test_a_bad_key_is_refused_as_post_executions_refuses_it(client_key):
    with pytest.raises(InvalidInput, match=r"^Invalid Idempotency-Key: at most 255 printable "
                                           r"ASCII characters are allowed\.$"):
        webhook_rules.idempotency_key("w-1", client_key)
