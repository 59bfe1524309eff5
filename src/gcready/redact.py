"""Keeping secrets out of every output.

Two layers: sources redact values as they read them (a secret-looking name never keeps its value, URL
credentials are stripped), and every rendered output and error message passes through :func:`scrub`,
which removes credential shapes and every secret value a source saw (the ledger), as a safety net.
"""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qsl, urlencode

MASK = "***"

# Names whose values are secrets. Matched on the upper-cased name, as whole words between underscores
# where that matters (KEY would otherwise hit "KEYCLOAK_HOST"-like names rarely, which is an acceptable
# over-redaction: hiding a value never gives a wrong verdict for the variables gcready judges).
_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PWD|SECRET|TOKEN|PRIVATE|CREDENTIAL|LICENSE|API_?KEY|ACCESS_?KEY|ACCOUNT_?KEY"
    r"|SAS|CONNECTION_?STRING|(^|_)KEY($|_)|SESSION|SIGN(ING|ER)?_?KEY|AUTH|COOKIE|DSN|CERT)",
)
_NOT_SECRET = frozenset({"GORILLA_ARTIFACT_GC_ENABLED", "GORILLA_GLUE_ARTIFACT_GC_ENABLED"})

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # PEM private keys, raw or JSON-escaped
    (
        re.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY-----.*?-----END[A-Z ]*PRIVATE KEY-----", re.S),
        MASK,
    ),
    (re.compile(r"-----BEGIN[A-Z %0-9]*PRIVATE(%20| )KEY-----[^\s\"'@]*"), MASK),
    # userinfo in any URL: scheme://user:pass@host  (greedy to the last @ before the path)
    (re.compile(r"(?P<s>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/\"'<>]*@"), r"\g<s>" + MASK + "@"),
    # Azure connection strings and SAS
    (re.compile(r"(?i)(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s\"'<>]+"), r"\1=" + MASK),
    (re.compile(r"(?i)([?&;](?:sig|se|skoid|sktid|skt|ske|sks|skv|signature))=[^&\s\"'<>;]+"), r"\1=" + MASK),
    (re.compile(r"(?i)(X-Amz-(?:Signature|Credential|Security-Token))=[^&\s\"'<>]+"), r"\1=" + MASK),
    # AWS access key ids and secret-looking assignments
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    (
        re.compile(
            r"(?i)\b(password|passwd|secret|token|api_?key|access_?key|private_?key)(\s*[=:]\s*)[^\s,;&\"'<>]+"
        ),
        r"\1\2" + MASK,
    ),
)


class Ledger:
    """Secret values seen while reading inputs; :func:`scrub` removes each from any output."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def remember(self, value: str | None) -> None:
        if value is None:
            return
        value = value.strip()
        if len(value) < 4 or value.lower() in {"true", "false", "none", "null"}:
            return
        with self._lock:
            self._values.add(value)

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._values, key=len, reverse=True)


LEDGER = Ledger()


def is_secret_name(name: str) -> bool:
    """Whether an env var / key name is one whose value must never be shown."""
    upper = name.upper()
    return upper not in _NOT_SECRET and bool(_SECRET_NAME.search(upper))


def scrub(text: str) -> str:
    """Remove credentials and every remembered secret value from text bound for any output."""
    for value in LEDGER.values():
        if value in text:
            text = text.replace(value, MASK)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def redact_url(url: str) -> str:
    """A URL with its userinfo and secret query parameters masked (the credentials are remembered)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return scrub(url)
    netloc_and_path, qmark, query = rest.partition("?")
    slash = netloc_and_path.find("/")
    netloc = netloc_and_path if slash < 0 else netloc_and_path[:slash]
    tail = "" if slash < 0 else netloc_and_path[slash:]
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        for part in userinfo.split(":"):
            LEDGER.remember(part)
        netloc = f"{MASK}@{host}"
    if query:
        pairs = []
        for key, value in parse_qsl(query, keep_blank_values=True):
            if is_secret_name(key) or key.lower() in {"sig", "signature", "password", "token"}:
                LEDGER.remember(value)
                value = MASK
            pairs.append((key, value))
        query = urlencode(pairs, safe="*")
    return f"{scheme}://{netloc}{tail}{qmark}{query}"


def display_env_value(name: str, value: str) -> tuple[str | None, bool]:
    """How an env value may be kept: (value or None, redacted?). Secrets are remembered, not kept."""
    if is_secret_name(name):
        LEDGER.remember(value)
        return None, True
    if "://" in value and "@" in value.partition("://")[2].split("/")[0]:
        return redact_url(value), True
    if re.search(r"(?i)AccountKey=|SharedAccessSignature=|[?&]sig=", value):
        LEDGER.remember(value)
        for part in re.split(r"[;&?]", value):
            key, _, secret = part.partition("=")
            if key.lower() in {"accountkey", "sharedaccesssignature", "sig"}:
                LEDGER.remember(secret)
        return scrub(value), True
    return value, False
