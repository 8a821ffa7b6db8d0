"""The policy rules every service enforces, with Qinling's defaults (its ``policy.json.sample``).

Runtimes, pools, workers, scaling, detach and listing every project's resources are
admin-only; everything else is admin-or-owner. An operator's ``[oslo_policy] policy_file``
(YAML, or Kolla's ``policy.json``) overrides any rule; ``make sample-policy`` writes them all.
Each service checks the rules of the resources it owns (``qinling_nameko.providers.Caller``).
"""
import os

from oslo_config import cfg
from oslo_policy import policy

ADMIN = "rule:context_is_admin"
ADMIN_OR_OWNER = "rule:admin_or_owner"

BASE_RULES = [
    policy.RuleDefault("context_is_admin", "role:admin or is_admin:1",
                       description="Who is an admin: sees and changes every project's resources."),
    policy.RuleDefault("owner", "project_id:%(project_id)s",
                       description="The caller's project owns the resource."),
    policy.RuleDefault("admin_or_owner", "rule:context_is_admin or rule:owner"),
    policy.RuleDefault("default", ADMIN_OR_OWNER,
                       description="Any rule not named here."),
]

# (rule, default, method, path): Qinling's admin-only rules, then the admin-or-owner ones it
# left to its "default" (checked here all the same, so an operator may override each)
OPERATIONS = [
    ("runtime:create", ADMIN, "POST", "/v1/runtimes"),
    ("runtime:update", ADMIN, "PUT", "/v1/runtimes/{id}"),
    ("runtime:delete", ADMIN, "DELETE", "/v1/runtimes/{id}"),
    ("runtime_pool:get_all", ADMIN, "GET", "/v1/runtimes/{id}/pool"),
    ("function_worker:get_all", ADMIN, "GET", "/v1/functions/{id}/workers"),
    ("function:scale_up", ADMIN, "POST", "/v1/functions/{id}/scale_up"),
    ("function:scale_down", ADMIN, "POST", "/v1/functions/{id}/scale_down"),
    ("function:detach", ADMIN, "POST", "/v1/functions/{id}/detach"),
    ("function_version:scale_up", ADMIN, "POST", "/v1/functions/{id}/versions/{v}/scale_up"),
    ("function_version:scale_down", ADMIN, "POST",
     "/v1/functions/{id}/versions/{v}/scale_down"),
    ("function_version:detach", ADMIN, "POST", "/v1/functions/{id}/versions/{v}/detach"),
    *[(f"{resource}:get_all:all_projects", ADMIN, "GET", f"{path}?all_projects=true")
      for resource, path in (("runtime", "/v1/runtimes"), ("function", "/v1/functions"),
                             ("function_alias", "/v1/aliases"), ("execution", "/v1/executions"),
                             ("job", "/v1/jobs"), ("webhook", "/v1/webhooks"),
                             ("event_trigger", "/v1/event_triggers"))],
    ("runtime:get", ADMIN_OR_OWNER, "GET", "/v1/runtimes/{id}"),
    ("runtime:get_all", ADMIN_OR_OWNER, "GET", "/v1/runtimes"),
    *[(f"{resource}:{action}", ADMIN_OR_OWNER, method, path.format(collection=collection))
      for resource, collection in (
          ("function", "/v1/functions"), ("function_version", "/v1/functions/{id}/versions"),
          ("function_alias", "/v1/aliases"), ("execution", "/v1/executions"),
          ("job", "/v1/jobs"), ("webhook", "/v1/webhooks"),
          ("event_trigger", "/v1/event_triggers"))
      for action, method, path in (
          ("create", "POST", "{collection}"), ("get", "GET", "{collection}/{{id}}"),
          ("get_all", "GET", "{collection}"), ("update", "PUT", "{collection}/{{id}}"),
          ("delete", "DELETE", "{collection}/{{id}}"))
      if not (resource in ("function_version", "execution") and action == "update")],
    ("execution:get_log", ADMIN_OR_OWNER, "GET", "/v1/executions/{id}/log"),
    ("execution:cancel", ADMIN_OR_OWNER, "POST", "/v1/executions/{id}/cancel"),
]

WHO = {ADMIN: "Admins only.",
       ADMIN_OR_OWNER: "Admins, and the users of the project concerned."}

RULES = BASE_RULES + [
    policy.DocumentedRuleDefault(name, check, WHO[check], [{"method": method, "path": path}])
    for name, check, method, path in OPERATIONS]

ALL_PROJECTS = "{resource}:get_all:all_projects"


def list_rules():
    """Entry point ``oslo.policy.policies`` (oslopolicy-sample-generator, -policy-generator)."""
    return RULES


class Rules:
    """The policy's decisions, memoized: oslo.policy takes about a millisecond per check,
    and a decision depends only on the rule and the caller (the target is always the caller's
    own project). A ``policy_file`` is read again, and the memo cleared, when it changes."""

    MEMO_SIZE = 10000

    def __init__(self, policy_file=None):
        self.policy_file = policy_file
        self._enforcer = enforcer(policy_file)
        self._mtime = self._file_mtime()
        self._memo = {}

    def allowed(self, rule, project_id, user_id=None, roles=(), is_admin=False):
        """Whether ``rule`` lets this caller act in its own project (an unknown rule is a
        programming error: ``oslo_policy.policy.PolicyNotRegistered``)."""
        mtime = self._file_mtime()
        if mtime != self._mtime:
            self._mtime, self._memo = mtime, {}
        key = (rule, project_id, user_id, tuple(sorted(roles)), bool(is_admin))
        decision = self._memo.get(key)
        if decision is None:
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo = {}
            decision = self._memo[key] = self._enforcer.authorize(
                rule, {"project_id": project_id}, {
                    "project_id": project_id, "user_id": user_id, "roles": list(roles),
                    "is_admin": int(bool(is_admin))})   # ``is_admin:1`` compares text
        return decision

    def _file_mtime(self):
        try:
            return self.policy_file and os.stat(self.policy_file).st_mtime_ns
        except OSError:
            return None


def enforcer(policy_file=None):
    """An oslo.policy ``Enforcer`` with these defaults, overridden by ``policy_file`` (the
    absolute path of a YAML or JSON file) when given, read again when it changes."""
    conf = cfg.ConfigOpts()
    conf([], project="qinling", default_config_files=[], default_config_dirs=[])
    rules = policy.Enforcer(conf, policy_file=policy_file)
    conf.set_override("policy_dirs", [], "oslo_policy")
    rules.register_defaults(RULES)
    rules.load_rules()
    # without a file nothing can change: skip the file search oslo.policy makes on each check
    rules.use_conf = policy_file is not None
    return rules
