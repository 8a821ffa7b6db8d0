"""The gateway's memory of confirmed tokens: never longer than auth_token's cache time, never
past a token's expiry, nothing with auth_token's cache off, bounded."""
from qinling_api.confirmed_tokens import ConfirmedTokens

ALICE = {"status": "Confirmed", "project_id": "p-a", "user_id": "u-a", "roles": "member"}


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_a_token_is_remembered_for_the_cache_time_then_forgotten():
    clock = Clock()
    tokens = ConfirmedTokens(300, clock=clock)
    assert tokens.get("t1") is None
    tokens.put("t1", ALICE, expires=clock.now + 3600)
    clock.now += 299.9
    assert tokens.get("t1") == ALICE
    assert tokens.get("t2") is None
    clock.now += 0.1
    assert tokens.get("t1") is None
    assert len(tokens) == 0


def test_never_past_the_tokens_expiry():
    clock = Clock()
    tokens = ConfirmedTokens(300, clock=clock)
    tokens.put("t1", ALICE, expires=clock.now + 10)
    clock.now += 9.9
    assert tokens.get("t1") == ALICE
    clock.now += 0.1
    assert tokens.get("t1") is None


def test_a_token_already_expired_is_not_remembered():
    clock = Clock()
    tokens = ConfirmedTokens(300, clock=clock)
    tokens.put("t1", ALICE, expires=clock.now - 1)
    assert tokens.get("t1") is None


def test_without_an_expiry_the_cache_time_bounds_it():
    clock = Clock()
    tokens = ConfirmedTokens(60, clock=clock)
    tokens.put("t1", ALICE)
    clock.now += 59
    assert tokens.get("t1") == ALICE
    clock.now += 1
    assert tokens.get("t1") is None


def test_nothing_is_remembered_when_auth_tokens_cache_is_off():
    for cache_time in (-1, 0):
        tokens = ConfirmedTokens(cache_time, clock=Clock())
        tokens.put("t1", ALICE, expires=5000.0)
        assert tokens.get("t1") is None and len(tokens) == 0


def test_beyond_the_bound_the_oldest_goes_first():
    tokens = ConfirmedTokens(300, max_entries=2, clock=Clock())
    for name in ("t1", "t2", "t3"):
        tokens.put(name, {**ALICE, "user_id": name})
    assert tokens.get("t1") is None
    assert tokens.get("t2")["user_id"] == "t2" and tokens.get("t3")["user_id"] == "t3"
    tokens.put("t2", {**ALICE, "user_id": "t2 again"})   # put again: the newest
    tokens.put("t4", ALICE)
    assert tokens.get("t3") is None and tokens.get("t2")["user_id"] == "t2 again"


def test_tokens_are_kept_by_digest_not_as_given():
    tokens = ConfirmedTokens(300, clock=Clock())
    secret = "gAAAAABsecret-token-value"
    tokens.put(secret, ALICE)
    assert secret not in repr(tokens._entries)
    assert tokens.get(secret + "x") is None and tokens.get(secret) == ALICE
