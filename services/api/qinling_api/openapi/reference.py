"""The API reference page: one self-contained HTML page rendered from the OpenAPI document
(pure; no scripts, no external resources: it must read well on a machine without internet).
"""
import functools
import html

from qinling_api.openapi import document

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222}
h2{border-bottom:2px solid #ccc;margin-top:2em}h3{margin-bottom:.2em}
code{background:#f3f3f3;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;margin:.4em 0 1em;width:100%}
td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f6f6f6}.method{font-weight:bold;color:#fff;padding:.1em .5em;border-radius:3px}
.GET{background:#2b7bb9}.POST{background:#2f9a48}.PUT{background:#c58b00}
.DELETE{background:#c0392b}.op{border-left:4px solid #ddd;padding-left:1em;margin:1.5em 0}
nav a{margin-right:1em}
"""
REF_PREFIXES = ("#/components/schemas/", "#/components/responses/")


def esc(value):
    return html.escape(str(value))


def ref_name(ref):
    for prefix in REF_PREFIXES:
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


def type_of(schema):
    """A short, readable type of a JSON schema: ``string or null``, ``array of Runtime``."""
    if "$ref" in schema:
        name = ref_name(schema["$ref"])
        return f'<a href="#schema-{esc(name)}">{esc(name)}</a>'
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return " or ".join(type_of(variant) for variant in schema[combinator])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = []
    for kind in kinds:
        if kind == "array":
            words.append(f"array of {type_of(schema.get('items', {}))}")
        elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            words.append(f"object of {type_of(schema['additionalProperties'])}")
        else:
            words.append(esc(kind) + (f" ({esc(schema['format'])})" if "format" in schema
                                      else ""))
    return " or ".join(words)


def constraints(schema):
    """Enum, range, length and pattern of a schema, as text."""
    parts = []
    if "enum" in schema:
        parts.append("one of " + ", ".join(f"<code>{esc(v)}</code>" for v in schema["enum"]))
    for key, word in (("minimum", "min"), ("maximum", "max"), ("minLength", "min length"),
                      ("maxLength", "max length"), ("pattern", "pattern"),
                      ("default", "default")):
        if key in schema:
            parts.append(f"{word} <code>{esc(schema[key])}</code>")
    for variant in schema.get("anyOf", []):
        parts.extend(constraints(variant))
    return parts


def described(schema):
    text = esc(schema.get("description", ""))
    extra = constraints(schema)
    return text + (f" <small>({'; '.join(extra)})</small>" if extra else "")


def properties_table(schema):
    properties = schema.get("properties", {})
    if not properties:
        return f"<p>{type_of(schema)}</p>"
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{esc(name)}</code></td><td>{type_of(prop)}</td>"
        f"<td>{'yes' if name in required else ''}</td><td>{described(prop)}</td></tr>"
        for name, prop in properties.items())
    closed = schema.get("additionalProperties") is False
    note = "<p><small>No other field.</small></p>" if closed else ""
    return ("<table><tr><th>field</th><th>type</th><th>required</th><th>description</th>"
            f"</tr>{rows}</table>{note}")


def parameters_table(parameters):
    rows = "".join(
        f"<tr><td><code>{esc(p['name'])}</code></td><td>{esc(p['in'])}</td>"
        f"<td>{type_of(p.get('schema', {}))}</td><td>{'yes' if p.get('required') else ''}"
        f"</td><td>{described({**p.get('schema', {}), **p})}</td></tr>"
        for p in parameters)
    return ("<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th>"
            f"<th>description</th></tr>{rows}</table>")


def content_list(content):
    return "<ul>" + "".join(
        f"<li><code>{esc(media)}</code>: {type_of(item.get('schema', {}))}</li>"
        for media, item in content.items()) + "</ul>"


def responses_table(responses, components):
    rows = []
    for status, response in responses.items():
        if "$ref" in response:
            response = components["responses"][ref_name(response["$ref"])]
        body = content_list(response["content"]) if "content" in response else "no body"
        rows.append(f"<tr><td>{esc(status)}</td><td>{esc(response['description'])}</td>"
                    f"<td>{body}</td></tr>")
    return ("<table><tr><th>status</th><th>meaning</th><th>body</th></tr>"
            + "".join(rows) + "</table>")


def operation_section(path, method, operation, components):
    parts = [f'<div class="op" id="{esc(operation["operationId"])}">',
             f'<h3><span class="method {method.upper()}">{method.upper()}</span> '
             f"<code>{esc(path)}</code></h3>",
             f"<p>{esc(operation.get('summary', ''))} "
             f"<small>(<code>{esc(operation['operationId'])}</code>)</small></p>"]
    if operation.get("parameters"):
        parts.append(parameters_table(operation["parameters"]))
    if "requestBody" in operation:
        body = operation["requestBody"]
        parts.append(f"<p>Request body{'' if body.get('required') else ' (optional)'}:</p>"
                     + content_list(body["content"]))
    parts.append(responses_table(operation["responses"], components))
    return "".join(parts) + "</div>"


def render(document):
    """The whole page, as text."""
    info, components = document["info"], document.get("components", {})
    by_tag = {tag["name"]: [] for tag in document.get("tags", [])}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            tag = operation.get("tags", ["other"])[0]
            by_tag.setdefault(tag, []).append(
                operation_section(path, method, operation, components))
    descriptions = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    nav = "".join(f'<a href="#tag-{esc(t)}">{esc(t)}</a>' for t in by_tag)
    body = [f"<h1>{esc(info['title'])} {esc(info['version'])}</h1>",
            f"<p>{esc(info.get('description', ''))}</p>",
            '<p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> '
            f"(OpenAPI {esc(document['openapi'])}).</p><nav>{nav}"
            '<a href="#schemas">schemas</a></nav>']
    for tag, sections in by_tag.items():
        body.append(f'<h2 id="tag-{esc(tag)}">{esc(tag)}</h2>'
                    f"<p>{esc(descriptions.get(tag, ''))}</p>" + "".join(sections))
    body.append('<h2 id="schemas">Schemas</h2>')
    for name, schema in components.get("schemas", {}).items():
        body.append(f'<h3 id="schema-{esc(name)}">{esc(name)}</h3>'
                    f"<p>{esc(schema.get('description', ''))}</p>{properties_table(schema)}")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(info['title'])}</title><style>{STYLE}</style></head><body>"
            + "".join(body) + "</body></html>")


@functools.cache
def page():
    """The page of this gateway's document, rendered once per process."""
    return render(document.build())
