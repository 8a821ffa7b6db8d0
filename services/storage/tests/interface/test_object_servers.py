"""The Swift and S3 test servers (qinling_testing) work and leave nothing behind."""
import socket

import boto3
import swiftclient

from qinling_testing.s3 import S3Server
from qinling_testing.swift import SwiftAIO


def port_open(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_swift_aio_serves_objects_then_stops_and_cleans_up():
    with SwiftAIO() as swift:
        conn = swiftclient.Connection(swift.auth_url, swift.user, swift.key)
        conn.put_container("c")
        conn.put_object("c", "o", b"data")
        assert conn.get_object("c", "o")[1] == b"data"
        assert swift.auth_url.startswith("http://127.0.0.1:")
        used_ports, data_dir = list(swift.ports.values()), swift.dir
    assert not any(map(port_open, used_ports))
    assert not data_dir.exists()


def test_s3_server_serves_objects_then_stops_and_cleans_up():
    with S3Server() as s3:
        client = boto3.client("s3", endpoint_url=s3.url, region_name=s3.region_name,
                              aws_access_key_id=s3.access_key,
                              aws_secret_access_key=s3.secret_key)
        client.create_bucket(Bucket="bucket")
        client.put_object(Bucket="bucket", Key="k", Body=b"data")
        assert client.get_object(Bucket="bucket", Key="k")["Body"].read() == b"data"
        port, data_dir = s3.port, s3.dir
    assert not port_open(port)
    assert not data_dir.exists()
