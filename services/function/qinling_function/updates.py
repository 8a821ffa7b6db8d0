"""``update_function``: Qinling's ``PUT /v1/functions/{id}`` (research §1.3), mixed into
``FunctionService``."""
import logging

from nameko.rpc import rpc

from qinling_shared import events
from qinling_shared.exceptions import Forbidden, QinlingError

from qinling_function import rules, update_rules
from qinling_function.lookups import Lookups

LOG = logging.getLogger(__name__)
JOBS = "The function is still associated with running job(s)."


class FunctionUpdates(Lookups):
    @rpc(expected_exceptions=QinlingError)
    def update_function(self, function_id, values, package=None):
        """Update name, description, code (package or swift), entry, cpu, memory_size, timeout.

        ``package`` is a new upload held by the storage service, or ``None``; a refused update
        deletes it, an accepted one deletes the package it replaces (after the commit). When
        what runs changes, the execution service forgets the function before this returns
        and ``function_updated`` tells every replica.
        """
        try:
            function, clean, code, swift = self._checked_update(function_id, values, package)
            before = function.snapshot()
            replaced = self._apply_update(function, clean, code, package, swift)
            self.db.commit()
        except Exception:
            self.db.rollback()
            if package is not None:
                self._discard(package["key"])
            raise
        self._discard(replaced)
        if update_rules.runs_changed(before, function.snapshot()):
            self._announce_update(function.id)
        return function.to_dict()

    def _checked_update(self, function_id, values, package):
        """``(function, clean fields, new code or None, swift stat or None)``, or a refusal."""
        changes = update_rules.requested(values, package)
        clean = update_rules.clean_fields(changes, self.limits)
        function = self._function(function_id)
        if update_rules.is_db_only(changes):
            return function, clean, None, None
        if self.trigger.function_usage(function_id)["jobs"]:
            raise Forbidden(JOBS)
        code = update_rules.new_code(function.code, function.package_md5, changes)
        swift = None
        if code is not None and code["source"] == "swift":
            swift = self.storage.stat_swift_object(code["swift"]["container"],
                                                   code["swift"]["object"])
        return function, clean, code, swift

    def _apply_update(self, function, clean, code, package, swift):
        """Set the new values; return the key of a package this update replaces."""
        for field, value in clean.items():
            setattr(function, field, value)
        if code is None:
            return None
        replaced = function.package_key if package is not None else None
        function.code = code
        if package is not None:
            function.package_key, function.package_sha256 = package["key"], package["sha256"]
            function.package_md5, function.package_size = package["md5sum"], package["size"]
        else:
            function.package_key = rules.swift_key(code["swift"]["container"],
                                                   code["swift"]["object"])
            function.package_sha256 = None
            function.package_md5, function.package_size = swift["etag"], swift["size"]
        return replaced

    def _announce_update(self, function_id):
        """One execution replica forgets at once (synchronously); the event reaches them all."""
        self.dispatch(events.FUNCTION_UPDATED, {"id": function_id})
        try:
            self.execution.forget_function(function_id)
        except Exception:  # the update is committed; the event still clears the caches
            LOG.exception("execution service could not forget function %s", function_id)
