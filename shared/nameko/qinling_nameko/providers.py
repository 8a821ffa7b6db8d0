"""Nameko providers that expose the caller's tenancy (see ``qinling_shared.context``)."""
from nameko.contextdata import ContextDataProvider

from qinling_shared.context import DEFAULT_PROJECT, IS_ADMIN, PROJECT_ID, REQUEST_ID


class ProjectId(ContextDataProvider):
    """The caller's project; internal callers that send none act for project ``default``."""

    context_key = PROJECT_ID

    def get_dependency(self, worker_ctx):
        return worker_ctx.context_data.get(self.context_key) or DEFAULT_PROJECT


class IsAdmin(ContextDataProvider):
    context_key = IS_ADMIN


class RequestId(ContextDataProvider):
    context_key = REQUEST_ID
