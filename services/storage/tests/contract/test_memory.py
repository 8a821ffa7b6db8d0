import pytest
from store_contract import StoreContract

from qinling_storage.backends.memory import MemoryStore


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self):
        return MemoryStore.from_settings({"provider": "memory"})
