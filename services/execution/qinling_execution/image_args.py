"""Pure rule: an execution's input to the arguments of its image function's container.

An execution keeps its input as ``requests_rules.parse_input`` made it: ``None``, a JSON
object, or ``{"__function_input": <the raw text>}`` for anything else. The container gets:

- no input: no argument (the image's own command, if any, runs);
- a JSON object: one argument, its JSON text (Qinling crashed on these: bug §6.11);
- a JSON list: one argument per element, a string as it is, any other value as its JSON text;
- anything else (plain text, a number, a JSON string): the raw text split on whitespace, as
  Qinling did (``'Qinling'`` → ``["Qinling"]``, ``'6'`` → ``["6"]``).
"""
import json

from qinling_execution.requests_rules import POSITIONAL


def arguments(stored_input):
    """The container arguments (a tuple of strings) of an execution's stored input."""
    if stored_input is None:
        return ()
    if not (isinstance(stored_input, dict) and set(stored_input) == {POSITIONAL}):
        return (_text(stored_input),)
    raw = stored_input[POSITIONAL]
    if not isinstance(raw, str):
        raw = json.dumps(raw)
    try:
        decoded = json.loads(raw)
    except ValueError:
        decoded = None
    if isinstance(decoded, list):
        return tuple(_text(element) for element in decoded)
    return tuple(raw.split())


def _text(element):
    return element if isinstance(element, str) else json.dumps(element, ensure_ascii=False)
