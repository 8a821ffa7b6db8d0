"""Packages as objects of one S3 bucket (boto3).

A key ``a/b.zip`` is the object ``a/b.zip`` of ``[s3] bucket``, which is created when
missing. An object smaller than one part goes up in one ``PutObject``; a larger one as a
multipart upload read part by part from the chunks (at most one part in memory), which S3
makes visible only when completed and which is aborted if the source fails.
"""
import contextlib

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from qinling_shared.exceptions import NotFound, Unavailable

from qinling_storage.backends.base import PackageStore, check_key, check_prefix, not_found
from qinling_storage.backends.streams import StreamChunks

PART_SIZE = 5 * 1024 * 1024  # the smallest part S3 accepts (but the last)
_MISSING = {"404", "NoSuchKey", "NoSuchBucket", "NotFound"}


def blocks(chunks, size):
    """``chunks`` regrouped in blocks of exactly ``size`` bytes; the last one (maybe empty)
    shorter. Only a short block is ever the last."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    yield bytes(buffer)


def _code(exc):
    return exc.response.get("Error", {}).get("Code")


@contextlib.contextmanager
def s3_errors(what):
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if _code(exc) in _MISSING:
            raise NotFound(f"S3 {what} not found.") from None
        raise Unavailable(f"S3 refused {what}: {error.get('Code')} "
                          f"{error.get('Message', '')}".rstrip() + ".") from None
    except BotoCoreError as exc:
        raise Unavailable(f"S3 cannot be reached ({what}): {exc}") from None


class S3Store(PackageStore):
    def __init__(self, *, client, bucket, region_name="us-east-1", part_size=PART_SIZE):
        self.client = client
        self.bucket = bucket
        self.region_name = region_name
        self.part_size = part_size
        self._bucket_ready = False

    @classmethod
    def from_settings(cls, settings):
        s3 = settings.get("s3") or {}
        client = boto3.session.Session().client(
            "s3", endpoint_url=s3.get("endpoint_url") or None,
            region_name=s3.get("region_name") or "us-east-1",
            aws_access_key_id=s3.get("access_key") or None,
            aws_secret_access_key=s3.get("secret_key") or None,
            config=Config(s3={"addressing_style": s3.get("addressing_style") or "path"},
                          connect_timeout=10, read_timeout=30,
                          retries={"max_attempts": 2, "mode": "standard"}))
        return cls(client=client, bucket=s3.get("bucket") or "qinling-packages",
                   region_name=s3.get("region_name") or "us-east-1",
                   part_size=int(s3.get("part_size") or PART_SIZE))

    def _ensure_bucket(self):
        if self._bucket_ready:
            return
        with s3_errors(f"bucket {self.bucket}"):
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if _code(exc) not in _MISSING:
                    raise
                self._create_bucket()
        self._bucket_ready = True

    def _create_bucket(self):
        location = ({} if self.region_name == "us-east-1" else
                    {"CreateBucketConfiguration": {"LocationConstraint": self.region_name}})
        try:
            self.client.create_bucket(Bucket=self.bucket, **location)
        except self.client.exceptions.BucketAlreadyOwnedByYou:
            pass  # made meanwhile by another replica

    def put(self, key, chunks):
        check_key(key)
        self._ensure_bucket()
        parts = blocks(chunks, self.part_size)
        first = next(parts)
        if len(first) < self.part_size:  # the whole object
            with s3_errors(f"object {key}"):
                self.client.put_object(Bucket=self.bucket, Key=key, Body=first)
            return len(first)
        return self._put_multipart(key, first, parts)

    def _put_multipart(self, key, first, rest):
        with s3_errors(f"object {key}"):
            upload_id = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key)["UploadId"]
        try:
            done, size = [], 0
            for number, block in enumerate(_nonempty(first, rest), 1):
                with s3_errors(f"object {key}"):
                    part = self.client.upload_part(Bucket=self.bucket, Key=key, Body=block,
                                                   UploadId=upload_id, PartNumber=number)
                done.append({"PartNumber": number, "ETag": part["ETag"]})
                size += len(block)
            with s3_errors(f"object {key}"):
                self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=upload_id,
                    MultipartUpload={"Parts": done})
        except BaseException:
            with contextlib.suppress(ClientError, BotoCoreError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key,
                                                   UploadId=upload_id)
            raise
        return size

    def open(self, key):
        check_key(key)
        try:
            with s3_errors(f"object {key}"):
                body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except NotFound:
            raise not_found(key) from None
        return StreamChunks(body)

    def size(self, key):
        check_key(key)
        try:
            with s3_errors(f"object {key}"):
                return self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except NotFound:
            raise not_found(key) from None

    def delete(self, key):
        check_key(key)
        with contextlib.suppress(NotFound), s3_errors(f"object {key}"):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def exists(self, key):
        check_key(key)
        try:
            with s3_errors(f"object {key}"):
                self.client.head_object(Bucket=self.bucket, Key=key)
        except NotFound:
            return False
        return True

    def keys(self, prefix):
        check_prefix(prefix)
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix)
        try:
            with s3_errors(f"bucket {self.bucket}"):
                return [item["Key"] for page in pages for item in page.get("Contents", ())]
        except NotFound:  # no bucket yet: nothing stored
            return []


def _nonempty(first, rest):
    yield first
    for block in rest:
        if block:
            yield block
