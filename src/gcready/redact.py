"""Keeping secrets out of every output.

Three layers:

1. Credentials held in memory are :class:`Secret` values, whose ``str``/``repr``/format is ``***``: the
   keys of a W&B bucket URL (``BucketRef.credentials``) reach a probe only through ``reveal()``.
2. Sources redact values as they read them (a secret-looking name never keeps its value, URL and DSN
   passwords are masked) and hand each credential to the run's :class:`Redactor`, which remembers it.
   Only credentials are remembered (passwords, keys, tokens, private keys, SAS signatures, connection
   string keys), never user names or hosts: remembering the database user ``wandb`` would blank every
   "wandb" in a report and break its fix commands.
3. Before any format renders, :func:`redact` walks the report (or the bundle's evidence) and scrubs
   every string in it; after rendering, :func:`scrub` is the net over the output text. The net knows the
   escaped forms a format may give a remembered secret (JSON ``\\uXXXX`` and ``\\/``, HTML/XML entities,
   URL percent-encoding, in any mix), and the shapes of credentials nobody remembered (URL userinfo,
   Go MySQL DSNs, Azure connection strings and SAS, PEM private keys, AWS key ids, ``password=…``).

One :class:`Redactor` serves one run: ``gcready``'s command group opens a :func:`redaction_scope`, and
sources and probes reach the run's redactor through :func:`current` (a context variable: the probes'
worker threads run in a copy of the run's context, a library caller or a test opens its own scope, and
there is no process-wide redactor).
"""

from __future__ import annotations

import contextvars
import dataclasses
import enum
import html
import html.entities
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode

MASK = "***"
_T = TypeVar("_T")

# Names whose values are secrets. Matched on the upper-cased name, as whole words between underscores
# where that matters (KEY would otherwise hit "KEYCLOAK_HOST"-like names rarely, which is an acceptable
# over-redaction: hiding a value never gives a wrong verdict for the variables gcready judges).
_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|LICENSE|API_?KEY|ACCESS_?KEY|ACCOUNT_?KEY"
    r"|SAS|CONNECTION_?STRING|(^|_)KEY($|_)|SESSION|SIGN(ING|ER)?_?KEY|AUTH|COOKIE|DSN|CERT"
    r"|(^|_)PASS($|_)|PASSPHRASE|WEBHOOK)",
)
_NOT_SECRET = frozenset({"GORILLA_ARTIFACT_GC_ENABLED", "GORILLA_GLUE_ARTIFACT_GC_ENABLED"})
# URL schemes whose userinfo is a pair of keys (W&B bucket URLs): the "user" is an access key id too.
BUCKET_SCHEMES = frozenset({"s3", "gs", "gcs", "az", "cw"})
_TRIVIAL = frozenset({"true", "false", "none", "null", MASK})
# the lines of one multi-line secret remembered one by one: an 8192-bit PEM key has about 100 (each is a
# pattern every scrub runs, so a value of thousands of lines must not make thousands)
_MAX_SECRET_LINES = 256
MIN_SECRET_LENGTH = 4  # shorter values are not remembered: blanking "abc" everywhere would wreck reports


class Secret:
    """A credential held in memory: shown, logged or formatted, it is ``***``; ``reveal()`` is explicit.

    ``json.dumps`` refuses it (it is not a str), and :func:`redact` turns it into ``***``, so a Secret that
    strays into a report or a bundle never carries its value out.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the one place that needs it (a probe's SDK client)."""
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    def __format__(self, spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __copy__(self) -> Secret:
        return self  # immutable; dataclasses.asdict deep-copies leaves

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> Any:
        raise TypeError("a Secret is never serialised")


# --- how a remembered secret can look once a format escaped it -------------------------------------------

_HTML_NAMES: dict[str, list[str]] = {}
for _name, _char in html.entities.html5.items():
    if len(_char) == 1:
        _HTML_NAMES.setdefault(_char, []).append(_name)


def _hex_ci(text: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in text)


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _char_pattern(char: str) -> str:
    """Every way one character of a secret may be written in an output (any format, any escaping)."""
    code = ord(char)
    alts = [re.escape(char)]
    if code <= 0xFFFF:
        alts.append(r"\\[uU]" + _hex_ci(f"{code:04x}"))
    else:  # JSON writes it as a surrogate pair
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        alts.append(r"\\[uU]" + _hex_ci(f"{high:04x}") + r"\\[uU]" + _hex_ci(f"{low:04x}"))
    alts.append(rf"&#0*{code};?")
    alts.append(r"&#[xX]0*" + _hex_ci(f"{code:x}") + ";?")
    alts.extend(re.escape("&" + name) for name in _HTML_NAMES.get(char, ()))
    alts.append("".join("%" + _hex_ci(f"{byte:02X}") for byte in char.encode("utf-8")))
    if char == " ":
        alts.append(r"\+")
    if char in _SHORT_ESCAPES:  # JSON writes a line break of a multi-line secret as \n
        alts.append(re.escape(_SHORT_ESCAPES[char]))
    # JSON/JS escape these with a backslash (\/ \" \\ \'), which HTML may then escape further
    prefix = r"\\?" if char in "\"\\/'" else ""
    return prefix + "(?:" + "|".join(alts) + ")"


# A longer secret gets a pattern of its whole rendered forms instead of one per character: compiling the
# per-character alternation grows too fast with the length (a mutated 800 KB env value took minutes).
_LONG_SECRET = 4096


def _rendered_forms(value: str) -> set[str]:
    """The ways the formats write a value: raw, JSON (ASCII or not), HTML/XML-escaped, URL-encoded, and
    each escaping applied on top of another."""
    import json
    from urllib.parse import quote

    escapes = (
        lambda v: json.dumps(v)[1:-1],
        lambda v: json.dumps(v, ensure_ascii=False)[1:-1],
        lambda v: html.escape(v, quote=True),
        lambda v: html.escape(v, quote=False),
        lambda v: (
            v.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&#34;")
            .replace("'", "&#39;")
        ),
        lambda v: quote(v, safe=""),
    )
    forms = {value}
    for first in escapes:
        once = first(value)
        forms.add(once)
        forms.update(then(once) for then in escapes)
    return forms


def _secret_pattern(value: str) -> re.Pattern[str]:
    if len(value) > _LONG_SECRET:
        forms = sorted(_rendered_forms(value), key=len, reverse=True)
        return re.compile("|".join(re.escape(form) for form in forms))
    return re.compile("".join(_char_pattern(c) for c in value))


# --- credential shapes nobody remembered ------------------------------------------------------------------

_SECRET_WORDS = (
    r"password|passwd|pwd|secret|token|api_?key|access_?key|secret_?key|private_?key|account_?key"
    r"|license|client_?secret|private_?key_?id|passphrase"
)
_URL_USERINFO = re.compile(
    # scheme://user:secret@  -- the secret may hold / + = @ : % ? #, so it runs to the LAST @ of the token
    r"(?P<s>\b(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)(?P<u>[^\s/\"'<>:?#]*):(?P<p>[^\s\"'<>]*)@"
)
_URL_TOKEN = re.compile(r"(?P<s>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<u>[^\s/\"'<>:@?#]+)@(?=[\w\[])")
# Go MySQL driver DSN without a scheme: user:password@tcp(host:3306)/db
_GO_DSN = re.compile(
    r"(?P<u>(?<![\w:/.%+-])[\w.-]*):(?P<p>[^\s\"'<>]+)@(?=(?:tcp|tcp4|tcp6|unix|udp|pipe|memory)?\()"
)
# HTTP credentials: ``Authorization: Bearer <token>`` / ``Basic <base64 user:password>``
_AUTH_SCHEME = re.compile(r"(?i)\b(?P<s>Bearer|Basic)(?P<sp>\s+)(?P<t>[A-Za-z0-9._~+/-]{8,}=*)")


def _auth_repl(match: re.Match[str]) -> str:
    """Mask the credential, not prose: "Basic authentication" or "bearer tokens" has no digit, no
    ``+/=._~-`` and no capital after its first letter, as a token or a base64 pair almost always has."""
    token = match.group("t")
    if not re.search(r"[0-9+/=._~-]", token) and not re.search(r"[A-Z]", token[1:]):
        return match.group(0)
    return f"{match.group('s')}{match.group('sp')}{MASK}"


_PATTERNS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # PEM private keys, raw, JSON-escaped or URL-encoded
    (re.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY-----.*?-----END[A-Z ]*PRIVATE KEY-----", re.S), MASK),
    (re.compile(r"-----BEGIN[A-Z %0-9]*PRIVATE(%20| )KEY-----[^\s\"'@]*"), MASK),
    # Azure connection strings and SAS
    (re.compile(r"(?i)(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s\"'<>]+"), r"\1=" + MASK),
    (re.compile(r"(?i)([?&;](?:sig|se|skoid|sktid|skt|ske|sks|skv|signature))=[^&\s\"'<>;]+"), r"\1=" + MASK),
    (re.compile(r"(?i)(X-Amz-(?:Signature|Credential|Security-Token))=[^&\s\"'<>]+"), r"\1=" + MASK),
    (_AUTH_SCHEME, _auth_repl),
    # webhook URLs: the path is the credential (Slack, Discord)
    (
        re.compile(
            r"(?i)(?P<h>\bhooks\.slack\.com/(?:services|workflows|triggers)/|\bdiscord(?:app)?\.com/api/webhooks/)"
            r"[^\s\"'<>]+"
        ),
        r"\g<h>" + MASK,
    ),
    # AWS access key ids
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    # a parser echoing the token it choked on (lark, under python-hcl2): the token is input text
    (
        re.compile(
            r"Token\((?P<q>['\"])(?P<t>[^'\"]+)(?P=q), (?:'(?:[^'\\]|\\.)*(?:'|$)|\"(?:[^\"\\]|\\.)*(?:\"|$))"
        ),
        r"Token(\g<q>\g<t>\g<q>, " + MASK,
    ),
    # secret-looking assignments: password=x, "token": "x", license = "x"
    (
        re.compile(
            rf"(?i)\b(?P<k>[\w-]*(?:{_SECRET_WORDS}))(?P<q>[\"']?)(?P<sep>\s*[=:]\s*)"
            r"(?:(?P<bs>\\?)(?P<o>[\"'])(?!\*\*\*)(?:(?!(?P=bs)(?P=o)).)+?(?:(?P=bs)(?P=o)|(?=\n)|$)"
            r"|(?!\*\*\*)[^\s,;&\"'<>\\]+)"
        ),
        r"\g<k>\g<q>\g<sep>\g<bs>\g<o>" + MASK + r"\g<bs>\g<o>",
    ),
)


def _userinfo_repl(match: re.Match[str]) -> str:
    user, password = match.group("u"), match.group("p")
    if password == MASK and (user == MASK or not user or match.group("scheme").lower() not in BUCKET_SCHEMES):
        return match.group(0)
    if match.group("scheme").lower() in BUCKET_SCHEMES:
        return f"{match.group('s')}{MASK}@"
    return f"{match.group('s')}{user}:{MASK}@"


def _token_repl(match: re.Match[str]) -> str:
    return match.group(0) if match.group("u") == MASK else f"{match.group('s')}{MASK}@"


def scrub_shapes(text: str) -> str:
    """Mask credential shapes (URL userinfo, DSNs, keys, ``password=…``) whether remembered or not."""
    text = _URL_USERINFO.sub(_userinfo_repl, text)
    text = _URL_TOKEN.sub(_token_repl, text)
    text = _GO_DSN.sub(lambda m: m.group(0) if m.group("p") == MASK else f"{m.group('u')}:{MASK}@", text)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


# --- the run's redactor -------------------------------------------------------------------------------


# A report of thousands of buckets repeats the same strings (labels, sources, titles): scrub each once.
_SCRUB_CACHE_SIZE = 100_000
_SCRUB_CACHE_TEXT = 4096  # a whole rendered report is scrubbed once: keeping it would only cost memory


class Redactor:
    """The credentials one run saw while reading its inputs; :meth:`scrub` removes each from any text."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._patterns: list[re.Pattern[str]] | None = None
        self._by_value: dict[str, re.Pattern[str]] = {}  # compiled once each, however often secrets are added
        self._scrubbed: dict[str, str] = {}  # text -> scrubbed text, for the patterns in _patterns
        self._lock = threading.Lock()

    def remember(self, value: str | Secret | None) -> None:
        """Remember a credential (and its URL-decoded form) so no output can show it."""
        if value is None:
            return
        text = value.reveal() if isinstance(value, Secret) else value
        whole = {text.strip(), unquote(text).strip()}
        # each line of a multi-line secret (a license, a PEM body) is a secret on its own: a consumer that
        # reads the file line by line (docker run --env-file) shows one line alone, as a value or a name
        lines = {line for w in whole for line in w.splitlines()[:_MAX_SECRET_LINES]}
        # without the quotes a reading kept (docker keeps them): masking must not eat a JSON string's quote
        for form in {f.strip().strip("\"'").strip() for f in whole | lines}:
            if len(form) < MIN_SECRET_LENGTH or form.lower() in _TRIVIAL:
                continue
            with self._lock:
                if form not in self._values:
                    self._values.add(form)
                    self._patterns = None

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=len, reverse=True)

    def _compiled(self) -> list[re.Pattern[str]]:
        return self._compiled_and_cache()[0]

    def _compiled_and_cache(self) -> tuple[list[re.Pattern[str]], dict[str, str]]:
        """The patterns of the secrets known now, and the cache of texts scrubbed with exactly those."""
        with self._lock:
            if self._patterns is None:
                for value in self._values - self._by_value.keys():
                    self._by_value[value] = _secret_pattern(value)
                self._patterns = [self._by_value[v] for v in sorted(self._values, key=len, reverse=True)]
                self._scrubbed = {}  # scrubbed before the latest secret was known: not scrubbed enough now
            return self._patterns, self._scrubbed

    def scrub(self, text: str) -> str:
        """Text with every remembered secret (in any escaped form) and every credential shape masked."""
        patterns, cache = self._compiled_and_cache()
        done = cache.get(text)
        if done is not None:
            return done
        original = text
        for pattern in patterns:
            text = pattern.sub(MASK, text)
        text = scrub_shapes(text)
        if len(original) <= _SCRUB_CACHE_TEXT and len(cache) < _SCRUB_CACHE_SIZE:
            cache[original] = text
        return text

    def redact(self, obj: _T) -> _T:
        """A copy of a frozen value tree (a Report, Evidence…) with every string scrubbed, every Secret masked."""
        return self._walk(obj)  # type: ignore[no-any-return]

    def _walk(self, obj: Any) -> Any:
        if isinstance(obj, Secret):
            return MASK
        if isinstance(obj, enum.Enum) or obj is None or isinstance(obj, bool | int | float):
            return obj
        if isinstance(obj, str):
            return self.scrub(obj)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {
                f.name: self._walk(getattr(obj, f.name))
                for f in dataclasses.fields(obj)
                if f.init and f.name != "credentials"
            }
            return dataclasses.replace(obj, **changes)
        if isinstance(obj, tuple):
            return tuple(self._walk(item) for item in obj)
        if isinstance(obj, list):
            return [self._walk(item) for item in obj]
        if isinstance(obj, frozenset):
            return frozenset(self._walk(item) for item in obj)
        if isinstance(obj, Mapping):
            return {self._walk(k): self._walk(v) for k, v in obj.items()}
        return obj


_CURRENT: contextvars.ContextVar[Redactor | None] = contextvars.ContextVar("gcready_redactor", default=None)


def current() -> Redactor:
    """The redactor of the run in progress.

    Outside any :func:`redaction_scope` (a library caller that opened none), the calling context gets a
    redactor of its own on first use: there is no process-wide one.
    """
    redactor = _CURRENT.get()
    if redactor is None:
        redactor = Redactor()
        _CURRENT.set(redactor)
    return redactor


@contextmanager
def redaction_scope() -> Iterator[Redactor]:
    """A fresh redactor for one run: what this run remembers is scrubbed from this run's outputs."""
    redactor = Redactor()
    token = _CURRENT.set(redactor)
    try:
        yield redactor
    finally:
        _CURRENT.reset(token)


def scrub(text: str) -> str:
    """Remove credentials and every remembered secret value from text bound for any output."""
    return current().scrub(text)


def redact(obj: _T) -> _T:
    """Every string of a report or evidence value scrubbed, before a format renders it."""
    return current().redact(obj)


# A name that ends in one of these says where or whether something is, not what the credential is:
# GORILLA_CUSTOMER_SECRET_STORE_K8S_CONFIG_NAMESPACE holds a namespace ("wandb"), AWS_SECRET_NAME the
# name of a secret. Remembering such values would blank every "wandb" in a report and break its fixes.
_PLACE_SUFFIX = re.compile(r"_(NAMESPACE|SOURCE|NAME|REGION|PROVIDER|ENABLED|TYPE|MODE)$")


def is_secret_name(name: str) -> bool:
    """Whether an env var / key name is one whose value must never be shown."""
    upper = name.upper()
    if upper in _NOT_SECRET or _PLACE_SUFFIX.search(upper):
        return False
    return bool(_SECRET_NAME.search(upper))


# --- URLs and connection strings ------------------------------------------------------------------------


def split_userinfo(url: str) -> tuple[str, str | None, str]:
    """``(scheme, userinfo or None, rest)`` of ``scheme://[userinfo@]rest``.

    Credentials may hold ``/ + = @ : % ? #`` (AWS secret keys often have ``/``, Azure keys are base64), so
    the userinfo ends at the LAST ``@`` of the URL, and it is userinfo only when its first part (an access
    key id, a service account email, a user name, or empty for Azure) has no ``/``, ``?`` or ``#``: that is
    how ``s3://bucket/path@v2`` stays a path. It is userinfo whatever follows the ``@``, nothing included:
    ``s3://KEY:SECRET@`` (an empty bucket name expanded into ``…@$(BUCKET_NAME)``) holds keys, not a host.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "", None, url
    userinfo, at, host_and_path = rest.rpartition("@")
    if not at:
        return scheme, None, rest
    user = userinfo.partition(":")[0]
    if any(c in user for c in "/?#"):
        return scheme, None, rest
    return scheme, userinfo, host_and_path


def redact_url(url: str) -> str:
    """A URL with its credentials and secret query parameters masked (the credentials are remembered).

    Bucket URLs (``s3://KEY:SECRET@…``) show ``***@``: both parts are keys. Other URLs keep the user name
    (``mysql://wandb:***@db/wandb``): a user name is not a secret, and hiding it helps no one.
    """
    masked = _mask_url(url)
    return scrub(url if masked is None else masked)


def _mask_url(url: str) -> str | None:
    """The URL with its credentials masked, each remembered; None when it has no scheme. Not scrubbed."""
    scheme, userinfo, rest = split_userinfo(url.strip())
    if not scheme:
        return None
    redactor = current()
    netloc_and_path, qmark, query = rest.partition("?")
    shown_userinfo = ""
    if userinfo is not None:
        user, colon, password = userinfo.partition(":")
        if scheme.lower() in BUCKET_SCHEMES:
            if scheme.lower() not in ("gs", "gcs"):
                redactor.remember(user)  # an access key id
            redactor.remember(password)
            shown_userinfo = f"{MASK}@"
        elif colon:
            redactor.remember(password)
            shown_userinfo = f"{user}:{MASK}@"
        else:
            redactor.remember(user)  # https://TOKEN@host: the only part is a token
            shown_userinfo = f"{MASK}@"
    if query:
        pairs = []
        for key, value in parse_qsl(query, keep_blank_values=True):
            if is_secret_name(key) or key.lower() in {"sig", "signature", "password", "token"}:
                redactor.remember(value)
                value = MASK
            pairs.append((key, value))
        query = urlencode(pairs, safe="*")
    return f"{scheme}://{shown_userinfo}{netloc_and_path}{qmark}{query}"


_DSN = re.compile(r"^(?P<u>[^:@/\s]*):(?P<p>.+)@(?P<rest>(?:tcp|tcp4|tcp6|unix|udp|pipe|memory)?\(.*)$", re.S)


def redact_dsn(value: str) -> str | None:
    """A Go MySQL DSN (``user:pass@tcp(host:3306)/db``) with its password masked, or None if not one."""
    match = _DSN.match(value.strip())
    if match is None:
        return None
    current().remember(match.group("p"))
    return f"{match.group('u')}:{MASK}@{match.group('rest')}"


def _has_userinfo(value: str) -> bool:
    return split_userinfo(value.strip())[1] is not None


_AZURE_KEYS = frozenset({"accountkey", "sharedaccesssignature", "sharedaccesskey", "sig"})
_AZURE_SECRET = re.compile(r"(?i)AccountKey=|SharedAccessSignature=|SharedAccessKey=|[?&]sig=")


def _remember_azure_keys(value: str) -> None:
    for part in re.split(r"[;&?]", value):  # a connection string's key alone is a secret too
        key, _, secret = part.partition("=")
        if key.strip().lower() in _AZURE_KEYS:
            current().remember(secret)


def learn_env_value(name: str, value: str) -> None:
    """Remember the credentials an env value holds, showing nothing: what :func:`display_env_value`
    hides. A source calls it for every value of a file before it forms any message."""
    if is_secret_name(name):
        current().remember(value)
        _remember_azure_keys(value)
    elif "://" in value and _has_userinfo(value):
        _mask_url(value)
    elif (match := _DSN.match(value.strip())) is not None:
        current().remember(match.group("p"))
    elif _AZURE_SECRET.search(value):
        _remember_azure_keys(value)


def display_env_value(name: str, value: str) -> tuple[str | None, bool]:
    """How an env value may be kept: (value or None, redacted?). Secrets are remembered, not kept."""
    learn_env_value(name, value)
    if is_secret_name(name):
        return None, True
    if "://" in value and _has_userinfo(value):
        return redact_url(value), True
    dsn = redact_dsn(value)
    if dsn is not None:
        return dsn, True
    shown = scrub(value)
    return shown, shown != value or _AZURE_SECRET.search(value) is not None
