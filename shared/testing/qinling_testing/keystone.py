"""A throwaway Keystone (keystone from PyPI, in the repo's ``.venv-keystone``, made by
``scripts/keystone-venv``) on SQLite with fernet tokens, on a free loopback port::

    with KeystoneServer() as keystone:
        keystone.auth_url                 # http://127.0.0.1:<port>/v3
        keystone.users["alice"].project_id
        keystone.session("qinling")       # a keystoneauth1 Session, project-scoped

Its users, all in domain ``default``: ``admin`` (project ``admin``, role admin: the bootstrap
admin), ``qinling`` (project ``service``, roles service and admin: Qinling's service user as
Kolla and devstack make it), ``alice`` (project ``project-a``) and ``bob`` (``project-b``), both
role member. Passwords are random per start.

``keystone-manage db_sync``, ``fernet_setup``, ``credential_setup`` and ``bootstrap`` take
seconds, so they run once into a template directory (``var/keystone-template/<key>``, keyed by
the keystone version and this module's recipe, built in a temp dir then renamed into place)
that each start copies.
"""
import grp
import hashlib
import os
import pwd
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

from qinling_testing import ports, processes

REPO = Path(__file__).resolve().parents[3]
SERVE = Path(__file__).with_name("keystone_serve.py")
CONF = """[DEFAULT]
debug = false
[database]
connection = sqlite:///{dir}/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = {dir}/fernet-keys
[fernet_receipts]
key_repository = {dir}/fernet-keys
[credential]
key_repository = {dir}/credential-keys
[identity]
# the fewest bcrypt rounds: every password check costs milliseconds, not a quarter second
password_hash_rounds = 4
[cache]
# in-process: uncached, a token validation runs ~600 SQL queries (1-2 s on this machine); one
# server process, so Keystone's own invalidation (revocation, grants) stays exact
enabled = true
backend = dogpile.cache.memory
"""
PLACEHOLDER_URL = "http://127.0.0.1:5000/v3"  # bootstrap's endpoints; each start sets its own
OWNER = ("--keystone-user", "{user}", "--keystone-group", "{group}")
SETUP = (("db_sync",), ("fernet_setup", *OWNER), ("credential_setup", *OWNER),
         ("bootstrap", "--bootstrap-password", "{password}", "--bootstrap-username", "admin",
          "--bootstrap-project-name", "admin", "--bootstrap-role-name", "admin",
          "--bootstrap-service-name", "keystone", "--bootstrap-region-id", "RegionOne",
          *(arg for kind in ("admin", "internal", "public")
            for arg in (f"--bootstrap-{kind}-url", PLACEHOLDER_URL))))
RECIPE = hashlib.sha256(repr((CONF, SETUP)).encode()).hexdigest()[:10]
# name: (project, roles on it); admin comes from bootstrap
USERS = {"qinling": ("service", ("service", "admin")),
         "alice": ("project-a", ("member",)), "bob": ("project-b", ("member",))}


class KeystoneError(RuntimeError):
    pass


@dataclass(frozen=True)
class KeystoneUser:
    name: str
    password: str
    project_name: str
    project_id: str
    user_id: str


class KeystoneServer(processes.Managed):
    host = "127.0.0.1"
    region = "RegionOne"

    def __init__(self, venv=None, template_root=None, start_timeout=30.0):
        self.venv = Path(venv or REPO / ".venv-keystone")
        self.template_root = Path(template_root or REPO / "var" / "keystone-template")
        self.start_timeout = start_timeout
        self.dir = Path(tempfile.mkdtemp(prefix="qinling-keystone-"))
        self.log_path = self.dir / "keystone.log"
        self.template = None
        self.built_template = False  # whether this start had to build the template
        self.port = None
        self.proc = None
        self.users = {}

    @property
    def auth_url(self):
        return f"http://{self.host}:{self.port}/v3"

    def version(self):
        """The keystone version installed in the venv."""
        found = sorted(self.venv.glob("lib/python3*/site-packages/keystone-*.dist-info"))
        if not found:
            raise KeystoneError(f"keystone is not installed in {self.venv}: "
                                f"run scripts/keystone-venv")
        return found[-1].name[len("keystone-"):-len(".dist-info")]

    def start(self, attempts=3):
        """Copy the template (built first if missing), serve it, then make the users."""
        self.template = self.ensure_template()
        shutil.copytree(self.template, self.dir, dirs_exist_ok=True)
        conf = self.dir / "keystone.conf"
        conf.write_text(CONF.format(dir=self.dir))
        for _ in range(attempts):
            self.port = ports.free_port()
            env = {**os.environ, "OS_KEYSTONE_CONFIG_FILES": str(conf),
                   "QINLING_KEYSTONE_PORT": str(self.port)}
            self.proc = processes.spawn([self.venv / "bin" / "python", "-I", SERVE],
                                        self.log_path, cwd=self.dir, env=env)
            if processes.wait_ready(self.proc, lambda: requests.get(
                    self.auth_url, timeout=1).status_code == 200, self.start_timeout):
                break
        else:
            raise KeystoneError("Keystone did not start:\n" + processes.tail(self.log_path))
        self._populate((self.dir / "admin-password").read_text())
        return self

    def ensure_template(self):
        """The template directory for this version and recipe, built now if missing."""
        target = self.template_root / f"keystone-{self.version()}-{RECIPE}"
        if target.is_dir():
            return target
        self.template_root.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=".build-", dir=self.template_root))
        try:
            self._build(build)
            try:
                build.rename(target)
                self.built_template = True
            except OSError:  # another process built it first
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(build, ignore_errors=True)
        return target

    def _build(self, build):
        # a letter first: keystone-manage takes it on its command line, where "-x..." would
        # be an option
        password = "p" + secrets.token_urlsafe(16)
        (build / "admin-password").write_text(password)
        conf = build / "keystone.conf"
        conf.write_text(CONF.format(dir=build))
        names = {"user": pwd.getpwuid(os.getuid()).pw_name,
                 "group": grp.getgrgid(os.getgid()).gr_name, "password": password}
        log = build / "setup.log"
        for step in SETUP:
            argv = [self.venv / "bin" / "keystone-manage", "--config-file", conf,
                    *(arg.format(**names) for arg in step)]
            if processes.spawn(argv, log, cwd=build).wait(120) != 0:
                raise KeystoneError(f"keystone-manage {step[0]} failed:\n" + processes.tail(log))
        (build / "built").write_text(f"keystone {self.version()} recipe {RECIPE}\n")

    def _populate(self, admin_password):
        """Point the catalog at this port and make the projects, users and role grants."""
        admin = self._session("admin", admin_password, "admin")
        self.users["admin"] = KeystoneUser("admin", admin_password, "admin",
                                           admin.get_project_id(), admin.get_user_id())
        for endpoint in self._get(admin, "/endpoints")["endpoints"]:
            admin.patch(f"{self.auth_url}/endpoints/{endpoint['id']}",
                        json={"endpoint": {"url": self.auth_url}})
        roles = {role["name"]: role["id"] for role in self._get(admin, "/roles")["roles"]}
        for name, (project_name, role_names) in USERS.items():
            project_id = self._post(admin, "/projects", "project", name=project_name,
                                    domain_id="default")["id"]
            password = secrets.token_urlsafe(16)
            user_id = self._post(admin, "/users", "user", name=name, password=password,
                                 domain_id="default", default_project_id=project_id)["id"]
            for role in role_names:
                admin.put(f"{self.auth_url}/projects/{project_id}/users/{user_id}"
                          f"/roles/{roles[role]}")
            self.users[name] = KeystoneUser(name, password, project_name, project_id, user_id)

    def _get(self, sess, path):
        return sess.get(self.auth_url + path).json()

    def _post(self, sess, path, kind, **body):
        return sess.post(self.auth_url + path, json={kind: body}).json()[kind]

    def _session(self, name, password, project_name):
        return ks_session.Session(auth=v3.Password(
            auth_url=self.auth_url, username=name, password=password,
            project_name=project_name, user_domain_id="default", project_domain_id="default"))

    def session(self, user_name):
        """A keystoneauth1 Session of ``user_name``, scoped to its project."""
        user = self.users[user_name]
        return self._session(user.name, user.password, user.project_name)

    def token(self, user_name):
        """A new project-scoped token id of ``user_name``."""
        return self.session(user_name).get_token()

    def authtoken_options(self):
        """``[keystone_authtoken]`` of a qinling.conf that uses this Keystone as the
        ``qinling`` service user (as Kolla writes it)."""
        user = self.users["qinling"]
        return {"www_authenticate_uri": self.auth_url, "auth_url": self.auth_url,
                "auth_type": "password", "username": user.name, "password": user.password,
                "project_name": user.project_name, "user_domain_name": "Default",
                "project_domain_name": "Default", "region_name": self.region}

    def register_endpoint(self, service_type, url, name=None):
        """Put a service with public, internal and admin ``url`` endpoints in the catalog
        (replacing one of the same type), as a deployment registers Qinling's
        ``function-engine``."""
        admin = self.session("admin")
        for service in self._get(admin, f"/services?type={service_type}")["services"]:
            admin.delete(f"{self.auth_url}/services/{service['id']}")
        service_id = self._post(admin, "/services", "service", type=service_type,
                                name=name or service_type)["id"]
        for interface in ("public", "internal", "admin"):
            self._post(admin, "/endpoints", "endpoint", service_id=service_id, url=url,
                       interface=interface, region_id=self.region)

    def revoke(self, token):
        """Revoke ``token`` (as the admin)."""
        self.session("admin").delete(self.auth_url + "/auth/tokens",
                                     headers={"X-Subject-Token": token})

    def stop(self):
        if self.proc is not None:
            processes.terminate([self.proc], grace=5)
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
