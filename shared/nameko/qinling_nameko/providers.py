"""Nameko providers that expose the caller's tenancy and rights (``qinling_shared.context``,
``qinling_shared.policies``)."""
from typing import NamedTuple

from nameko.extensions import DependencyProvider

from qinling_shared import policies
from qinling_shared.context import (
    AUTH_TOKEN, DEFAULT_PROJECT, IS_ADMIN, PROJECT_ID, ROLES, TRUST_ID, USER_ID)
from qinling_shared.exceptions import Forbidden

_DEFAULT_RULES = []   # the in-code defaults, made on first use


def default_rules():
    if not _DEFAULT_RULES:
        _DEFAULT_RULES.append(policies.Rules())
    return _DEFAULT_RULES[0]


class Caller(NamedTuple):
    """Who calls an entrypoint: the request's project, whether it acts as an admin (the
    policy's ``context_is_admin``), and what the policy lets it do. With Keystone, its
    ``auth_token`` (a user's request) or the ``trust_id`` it acts through (a job's or an
    event trigger's execution)."""

    project_id: str
    is_admin: bool
    user_id: str = None
    roles: tuple = ()
    rules: object = None   # a ``policies.Rules``; None: the defaults in code
    auth_token: str = None
    trust_id: str = None

    def __repr__(self):   # never a token in a log line
        return (f"Caller(project_id={self.project_id!r}, is_admin={self.is_admin!r}, "
                f"user_id={self.user_id!r}, roles={self.roles!r})")

    def may_see(self, project_id, is_public=False):
        """Its project's resources, public ones, or any for admins."""
        return bool(is_public or self.is_admin or project_id == self.project_id)

    def allowed(self, rule):
        """Whether the policy grants ``rule`` to this caller, in its own project (queries
        are project-scoped: the rules decide who may act, the scope on what)."""
        return (self.rules or default_rules()).allowed(
            rule, self.project_id, self.user_id, self.roles, self.is_admin)

    def authorize(self, rule):
        """``Forbidden`` ("Operation not allowed", as Qinling) unless ``allowed(rule)``."""
        if not self.allowed(rule):
            raise Forbidden()

    def may_list_all(self, resource):
        """Whether it may list every project's (or another project's) ``resource`` rows:
        ``<resource>:get_all:all_projects``."""
        return self.allowed(policies.ALL_PROJECTS.format(resource=resource))


def caller_of(context_data, rules=None):
    """The ``Caller`` of a call's context data; internal callers that send no project act
    for project ``default``. An admin is whom the policy's ``context_is_admin`` names (the
    embedded default without Keystone sends ``is_admin``)."""
    caller = Caller(context_data.get(PROJECT_ID) or DEFAULT_PROJECT,
                    bool(context_data.get(IS_ADMIN)), context_data.get(USER_ID),
                    tuple(context_data.get(ROLES) or ()), rules,
                    context_data.get(AUTH_TOKEN), context_data.get(TRUST_ID))
    return caller._replace(is_admin=caller.allowed("context_is_admin"))


class CurrentCaller(DependencyProvider):
    """Injects the ``Caller`` of the entrypoint call being served, with the policy of
    ``POLICY_FILE`` in the container config (an absolute path; unset: the defaults)."""

    def setup(self):
        self.rules = policies.Rules(self.container.config.get("POLICY_FILE"))

    def get_dependency(self, worker_ctx):
        return caller_of(worker_ctx.context_data, self.rules)
