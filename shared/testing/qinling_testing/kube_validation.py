"""What the fake API server checks in an object before it keeps it.

``Validator(versions)(obj, old=None)`` returns a list of error strings (empty = valid):

* the strict JSON schema of every Kubernetes version in ``versions`` (kubernetes-validate's
  ``-local-strict`` schemas, as ``kubernetes_validate.validate(obj, version, strict=True)``
  reads them, with the compiled validators cached: an unknown field, a wrong type, a field
  a version does not have, e.g. a pod-level ``spec.resources`` before 1.34, all fail);
* what the API server checks beyond the schema: names (DNS-1123), label keys and values,
  container names unique, requests <= limits, a Deployment's selector matching its template;
* on an update (``old``): a Deployment's ``spec.selector`` is immutable, and a Pod's spec
  may change only in images, ``activeDeadlineSeconds`` and ``tolerations``.

``parse_quantity("64Mi") == 67108864`` reads a resource quantity.
"""
import functools
import re

import jsonschema
import kubernetes_validate
from kubernetes_validate import utils as kv_utils
from packaging.version import Version
from referencing import Registry, Resource

from qinling_testing.kube_selectors import match_selector

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
            "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
            "P": 1e15, "E": 1e18}
POD_MUTABLE = ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds")


def default_versions():
    """1.30.0 and the newest version kubernetes-validate knows."""
    return ("1.30.0", kubernetes_validate.latest_version())


def parse_quantity(text):
    """A Kubernetes quantity (``"64Mi"``, ``"0.5"``, ``"100m"``, ``"1e3"``) as a number."""
    match = re.match(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([A-Za-z]*)$", str(text).strip())
    if match is None or match.group(2) not in SUFFIXES:
        raise ValueError(f"quantities must match the regular expression: {text!r}")
    return float(match.group(1)) * SUFFIXES[match.group(2)]


@functools.lru_cache(maxsize=None)
def _schema_validator(version, kind, api_version):
    known = [v for v in kv_utils.all_versions()
             if Version(kv_utils.major_minor(v)) <= Version(kv_utils.major_minor(version))]
    schema_dir = f"kubernetes-json-schema/v{known[-1]}-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = kv_utils.schema_contents(f"{schema_dir}/{kind.lower()}-{group_version}.json",
                                      version)
    definitions = kv_utils.schema_contents(f"{schema_dir}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def schema_errors(obj, version):
    """The strict schema errors of ``obj`` for Kubernetes ``version``."""
    try:
        validator = _schema_validator(version, obj["kind"], obj["apiVersion"])
    except (FileNotFoundError, kv_utils.VersionNotSupportedError) as error:
        return [f"[{version}] no schema for {obj['apiVersion']} {obj['kind']}: {error!r}"]
    return [f"[{version}] {'.'.join(map(str, error.path)) or '<root>'}: {error.message}"
            for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.path)))]


def _label_key_errors(key, where):
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)):
        return [f"{where}: Invalid value: {key!r}: prefix part must be a DNS-1123 subdomain"]
    if len(name) > 63 or not LABEL_NAME.match(name):
        return [f"{where}: Invalid value: {key!r}: name part must consist of alphanumeric "
                "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                "character (at most 63)"]
    return []


def metadata_errors(obj):
    metadata, errors = obj.get("metadata") or {}, []
    name = metadata.get("name", "")
    pattern, limit = (DNS_LABEL, 63) if obj["kind"] == "Namespace" else (DNS_SUBDOMAIN, 253)
    if not name or len(name) > limit or not pattern.match(name):
        errors.append(f"metadata.name: Invalid value: {name!r}: a lowercase RFC 1123 name "
                      f"must consist of lower case alphanumeric characters, '-' or '.' "
                      f"(at most {limit})")
    errors += _labels_errors(metadata.get("labels"), "metadata.labels")
    for key in metadata.get("annotations") or {}:
        errors += _label_key_errors(key, "metadata.annotations")
    return errors


def _labels_errors(labels, where):
    errors = []
    for key, value in (labels or {}).items():
        errors += _label_key_errors(key, where)
        if not isinstance(value, str) or len(value) > 63 or (value and not LABEL_NAME.match(value)):
            errors.append(f"{where}: Invalid value: {value!r}: a valid label must be an empty "
                          "string or consist of alphanumeric characters, '-', '_' or '.', "
                          "and must start and end with an alphanumeric character (at most 63)")
    return errors


def pod_spec_errors(spec, where):
    errors, names = [], set()
    containers = list(spec.get("containers") or [])
    if not containers:
        errors.append(f"{where}.containers: Required value")
    for index, container in enumerate(containers + list(spec.get("initContainers") or [])):
        name = container.get("name", "")
        if not DNS_LABEL.match(name) or len(name) > 63:
            errors.append(f"{where}.containers[{index}].name: Invalid value: {name!r}")
        if name in names:
            errors.append(f"{where}.containers[{index}].name: Duplicate value: {name!r}")
        names.add(name)
        resources = container.get("resources") or {}
        for resource, request in (resources.get("requests") or {}).items():
            limit = (resources.get("limits") or {}).get(resource)
            try:
                if limit is not None and parse_quantity(request) > parse_quantity(limit):
                    errors.append(f"{where}.containers[{index}].resources.requests: Invalid "
                                  f"value: {request!r}: must be less than or equal to "
                                  f"{resource} limit of {limit}")
            except ValueError as error:
                errors.append(f"{where}.containers[{index}].resources: {error}")
    return errors


def deployment_errors(obj):
    spec = obj.get("spec") or {}
    template = spec.get("template") or {}
    errors = pod_spec_errors(template.get("spec") or {}, "spec.template.spec")
    errors += _labels_errors((template.get("metadata") or {}).get("labels"),
                             "spec.template.metadata.labels")
    selector = spec.get("selector")
    if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        errors.append("spec.selector: Invalid value: empty selector is invalid for deployment")
    elif not match_selector(selector, (template.get("metadata") or {}).get("labels")):
        errors.append("spec.template.metadata.labels: Invalid value: `selector` does not "
                      "match template `labels`")
    return errors


def update_errors(obj, old):
    if obj["kind"] == "Deployment" and obj["spec"].get("selector") != old["spec"].get("selector"):
        return ["spec.selector: Invalid value: field is immutable"]
    if obj["kind"] == "Pod":
        def frozen(spec):
            spec = {k: v for k, v in spec.items() if k not in POD_MUTABLE}
            return {**spec, **{key: [{k: v for k, v in c.items() if k != "image"}
                                     for c in spec.get(key) or []]
                               for key in ("containers", "initContainers")}}
        if frozen(obj["spec"]) != frozen(old["spec"]):
            return ["spec: Forbidden: pod updates may not change fields other than "
                    "`spec.containers[*].image`, `spec.initContainers[*].image`, "
                    "`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to "
                    "existing tolerations), `spec.terminationGracePeriodSeconds`"]
    return []


class Validator:
    """Checks objects for every Kubernetes version in ``versions`` (see the module doc)."""

    def __init__(self, versions=None):
        self.versions = tuple(versions or default_versions())

    def __call__(self, obj, old=None):
        errors = []
        for version in self.versions:
            errors += schema_errors(obj, version)
        errors += metadata_errors(obj)
        if obj["kind"] == "Pod":
            errors += pod_spec_errors(obj.get("spec") or {}, "spec")
        if obj["kind"] == "Deployment":
            errors += deployment_errors(obj)
        if old is not None:
            errors += update_errors(obj, old)
        return errors
