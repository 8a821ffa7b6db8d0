"""A stand-in for ``qinling_nameko.keystone.Keystone`` in unit tests: trusts are counted
ids, tokens are derived from them; the real one is tested against a real Keystone
(tests/e2e/test_keystone_trusts.py)."""


class FakeKeystone:
    def __init__(self):
        self.trusts = {}     # id -> (trustor user, project, roles, token used)
        self.deleted = []    # (id, token used)

    def create_trust(self, caller):
        trust_id = f"trust-{len(self.trusts) + 1}"
        self.trusts[trust_id] = (caller.user_id, caller.project_id, tuple(caller.roles),
                                 caller.auth_token)
        return trust_id

    def delete_trust(self, trust_id, user_token=None):
        self.deleted.append((trust_id, user_token))

    def trust_access(self, trust_id):
        return {**self.openstack_context(f"token-of-{trust_id}"),
                "token_data": {"token": {"project": {"id": "p1"}}}}

    def openstack_context(self, token):
        return {"token": token, "auth_url": "http://keystone/v3", "region_name": "RegionOne"}
