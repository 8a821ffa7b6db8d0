import uuid


async def test_versions_link_to_v1_on_the_requested_host(client):
    response = await client.get("/", headers={"Host": "qinling.example:7070"})
    assert response.status == 200
    assert await response.json() == {"versions": [{
        "id": "v1.0", "status": "CURRENT",
        "links": [{"href": "http://qinling.example:7070/v1", "target": "v1", "rel": "self"}]}]}


async def test_v1_root_with_and_without_slash(client):
    for path in ("/v1", "/v1/"):
        response = await client.get(path, headers={"Host": "h:1"})
        assert response.status == 200
        assert await response.json() == {"uri": "http://h:1/v1"}


async def test_a_request_id_is_made_and_returned(client, rpc):
    rpc.answer("execution", "list_runtimes", [])
    response = await client.get("/v1/runtimes")
    request_id = response.headers["X-Openstack-Request-Id"]
    assert request_id.startswith("req-")
    uuid.UUID(request_id[4:])
    assert rpc.calls[0].context["request_id"] == request_id


async def test_a_well_formed_request_id_is_echoed_and_sent_to_services(client, rpc):
    rpc.answer("execution", "list_runtimes", [])
    given = f"req-{uuid.uuid4()}"
    response = await client.get("/v1/runtimes", headers={"X-Openstack-Request-Id": given})
    assert response.headers["X-Openstack-Request-Id"] == given
    assert rpc.calls[0].context["request_id"] == given


async def test_a_malformed_request_id_is_replaced(client):
    response = await client.get("/", headers={"X-Openstack-Request-Id": "my-own-id; rm -rf"})
    assert response.headers["X-Openstack-Request-Id"] != "my-own-id; rm -rf"
    assert response.headers["X-Openstack-Request-Id"].startswith("req-")


async def test_without_keystone_every_request_runs_as_the_default_admin(client, rpc):
    rpc.answer("execution", "list_runtimes", [])
    await client.get("/v1/runtimes")
    context = rpc.calls[0].context
    assert context["project_id"] == "default"
    assert context["is_admin"] is True


async def test_unknown_path_is_a_json_404_with_request_id(client):
    response = await client.get("/v1/nothing-here")
    assert response.status == 404
    assert response.content_type == "application/json"
    assert await response.json() == {"faultstring": "Not Found"}
    assert response.headers["X-Openstack-Request-Id"].startswith("req-")


async def test_wrong_method_is_a_json_405_with_allow(client):
    response = await client.put("/v1/runtimes")
    assert response.status == 405
    assert await response.json() == {"faultstring": "Method Not Allowed"}
    assert "GET" in response.headers["Allow"]


async def test_extra_slashes_redirect_to_the_route(client):
    response = await client.get("/v1//runtimes/", allow_redirects=False)
    assert response.status == 308
    assert response.headers["Location"] == "/v1/runtimes"
