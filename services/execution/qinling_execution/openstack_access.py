"""The OpenStack access a run hands its worker, for its function's ``context['os_session']``:
a token scoped to the execution's project, Keystone's URL and the region; never a password.

A synchronous run passes its caller's token; an asynchronous one (queued, retried, started by
a job, an event trigger or a webhook, maybe long after its caller's token expired) a token of
the execution's trust (``qinling_nameko.keystone``). ``None`` without Keystone, or when there
is no token to give (an internal caller, an execution without a trust).
"""


def for_run(keystone, execution, caller):
    if keystone is None:
        return None
    if execution.sync:
        token = caller.auth_token if caller is not None else None
        return keystone.openstack_context(token) if token else None
    return keystone.trust_access(execution.trust_id) if execution.trust_id else None
