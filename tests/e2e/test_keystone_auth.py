"""The gateway with Keystone: keystonemiddleware validates tokens, Qinling's 401s."""
import pytest
import requests


@pytest.mark.parametrize("headers, message", [
    ({}, "Failed to validate access token: Authentication required"),
    ({"X-Auth-Token": "not-a-token"}, "Failed to validate access token: Auth token is invalid"),
])
def test_a_missing_or_bad_token_is_401(keystone_platform, headers, message):
    for path in ("/v1/functions", "/v1/runtimes", "/v1/executions/e1", "/v1/webhooks"):
        response = requests.get(keystone_platform.url + path, headers=headers, timeout=30)
        assert (response.status_code, response.json()) == (401, {"faultstring": message})
        assert response.headers["X-Openstack-Request-Id"].startswith("req-")


def test_a_token_of_another_keystone_is_401(keystone_platform, keystone):
    """A well-formed fernet token this Keystone did not issue for any of its users."""
    token = keystone.token("alice")
    forged = token[:-8] + ("A" * 8 if not token.endswith("A" * 8) else "B" * 8)
    response = requests.get(keystone_platform.url + "/v1/functions",
                            headers={"X-Auth-Token": forged}, timeout=30)
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/", "/v1/", "/healthz", "/v1/openapi.json"])
def test_some_paths_need_no_token(keystone_platform, path):
    assert requests.get(keystone_platform.url + path, timeout=30).status_code == 200
