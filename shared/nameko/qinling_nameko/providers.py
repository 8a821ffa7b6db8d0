"""Nameko providers that expose the caller's tenancy (see ``qinling_shared.context``)."""
from typing import NamedTuple

from nameko.extensions import DependencyProvider

from qinling_shared.context import DEFAULT_PROJECT, IS_ADMIN, PROJECT_ID


class Caller(NamedTuple):
    """Who calls an entrypoint: the request's project and whether its user is an admin."""

    project_id: str
    is_admin: bool

    def may_see(self, project_id, is_public=False):
        """Its project's resources, public ones, or any for admins."""
        return bool(is_public or self.is_admin or project_id == self.project_id)


def caller_of(context_data):
    """The ``Caller`` of a call's context data; internal callers that send no project act
    for project ``default``."""
    return Caller(context_data.get(PROJECT_ID) or DEFAULT_PROJECT,
                  bool(context_data.get(IS_ADMIN)))


class CurrentCaller(DependencyProvider):
    """Injects the ``Caller`` of the entrypoint call being served."""

    def get_dependency(self, worker_ctx):
        return caller_of(worker_ctx.context_data)
