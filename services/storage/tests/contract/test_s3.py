"""The store contract against a real S3 server (moto; tests/conftest.py ``s3_server``)."""
import hashlib
import os

import boto3
import pytest
from store_contract import Boom, StoreContract, failing_after

from qinling_storage.backends.s3 import PART_SIZE, S3Store, blocks


def s3_client(server):
    return boto3.client("s3", endpoint_url=server.url, region_name=server.region_name,
                        aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key)


@pytest.fixture(scope="module")
def client(s3_server):
    return s3_client(s3_server)  # made once: building a boto3 client takes ~0.3 s


class TestS3Store(StoreContract):
    @pytest.fixture
    def store(self, client, s3_settings):
        return S3Store(client=client, bucket=s3_settings["bucket"])

    def test_from_settings_reaches_the_configured_server(self, s3_settings, client):
        store = S3Store.from_settings({"provider": "s3", "s3": s3_settings})
        store.put("p/a.zip", [b"abc"])
        assert client.get_object(Bucket=s3_settings["bucket"], Key="p/a.zip")["Body"].read() == (
            b"abc")

    def test_large_object_goes_up_in_parts(self, store, s3_settings, client):
        data = os.urandom(2 * PART_SIZE + 1000)
        chunks = (data[i:i + 64 * 1024] for i in range(0, len(data), 64 * 1024))
        assert store.put("p/big.zip", chunks) == len(data)
        head = client.head_object(Bucket=s3_settings["bucket"], Key="p/big.zip")
        assert head["ETag"].strip('"').endswith("-3")  # a multipart upload of 3 parts
        assert hashlib.sha256(b"".join(store.open("p/big.zip"))).digest() == (
            hashlib.sha256(data).digest())

    def test_failing_multipart_upload_is_aborted(self, store, s3_settings, client):
        with pytest.raises(Boom):
            store.put("p/a.zip", failing_after([b"x" * PART_SIZE, b"y" * 100]))
        assert client.list_multipart_uploads(Bucket=s3_settings["bucket"]).get("Uploads",
                                                                                []) == []
        assert client.list_objects_v2(Bucket=s3_settings["bucket"]).get("Contents", []) == []

    def test_reads_before_any_write_are_not_found(self, store):
        assert not store.exists("p/a.zip")  # the bucket does not exist yet
        store.delete("p/a.zip")


@pytest.mark.parametrize("chunks,expected", [
    ([], [b""]),
    ([b"ab", b"c"], [b"abc"]),
    ([b"abcd", b"e"], [b"abcd", b"e"]),
    ([b"ab", b"cd"], [b"abcd", b""]),
    ([b"abcdefghij"], [b"abcd", b"efgh", b"ij"]),
])
def test_blocks_regroup_chunks_in_full_parts(chunks, expected):
    assert list(blocks(chunks, 4)) == expected
