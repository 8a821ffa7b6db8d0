"""Keeping this replica's caches and workers current (handlers): what a change of a function,
a version, an alias or a runtime makes it forget. Every replica keeps its own caches, so each
hears the events of those changes (broadcast); a change made here is forgotten here at once."""


def forget_function(function_id, caches, placement):
    """What runs for the function changed: forget every cached spec of it and stop its
    version-0 workers, so the next execution runs the new code."""
    caches.specs.forget_group(function_id)
    placement.drop_function(function_id, 0)


def function_deleted(function_id, caches, placement):
    caches.specs.forget_group(function_id)
    placement.drop_all_versions(function_id)


def version_deleted(function_id, version, caches, placement):
    caches.specs.forget((function_id, version))
    placement.drop_function(function_id, version)


def forget_alias(name, caches):
    caches.aliases.forget_group(name)


def forget_runtime(runtime_id, caches):
    caches.runtimes.forget((runtime_id,))


def runtime_changed(event, runtime_id, caches, dispatch):
    """A runtime changed here: forget it at once, and on the other replicas by ``event``."""
    forget_runtime(runtime_id, caches)
    dispatch(event, {"id": runtime_id})
