"""Jobs: owned by the trigger service. The gateway checks the types of the JSON fields
(``schemas.jobs``); the trigger service checks the rules and fires the jobs."""
from aiohttp import web

from qinling_api import validation
from qinling_api.calls import call, listed
from qinling_api.schemas.jobs import JobCreate, JobUpdate


async def job_values(request, schema):
    return validation.load(schema, validation.json_object(await request.read()))


async def create_job(request):
    values = await job_values(request, JobCreate)
    return web.json_response(await call(request, "trigger", "create_job", values), status=201)


async def list_jobs(request):
    """``GET /v1/jobs`` → ``{"jobs": [...]}`` (the caller's project)."""
    return web.json_response({"jobs": await listed(request, "trigger", "list_jobs")})


async def get_job(request):
    return web.json_response(await call(request, "trigger", "get_job",
                                        request.match_info["id"]))


async def update_job(request):
    """``PUT /v1/jobs/{id}`` → 200 job (Qinling's api-ref says 202; its code answers 200)."""
    values = await job_values(request, JobUpdate)
    return web.json_response(await call(request, "trigger", "update_job",
                                        request.match_info["id"], values))


async def delete_job(request):
    await call(request, "trigger", "delete_job", request.match_info["id"])
    return web.Response(status=204)
