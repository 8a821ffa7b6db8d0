import pytest

from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound

from qinling_function.models import Function


def test_version_snapshots_code_and_configuration(service, storage, package_function):
    fn = package_function(b"v1", entry="a.main", cpu="200")
    version = service.create_version(fn["id"], "first")
    assert {k: version[k] for k in ("function_id", "version_number", "description", "count",
                                    "project_id")} == \
        {"function_id": fn["id"], "version_number": 1, "description": "first", "count": 0,
         "project_id": "p1"}
    service.dispatch.assert_called_with("version_created", {"function_id": fn["id"],
                                                            "version": 1})
    service.update_function(fn["id"], {"entry": "b.main", "cpu": "300"},
                            storage.put("p1", b"v2"))
    snapshot = service.get_function_spec(fn["id"], 1)
    assert (snapshot["version"], snapshot["entry"], snapshot["cpu"]) == (1, "a.main", 200)
    assert storage.packages[snapshot["package_key"]] == b"v1"
    assert service.get_function(fn["id"])["latest_version"] == 1


def test_version_is_a_copy_that_survives_updates(service, storage, package_function):
    fn = package_function(b"v1")
    live = service.get_function_spec(fn["id"])["package_key"]
    service.create_version(fn["id"])
    version_key = service.get_function_spec(fn["id"], 1)["package_key"]
    assert version_key != live
    service.update_function(fn["id"], {}, storage.put("p1", b"v2"))
    assert live in storage.deleted and version_key in storage.packages


def test_unchanged_function_refused(service, package_function):
    fn = package_function()
    service.create_version(fn["id"])
    with pytest.raises(Forbidden) as err:
        service.create_version(fn["id"])
    assert str(err.value) == "Function package not changed since the latest version 1."


def test_config_change_alone_allows_a_version(service, package_function):
    fn = package_function()
    service.create_version(fn["id"])
    service.update_function(fn["id"], {"timeout": "10"})
    assert service.create_version(fn["id"])["version_number"] == 2


def test_maximum_is_configurable(make_service, package_function, storage):
    service = make_service(max_versions=1)
    fn = package_function(b"v1")
    service.create_version(fn["id"])
    service.update_function(fn["id"], {}, storage.put("p1", b"v2"))
    with pytest.raises(Forbidden) as err:
        service.create_version(fn["id"])
    assert str(err.value) == "Can not exceed maximum number(1) of versions"


def test_numbers_are_never_reused(service, storage, package_function):
    fn = package_function(b"v1")
    service.create_version(fn["id"])
    service.update_function(fn["id"], {}, storage.put("p1", b"v2"))
    service.create_version(fn["id"])
    service.delete_version(fn["id"], 2)
    assert service.get_function(fn["id"])["latest_version"] == 1
    service.update_function(fn["id"], {}, storage.put("p1", b"v3"))
    assert service.create_version(fn["id"])["version_number"] == 3
    assert [v["version_number"] for v in service.list_versions(fn["id"])] == [1, 3]


def test_only_package_functions(service, storage):
    fn = service.create_function({"code": '{"source": "image", "image": "a"}'}, None)
    with pytest.raises(Forbidden) as err:
        service.create_version(fn["id"])
    assert str(err.value) == "Function versioning only allowed for package type function."


def test_lost_race_retries_with_the_next_number(service, storage, package_function, session):
    fn = package_function(b"v1")
    original = storage.copy_package

    def copy_while_another_replica_claims(key, project_id):
        # another replica took number 1 between the read and the claim
        session.execute(Function.__table__.update().values(version_counter=1))
        session.commit()
        storage.copy_package = original
        return original(key, project_id)

    storage.copy_package = copy_while_another_replica_claims
    version = service.create_version(fn["id"])
    assert version["version_number"] == 2
    assert len(storage.deleted) == 1  # the copy of the lost attempt


def test_get_and_delete(service, storage, package_function):
    fn = package_function()
    service.create_version(fn["id"], "d")
    assert service.get_version(fn["id"], "1")["description"] == "d"
    key = service.get_function_spec(fn["id"], 1)["package_key"]
    service.delete_version(fn["id"], 1)
    assert storage.deleted == [key]
    service.dispatch.assert_called_with("version_deleted", {"function_id": fn["id"],
                                                            "version": 1})
    with pytest.raises(NotFound) as err:
        service.get_version(fn["id"], 1)
    assert str(err.value) == f"FunctionVersion not found [function_id={fn['id']}, version_number=1]"


@pytest.mark.parametrize("usage,message", [
    ({"jobs": 2, "webhooks": 1}, "The function version is still associated with running job(s)."),
    ({"jobs": 0, "webhooks": 1}, "The function version is still associated with webhook."),
])
def test_delete_refused_while_triggers_use_it(service, trigger, package_function, usage,
                                              message):
    fn = package_function()
    service.create_version(fn["id"])
    trigger.usage[(fn["id"], 1)] = usage
    with pytest.raises(Forbidden) as err:
        service.delete_version(fn["id"], 1)
    assert str(err.value) == message


def test_delete_refused_while_an_alias_uses_it(service, package_function):
    fn = package_function()
    service.create_version(fn["id"])
    service.create_alias({"name": "v1", "function_id": fn["id"], "function_version": 1})
    with pytest.raises(Forbidden) as err:
        service.delete_version(fn["id"], 1)
    assert str(err.value) == "The function version is still associated with alias."


def test_admin_reads_but_does_not_version_other_projects(make_service, package_function):
    fn = package_function()
    admin = make_service(project_id="admin", is_admin=True)
    with pytest.raises(NotFound):
        admin.create_version(fn["id"])
    make_service().create_version(fn["id"])
    assert [v["version_number"] for v in admin.list_versions(fn["id"])] == [1]
    with pytest.raises(NotFound):
        admin.delete_version(fn["id"], 1)
    with pytest.raises(NotFound):
        make_service(project_id="p2").list_versions(fn["id"])


@pytest.mark.parametrize("raw", ["one", "-1", "1.5", "1" * 19])
def test_a_path_segment_that_is_no_version_number_is_refused(service, package_function, raw):
    """The gateway passes ``/versions/{version}`` on as text; the message is the user's."""
    fn = package_function()
    for call in (service.get_version, service.delete_version):
        with pytest.raises(InvalidInput) as err:
            call(fn["id"], raw)
        assert str(err.value) == \
            f"Invalid function version '{raw}': a non-negative integer is required."
