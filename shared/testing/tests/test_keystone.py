"""The test Keystone (qinling_testing.keystone) is a real Keystone: project-scoped tokens that
the service user validates as keystonemiddleware does, revocation, trusts to the service user,
and a template that later starts copy instead of building again."""
import pytest
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from qinling_testing.keystone import KeystoneError, KeystoneServer


@pytest.fixture(scope="module")
def keystone():
    with KeystoneServer() as server:
        yield server


def validate(keystone, token):
    """GET /v3/auth/tokens as the qinling service user: the token body, or the HTTP status."""
    answer = keystone.session("qinling").get(
        keystone.auth_url + "/auth/tokens", headers={"X-Subject-Token": token}, raise_exc=False)
    return answer.json()["token"] if answer.status_code == 200 else answer.status_code


def test_the_users_are_made_as_the_service_and_projects_need(keystone):
    assert keystone.auth_url == f"http://127.0.0.1:{keystone.port}/v3"
    assert set(keystone.users) == {"admin", "qinling", "alice", "bob"}
    assert {u.project_name for u in keystone.users.values()} == {
        "admin", "service", "project-a", "project-b"}
    qinling = validate(keystone, keystone.token("qinling"))
    assert {r["name"] for r in qinling["roles"]} >= {"service", "admin"}
    assert qinling["project"]["name"] == "service"
    catalog = keystone.session("admin").get(keystone.auth_url + "/endpoints").json()["endpoints"]
    assert {(e["interface"], e["url"], e["region_id"]) for e in catalog} == {
        (kind, keystone.auth_url, "RegionOne") for kind in ("admin", "internal", "public")}


def test_tokens_of_two_projects_carry_their_project_ids(keystone):
    alice, bob = keystone.users["alice"], keystone.users["bob"]
    tokens = {name: validate(keystone, keystone.token(name)) for name in ("alice", "bob")}
    assert tokens["alice"]["project"]["id"] == alice.project_id
    assert tokens["bob"]["project"]["id"] == bob.project_id
    assert alice.project_id != bob.project_id
    assert tokens["alice"]["user"]["id"] == alice.user_id
    # member implies reader (bootstrap's implied roles)
    assert {r["name"] for r in tokens["alice"]["roles"]} == {"member", "reader"}


def test_a_revoked_token_no_longer_validates(keystone):
    token = keystone.token("alice")
    assert validate(keystone, token)["user"]["name"] == "alice"
    keystone.revoke(token)
    assert validate(keystone, token) == 404


def test_alice_trusts_qinling_which_gets_a_trust_scoped_token(keystone):
    alice, qinling = keystone.users["alice"], keystone.users["qinling"]
    trusts = keystone.auth_url + "/OS-TRUST/trusts"
    trust = keystone.session("alice").post(trusts, json={"trust": {
        "trustor_user_id": alice.user_id, "trustee_user_id": qinling.user_id,
        "project_id": alice.project_id, "impersonation": True,
        "roles": [{"name": "member"}]}}).json()["trust"]

    def trust_token():
        return ks_session.Session(auth=v3.Password(
            auth_url=keystone.auth_url, username="qinling", password=qinling.password,
            user_domain_id="default", trust_id=trust["id"])).get_token()

    body = validate(keystone, trust_token())
    assert body["OS-TRUST:trust"]["id"] == trust["id"]
    assert body["OS-TRUST:trust"]["impersonation"] is True
    assert body["user"]["id"] == alice.user_id  # impersonation: the token speaks for alice
    assert body["project"]["id"] == alice.project_id
    assert {r["name"] for r in body["roles"]} == {"member", "reader"}

    assert keystone.session("alice").delete(f"{trusts}/{trust['id']}").status_code == 204
    with pytest.raises(ks_exceptions.HttpError):  # 404 (trust gone) or 401
        trust_token()


def test_a_second_server_copies_the_template_without_building_it(keystone):
    marker = keystone.template / "built"
    built_at = marker.stat().st_mtime_ns
    with KeystoneServer() as second:
        assert second.template == keystone.template
        assert second.built_template is False
        assert second.port != keystone.port
        assert validate(second, second.token("bob"))["project"]["id"] == \
            second.users["bob"].project_id
        # its own database: the first server's users are not there
        assert second.users["bob"].user_id != keystone.users["bob"].user_id
        data_dir = second.dir
    assert marker.stat().st_mtime_ns == built_at
    assert not data_dir.exists()


def test_a_missing_keystone_venv_is_a_clear_error(tmp_path):
    server = KeystoneServer(venv=tmp_path / "no-venv", template_root=tmp_path / "templates")
    with pytest.raises(KeystoneError, match="run scripts/keystone-venv"):
        with server:
            pass
    assert not server.dir.exists()
