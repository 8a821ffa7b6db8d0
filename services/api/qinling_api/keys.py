"""Typed keys of everything the app and its requests carry."""
import aiohttp
from aiohttp import web

from qinling_api.rpc import RpcClient
from qinling_api.settings import Settings
from qinling_api.storage_client import StorageClient

settings_key = web.AppKey("settings", Settings)
identity_key = web.AppKey("identity", object)   # qinling_api.identity.Keystone or NoKeystone
rpc_key = web.AppKey("rpc", RpcClient)
storage_key = web.AppKey("storage", StorageClient)
http_key = web.AppKey("http", aiohttp.ClientSession)
etcd_ssl_key = web.AppKey("etcd_ssl", object)     # aiohttp's ssl= for etcd (health.etcd_ssl)
openapi_key = web.AppKey("openapi", dict)          # the OpenAPI document, made at start
api_reference_key = web.AppKey("api_reference", str)  # its HTML page

context_key = web.RequestKey("context", dict)       # nameko context data of this request
request_id_key = web.RequestKey("request_id", str)
