"""The policy: Qinling's defaults, the committed sample, and an operator's overrides."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from oslo_policy.policy import PolicyNotRegistered

from qinling_shared import policies

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "etc" / "policy.yaml.sample"
# research/qinling.md §1.9: every other rule is admin-or-owner
QINLING_ADMIN_ONLY = {
    "runtime:create", "runtime:update", "runtime:delete", "runtime_pool:get_all",
    "function:get_all:all_projects", "function_worker:get_all", "function:scale_up",
    "function:scale_down", "function:detach", "function_version:scale_up",
    "function_version:scale_down", "function_version:detach",
    "execution:get_all:all_projects", "webhook:get_all:all_projects", "job:get_all:all_projects"}
MEMBER = dict(project_id="pa", user_id="alice", roles=("member", "reader"))
ADMIN = dict(project_id="admin", user_id="root", roles=("admin",))


def test_committed_sample_matches_the_rules(tmp_path):
    generated = tmp_path / "policy.yaml.sample"
    generator = Path(sys.executable).parent / "oslopolicy-sample-generator"
    subprocess.run([generator, "--config-file", REPO / "etc/oslo-policy-generator/qinling.conf",
                    "--output-file", generated], check=True, capture_output=True)
    assert SAMPLE.exists(), f"{SAMPLE} is missing: run make sample-policy"
    assert generated.read_text() == SAMPLE.read_text(), \
        "etc/policy.yaml.sample is stale: run make sample-policy"


def test_the_defaults_are_qinlings():
    rules = policies.Rules()
    names = {rule.name for rule in policies.RULES if ":" in rule.name}
    assert QINLING_ADMIN_ONLY < names
    for name in names:
        assert rules.allowed(name, **ADMIN), name
        assert rules.allowed(name, **MEMBER) is (name not in QINLING_ADMIN_ONLY
                                                 and not name.endswith(":all_projects")), name


def test_an_admin_is_whom_the_roles_or_the_embedded_default_name():
    rules = policies.Rules()
    assert rules.allowed("context_is_admin", **ADMIN)
    assert not rules.allowed("context_is_admin", **MEMBER)
    assert rules.allowed("context_is_admin", "default", is_admin=True)


def test_an_unknown_rule_is_a_programming_error():
    with pytest.raises(PolicyNotRegistered):
        policies.Rules().allowed("function:fly", **ADMIN)


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_an_operator_file_overrides_one_rule_and_keeps_the_others(tmp_path, form):
    """A YAML policy file, or Kolla's policy.json, as ``[oslo_policy] policy_file``."""
    overrides = {"runtime:create": "role:member", "function:create": "role:creator"}
    path = tmp_path / f"policy.{form}"
    path.write_text(json.dumps(overrides) if form == "json" else
                    "".join(f'"{rule}": "{check}"\n' for rule, check in overrides.items()))
    rules = policies.Rules(str(path))
    assert rules.allowed("runtime:create", **MEMBER)
    assert not rules.allowed("function:create", **MEMBER)
    assert rules.allowed("function:create", "pa", roles=("creator",))
    assert not rules.allowed("runtime:delete", **MEMBER)
    assert rules.allowed("function:get", **MEMBER)


def test_a_changed_file_applies_at_once(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text('"execution:create": "!"\n')
    rules = policies.Rules(str(path))
    assert not rules.allowed("execution:create", **MEMBER)
    before = path.stat().st_mtime_ns
    path.write_text('"execution:create": "@"\n')
    later = before + 1_000_000_000   # an edit a second later (file times may be coarse)
    os.utime(path, ns=(later, later))
    assert rules.allowed("execution:create", **MEMBER)
