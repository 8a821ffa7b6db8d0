"""Real resources for generated requests to address: a runtime, a function with a version,
an alias of it, an execution, and a webhook, a job and an event trigger of the alias, made
through the API. A fuzzer's case that addresses them (``realize``) reaches past the 404s;
``settle`` undoes what a case did that would pile up or break the next ones (a deleted resource
is made again, workers scaled up are released, event triggers a case made are deleted)."""

ALIAS_PREFIX = "fuzz-"
# The code of an image function: the document cannot say that ``code`` is JSON text, so a
# generated one is almost never valid.
IMAGE_CODE = '{"source": "image", "image": "python3"}'
JOB_PATTERN = "0 0 1 1 *"
# no OpenStack service sends this event type: the trigger never fires during a run
EVENT_TYPE = "fuzz.never.*"


class RealResources:
    def __init__(self):
        self.api = None
        self.ids = {}

    def make_all(self, api):
        """Make every resource with ``api`` (an ``ApiClient``); ``self``."""
        self.api = api
        self.make_runtime()
        self.make_function()
        self.make_alias()
        self.make_execution()
        self.make_webhook()
        self.make_job()
        self.make_event_trigger()
        return self

    def created(self, response):
        assert response.status_code == 201, response.text
        return response.json()

    def make_runtime(self):
        runtime = self.created(self.api.create_runtime())
        self.api.wait_for_status(f"/v1/runtimes/{runtime['id']}", {"available"})
        self.ids["runtimes"] = runtime["id"]

    def make_function(self):
        """A hello function, with version 1."""
        function = self.created(self.api.create_function(self.ids["runtimes"]))
        self.ids["functions"] = function["id"]
        self.created(self.api.post(f"/v1/functions/{function['id']}/versions", json={}))

    def make_alias(self):
        name = ALIAS_PREFIX + self.ids["functions"]
        self.created(self.api.post("/v1/aliases", json={
            "name": name, "function_id": self.ids["functions"], "function_version": 1}))
        self.ids["aliases"] = name

    def make_execution(self):
        execution = self.created(self.api.execute(self.ids["functions"], input="fuzz"))
        self.ids["executions"] = execution["id"]

    def make_webhook(self):
        """A webhook of the alias (an alias does not keep the function from being deleted)."""
        webhook = self.created(self.api.post("/v1/webhooks", json={
            "function_alias": self.ids["aliases"]}))
        self.ids["webhooks"] = webhook["id"]

    def make_job(self):
        """A yearly job of the alias (it does not fire during a run, nor keep the function
        from being deleted)."""
        job = self.created(self.api.post("/v1/jobs", json={
            "function_alias": self.ids["aliases"], "pattern": JOB_PATTERN}))
        self.ids["jobs"] = job["id"]

    def make_event_trigger(self):
        """An event trigger of the alias, of an event type nothing sends."""
        trigger = self.created(self.api.post("/v1/event_triggers", json={
            "function_alias": self.ids["aliases"], "event_type": EVENT_TYPE}))
        self.ids["event_triggers"] = trigger["id"]

    # -- cases ----------------------------------------------------------------------------

    def path_parameters(self, path):
        """The real values of the parameters of ``path`` (a template such as
        ``/v1/functions/{id}/versions/{version}``): ``id`` of the resource the path names."""
        kind = path.split("/")[2] if path.count("/") >= 2 else ""
        values = {"id": self.ids.get(kind), "name": self.ids.get("aliases"), "version": 1}
        return {name: value for name, value in values.items()
                if "{%s}" % name in path and value is not None}

    def body_fields(self, method, path):
        fields = {"function_id": self.ids["functions"], "runtime_id": self.ids["runtimes"],
                  "function_alias": self.ids["aliases"]}
        if (method.upper(), path) == ("POST", "/v1/functions"):
            fields["code"] = IMAGE_CODE  # a new function (the real one keeps its package)
        return fields

    def realize(self, case):
        """``case`` (a schemathesis case, changed in place) addressing the real resources:
        its path parameters and the references its body makes (and a new function's
        ``code`` an image's). A scale-up then asks for one worker (each is a process, and
        the machine may have two cores)."""
        path = case.operation.path
        if case.path_parameters:
            case.path_parameters = {**case.path_parameters, **self.path_parameters(path)}
        if isinstance(case.body, dict):
            fields = self.body_fields(case.method, path)
            case.body = {key: fields.get(key, value) for key, value in case.body.items()}
            if path.endswith("/scale_up"):
                case.body["count"] = 1
        return case

    def settle(self, method, path, path_parameters, status):
        """After a case answered ``status``: make again what a ``DELETE`` removed, release
        the workers a scale-up started (each is a process: they would pile up), delete the
        event trigger a create made (each binds the trigger service's queue to its exchanges
        and topics: up to 256 bindings that would pile up on the broker)."""
        if method.upper() == "DELETE" and status == 204:
            self.restore()
        elif (method.upper(), path, status) == ("POST", "/v1/event_triggers", 201):
            self.delete_made_event_triggers()
        elif path.endswith("/scale_up") and status == 202:
            target = path.rsplit("/", 1)[0].format(**path_parameters)
            response = self.api.post(target + "/detach")
            assert response.status_code == 202, response.text

    def delete_made_event_triggers(self):
        """Delete every event trigger but the real one (the fuzzer's project is the only
        one: no ``all_projects`` needed)."""
        response = self.api.get("/v1/event_triggers")
        assert response.status_code == 200, response.text
        for trigger in response.json()["event_triggers"]:
            if trigger["id"] != self.ids.get("event_triggers"):
                deleted = self.api.delete(f"/v1/event_triggers/{trigger['id']}")
                assert deleted.status_code == 204, deleted.text

    def missing(self, path):
        return self.api.get(path).status_code == 404

    def restore(self):
        """Make again what a request deleted (a function with its alias; a runtime with
        its function too; the webhook, job and event trigger of a new alias). Call it after a
        ``DELETE`` answered 204."""
        function = f"/v1/functions/{self.ids['functions']}"
        if self.missing(f"/v1/runtimes/{self.ids['runtimes']}"):
            self.make_runtime()
            self.make_function()
            self.make_alias()
            self.make_webhook()
            self.make_job()
            self.make_event_trigger()
        elif self.missing(function) or self.missing(function + "/versions/1"):
            self.make_function()
            self.make_alias()
            self.make_webhook()
            self.make_job()
            self.make_event_trigger()
        elif self.missing(f"/v1/aliases/{self.ids['aliases']}"):
            self.make_alias()
        if self.missing(f"/v1/executions/{self.ids['executions']}"):
            self.make_execution()
        if self.missing(f"/v1/webhooks/{self.ids['webhooks']}"):
            self.make_webhook()
        if self.missing(f"/v1/jobs/{self.ids['jobs']}"):
            self.make_job()
        if self.missing(f"/v1/event_triggers/{self.ids['event_triggers']}"):
            self.make_event_trigger()
