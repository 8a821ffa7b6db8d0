"""The function service: owns functions, their versions and their aliases.

Each entrypoint calls one handler of ``functions``, ``updates``, ``versions`` or ``aliases``
with the ports it uses: the database session, the caller, the RPC proxies of the storage,
execution and trigger services, the event dispatcher and configured values.
"""
from nameko.events import EventDispatcher
from nameko.rpc import RpcProxy

from qinling_nameko.database import Database
from qinling_nameko.keystone import KeystoneProvider
from qinling_nameko.metrics import ServesMetrics
from qinling_nameko.ping import pong
from qinling_nameko.providers import CurrentCaller
from qinling_nameko.rpc import rpc
from qinling_shared.exceptions import QinlingError

from qinling_function import aliases, functions, updates, versions
from qinling_function.dependencies import Limits, Settings


class FunctionService(ServesMetrics):
    name = "function"

    db = Database("qinling_function")
    limits = Limits()
    settings = Settings()
    storage = RpcProxy("storage")
    execution = RpcProxy("execution")
    trigger = RpcProxy("trigger")
    dispatch = EventDispatcher()
    caller = CurrentCaller()
    keystone = KeystoneProvider()

    @rpc
    def ping(self):
        return pong(self.name)

    # -- functions ------------------------------------------------------------------------

    @rpc(expected_exceptions=QinlingError)
    def create_function(self, values, package=None):
        """From the form fields of ``POST /v1/functions``; ``package``: an upload or ``None``."""
        return functions.create_function(
            values, package, db=self.db, caller=self.caller, limits=self.limits,
            storage=self.storage, execution=self.execution, dispatch=self.dispatch,
            keystone=self.keystone)

    @rpc(expected_exceptions=QinlingError)
    def get_function(self, function_id):
        return functions.get_function(function_id, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def list_functions(self, query=None):
        return functions.list_functions(query, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def get_function_spec(self, function_id, version=0):
        return functions.get_function_spec(function_id, version, db=self.db,
                                           caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def get_package_url(self, function_id, version=0):
        return functions.get_package_url(function_id, version, db=self.db, caller=self.caller,
                                         storage=self.storage)

    @rpc(expected_exceptions=QinlingError)
    def count_functions(self, runtime_id):
        return functions.count_functions(runtime_id, db=self.db)

    @rpc(expected_exceptions=QinlingError)
    def update_function(self, function_id, values, package=None):
        return updates.update_function(
            function_id, values, package, db=self.db, caller=self.caller, limits=self.limits,
            storage=self.storage, execution=self.execution, trigger=self.trigger,
            dispatch=self.dispatch)

    @rpc(expected_exceptions=QinlingError)
    def delete_function(self, function_id):
        functions.delete_function(function_id, db=self.db, caller=self.caller,
                                  storage=self.storage, trigger=self.trigger,
                                  dispatch=self.dispatch, keystone=self.keystone)

    # -- versions -------------------------------------------------------------------------

    @rpc(expected_exceptions=QinlingError)
    def create_version(self, function_id, description=None):
        return versions.create_version(
            function_id, description, db=self.db, caller=self.caller, storage=self.storage,
            max_versions=self.settings["max_versions"], dispatch=self.dispatch)

    @rpc(expected_exceptions=QinlingError)
    def list_versions(self, function_id):
        return versions.list_versions(function_id, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def get_version(self, function_id, version):
        return versions.get_version(function_id, version, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def delete_version(self, function_id, version):
        versions.delete_version(function_id, version, db=self.db, caller=self.caller,
                                storage=self.storage, trigger=self.trigger,
                                dispatch=self.dispatch)

    # -- aliases --------------------------------------------------------------------------

    @rpc(expected_exceptions=QinlingError)
    def create_alias(self, values):
        return aliases.create_alias(values, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def list_aliases(self, query=None):
        return aliases.list_aliases(query, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def get_alias(self, name):
        return aliases.get_alias(name, db=self.db, caller=self.caller)

    @rpc(expected_exceptions=QinlingError)
    def update_alias(self, name, values):
        return aliases.update_alias(name, values, db=self.db, caller=self.caller,
                                    dispatch=self.dispatch)

    @rpc(expected_exceptions=QinlingError)
    def delete_alias(self, name):
        aliases.delete_alias(name, db=self.db, caller=self.caller, dispatch=self.dispatch)

    @rpc(expected_exceptions=QinlingError)
    def resolve_alias(self, name):
        return aliases.resolve_alias(name, db=self.db, caller=self.caller)
