"""The function service as the trigger service's interface tests need it: function ``f1``
of the caller's project (``default`` without Keystone), no alias."""
import pytest

from qinling_nameko.rpc import rpc
from qinling_shared.exceptions import NotFound, QinlingError


class FunctionStandIn:
    name = "function"

    @rpc(expected_exceptions=QinlingError)
    def get_function(self, function_id):
        if function_id != "f1":
            raise NotFound(f"Function not found [id={function_id}]")
        return {"id": function_id, "project_id": "default"}

    @rpc(expected_exceptions=QinlingError)
    def resolve_alias(self, name):
        raise NotFound(f"FunctionAlias not found [name={name}]")


@pytest.fixture
def function_stand_in():
    return FunctionStandIn
