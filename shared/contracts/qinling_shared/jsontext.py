"""JSON text from clients, parsed within bounds: the one parser for JSON a client wrote.

``json.loads`` recurses once per nesting level, so ``"[" * 100000`` raises ``RecursionError``
(a 500 wherever it is not caught), and a ``"\\ud800"`` escape yields a lone surrogate, which no
database, RPC serializer or log can encode. ``loads`` refuses both with ``InvalidInput`` before
anything else sees the value. The depth is measured by a linear scan of the text (string
literals removed first) before the decoder runs, so the decoder never recurses deeper than
``MAX_DEPTH``; the strings (keys included) are checked once decoded.

Text that is not JSON at all still raises ``ValueError``, as ``json.loads`` does: each caller
keeps its own reading of that case (Qinling's messages differ per field).
"""
import itertools
import json
import re

from qinling_shared.exceptions import InvalidInput

MAX_DEPTH = 64  # nesting levels of arrays and objects in one JSON text
# a string literal, possibly unterminated; possessive quantifiers: linear on any text
STRING_LITERAL = re.compile(r'"[^"\\]*+(?:\\[\s\S][^"\\]*+)*+"?')
NOT_BRACKET = re.compile(r"[^\[\]{}]++")
STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text):
    """The deepest nesting of arrays and objects in ``text`` (JSON, possibly malformed).

    A stray closing bracket lowers the count for what follows; the decoder stops there.
    """
    if text.count("[") + text.count("{") == 0:
        return 0
    brackets = NOT_BRACKET.sub("", STRING_LITERAL.sub("", text))
    return max(itertools.accumulate(map(STEP.__getitem__, brackets), initial=0))


def is_lone_surrogate_free(text):
    """Whether ``text`` encodes as UTF-8, i.e. holds no lone surrogate."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_lone_surrogate(value):
    """Whether any string in a decoded JSON value (object keys included) holds a lone
    surrogate; ``value`` must be no deeper than ``MAX_DEPTH`` (``loads`` makes sure)."""
    if isinstance(value, str):
        return not is_lone_surrogate_free(value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(map(has_lone_surrogate, value))
    return False


def decoded(raw):
    """``raw`` as text: bytes in the encoding ``json`` detects (UTF-8/16/32), strictly."""
    if isinstance(raw, str):
        return raw
    return bytes(raw).decode(json.detect_encoding(raw))  # UnicodeDecodeError is a ValueError


def loads(raw, subject, max_depth=MAX_DEPTH):
    """The value of the JSON text ``raw`` (str or bytes).

    ``InvalidInput("<subject>: JSON nesting too deep (max N).")`` when it nests deeper than
    ``max_depth``, ``InvalidInput("<subject>: invalid Unicode (a lone surrogate).")`` when a
    string holds a lone surrogate; ``ValueError`` when it is not JSON.
    """
    text = decoded(raw)
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise InvalidInput(f"{subject}: JSON nesting too deep (max {max_depth}).")
    value = json.loads(text)
    if has_lone_surrogate(value):
        raise InvalidInput(f"{subject}: invalid Unicode (a lone surrogate).")
    return value
