"""Property tests: whatever a secret looks like and wherever it sits, no output shows it.

Three properties, bounded so the file runs in seconds:

- the bucket-URL parser reads the endpoint, bucket and keys right for any key alphabet a provider uses
  (AWS secret keys with ``/``, base64 Azure keys with ``/ + =``, URL-encoded or not, ``@ : % ? #``);
- a credential gcready saw once in a run never appears in any format's output (text, JSON, HTML, SARIF,
  JUnit, diagnose, bundle), in any position and in any escaping a format applies (JSON ``\\uXXXX`` and
  ``\\/``, HTML/XML entities, URL encoding), rendered the way the CLI renders;
- no line of a multi-line secret in an env file, nor a part docker splits off at ``=``, appears in any
  output, whichever consumer reads the file, and a secret of a later line is never shown cut.
"""

from __future__ import annotations

import html
import json
import string
from dataclasses import replace
from urllib.parse import quote, quote_plus, unquote
from xml.sax.saxutils import escape as xml_escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcready.bucketurl import BucketURLError, parse_bucket_url
from gcready.diagnosis import diagnose
from gcready.model import (
    BucketState,
    Component,
    ComponentKind,
    Evidence,
    InputError,
    Note,
    Origin,
    Outcome,
    Provider,
    Reading,
    Report,
)
from gcready.pipeline import analyze
from gcready.redact import MASK, redact, redact_url, redaction_scope, scrub
from gcready.report import Format, render
from gcready.requirements import load_builtin
from gcready.sources import dotenv
from gcready.sources.bundle import dumps
from gcready.sources.envfile import Dialect
from gcready.sources.envvars import read_env_var

BOUNDS = settings(
    max_examples=60,
    deadline=None,  # the machine is shared: time is bounded by max_examples, not per example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
HERE = Origin("values.yaml", 4, "global.extraEnv")
URL_ALPHABET = string.ascii_letters + string.digits + "/+=@:%?#"
# beyond what a URL carries: characters each format escapes its own way, and non-ASCII
SECRET_ALPHABET = URL_ALPHABET + "&<>\"'\\ äé€😀-_.~!"

access_keys = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=16, max_size=20)
url_secrets = st.text(alphabet=URL_ALPHABET, min_size=8, max_size=60)
secrets = st.text(alphabet=SECRET_ALPHABET, min_size=8, max_size=48).filter(lambda s: s.strip() == s)
hosts = st.sampled_from(
    [
        "minio.internal:9000",
        "10.0.0.5:9000",
        "s3.us-west-2.amazonaws.com",
        "seaweedfs.storage.svc.cluster.local:8333",
    ]
)
buckets = st.from_regex(r"[a-z0-9][a-z0-9-]{2,20}[a-z0-9]", fullmatch=True)
encodings = st.sampled_from(["raw", "url-encoded"])


def _written(secret: str, encoding: str) -> str:
    return quote(secret, safe="") if encoding == "url-encoded" else secret


def _revealed(ref: object) -> tuple[str, str]:
    creds = ref.credentials  # type: ignore[attr-defined]
    assert creds is not None
    return creds[0].reveal(), creds[1].reveal()


def _forms(secret: str) -> set[str]:
    """The secret as any format could write it: none may appear in an output."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1].replace("/", "\\/"),
        html.escape(secret),
        html.escape(secret, quote=False),
        xml_escape(secret, {'"': "&quot;", "'": "&apos;"}),
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
    }


# --- the parser ------------------------------------------------------------------------------------------


@BOUNDS
@given(access=access_keys, secret=url_secrets, host=hosts, bucket=buckets, encoding=encodings)
def test_s3_url_keys_never_become_the_endpoint(
    access: str, secret: str, host: str, bucket: str, encoding: str
) -> None:
    with redaction_scope():
        written = _written(secret, encoding)
        ref = parse_bucket_url(f"s3://{access}:{written}@{host}/{bucket}?region=us-west-2", HERE)
        assert ref.endpoint == host
        assert ref.name == bucket
        assert ref.region == "us-west-2"
        assert _revealed(ref) == (access, unquote(written))
        assert ref.display == f"s3://{MASK}@{host}/{bucket}?region=us-west-2"
        assert access not in ref.label + ref.display


@BOUNDS
@given(
    key=st.text(alphabet=string.ascii_letters + string.digits + "/+=", min_size=20, max_size=88),
    account=st.from_regex(r"[a-z0-9]{3,24}", fullmatch=True),
    container=buckets,
    encoding=encodings,
)
def test_azure_account_key_never_becomes_the_account(
    key: str, account: str, container: str, encoding: str
) -> None:
    with redaction_scope():
        written = _written(key, encoding)
        ref = parse_bucket_url(f"az://:{written}@{account}/{container}/prefix", HERE)
        assert (ref.account, ref.name, ref.path) == (account, container, "prefix")
        assert _revealed(ref) == ("", unquote(written))
        assert ref.display == f"az://{MASK}@{account}/{container}/prefix"


@BOUNDS
@given(access=access_keys, secret=url_secrets, bucket=buckets)
def test_coreweave_and_gcs_urls(access: str, secret: str, bucket: str) -> None:
    with redaction_scope():
        ref = parse_bucket_url(f"cw://{access}:{secret}@cwobject.com/{bucket}?tls=true", HERE)
        assert (ref.endpoint, ref.name, ref.tls) == ("cwobject.com", bucket, True)
        assert _revealed(ref) == (access, unquote(secret))
        email = "wandb@acme-proj.iam.gserviceaccount.com"
        gcs = parse_bucket_url(f"gs://{email}:{quote(secret, safe='')}@{bucket}", HERE)
        assert (gcs.name, _revealed(gcs)) == (bucket, (email, secret))
        for shown in (ref.display, gcs.display):
            assert not _forms(secret) & {shown}
            assert secret not in shown and quote(secret, safe="") not in shown


@BOUNDS
@given(access=access_keys, secret=url_secrets, scheme=st.sampled_from(["s3", "cw", "az", "gs"]))
def test_keys_before_an_empty_host_stay_keys(access: str, secret: str, scheme: str) -> None:
    """``s3://KEY:SECRET@``: what ``…@$(BUCKET_NAME)`` becomes with an empty name; no host to show."""
    url = f"{scheme}://{access}:{secret}@"
    with redaction_scope():
        with pytest.raises(BucketURLError) as refused:
            parse_bucket_url(url, HERE)
        shown = scrub(f"{refused.value} | {redact_url(url)} | later: {secret}")
        assert redact_url(url) == f"{scheme}://{MASK}@"
        head = secret.partition("/")[0]  # what a parser that took the keys for a host would show
        assert secret not in shown and (len(head) < 8 or head not in shown), shown
        assert access not in shown, shown


# --- every output -----------------------------------------------------------------------------------------

PLACES = ("env-value", "note", "input-error", "probe-reason", "bucket-url")


def _evidence(secret: str, places: set[str], affix: tuple[str, str], encoding: str) -> Evidence:
    """A run's evidence where the secret was seen once as a credential and then shows up in ``places``."""
    before, after = affix
    planted = f"{before}{secret}{after}"
    reads = [
        read_env_var("GORILLA_ARTIFACT_GC_ENABLED", "true", HERE),
        read_env_var("LICENSE", secret, HERE),  # where gcready learns it is a credential
    ]
    if "env-value" in places:  # a Secret's value reused under a name that does not look secret
        reads.append(read_env_var("GORILLA_CUSTOM_SETTING", planted, HERE))
    if "bucket-url" in places:
        url = f"s3://AKIAIOSFODNN7EXAMPLE:{_written(secret, encoding)}@minio.internal:9000/wandb"
        reads.append(read_env_var("BUCKET", url, HERE))
    component = Component(
        name="app",
        kind=ComponentKind.HELM_COMPONENT,
        origin=HERE,
        env=tuple(r.value for r in reads),
    )
    bucket_refs = tuple(b for r in reads for b in r.buckets)
    states = ()
    if "probe-reason" in places:  # an SDK error message that echoed the key
        states = (
            BucketState(
                provider=Provider.S3_COMPATIBLE,
                name="wandb",
                origin=Origin("probe"),
                endpoint="minio.internal:9000",
                access=Reading(Outcome.DENIED, reason=f"credentials rejected: {planted}"),
            ),
        )
    return Evidence(
        components=(component,),
        buckets=bucket_refs,
        bucket_states=states,
        notes=(Note(f"seen: {planted}", HERE),) if "note" in places else (),
        errors=(InputError("values.yaml", f"bad value {planted}", 9),) if "input-error" in places else (),
    )


@BOUNDS
@given(
    secret=secrets,
    places=st.sets(st.sampled_from(PLACES), min_size=1),
    affix=st.tuples(
        st.sampled_from(["", "x", "pre-", "a/", "=", "\u00e4", " "]),
        st.sampled_from(["", "-post", "/z", "@", "\u20ac"]),
    ),
    encoding=encodings,
)
def test_a_credential_seen_once_is_in_no_output(
    secret: str, places: set[str], affix: tuple[str, str], encoding: str
) -> None:
    if "bucket-url" in places:
        secret = "".join(c for c in secret if c in URL_ALPHABET) or "fallback-secret"
        if len(secret) < 8:
            secret = (secret * 8)[:8]
    with redaction_scope():
        evidence = _evidence(secret, places, affix, encoding)
        report = analyze(evidence, load_builtin())
        if places & {"note", "input-error"}:  # not vacuous: unredacted, the text report would show it
            assert secret in render(report, Format.TEXT, verbose=True)
        outputs = _outputs(evidence, report)
        for where, text in outputs.items():
            for form in _forms(secret):
                assert form not in text, f"{form!r} in {where}"


def _outputs(evidence: Evidence, report: Report) -> dict[str, str]:
    """Every output of the run, rendered the way the CLI renders (redacted, then scrubbed)."""
    outputs = {fmt.value: scrub(render(redact(report), fmt)) for fmt in Format}
    diagnosed = replace(report, diagnosis=diagnose(report), command="diagnose")
    outputs |= {f"diagnose-{fmt.value}": scrub(render(redact(diagnosed), fmt)) for fmt in Format}
    outputs["text-verbose"] = scrub(render(redact(report), Format.TEXT, verbose=True))
    outputs["diagnose-text-verbose"] = scrub(render(redact(diagnosed), Format.TEXT, verbose=True))
    outputs["bundle"] = scrub(dumps(redact(evidence), "2026-12-01T00:00:00Z"))
    json.loads(outputs["json"])  # masking keeps every structured format well-formed
    json.loads(outputs["bundle"])
    json.loads(outputs["sarif"])
    return outputs


# --- env files: every consumer's reading of a multi-line secret ---------------------------------------


# what a line of a license, a key or a token may hold inside double quotes, read alike by every consumer
# (no quote, backslash or $, which each reads its own way)
def _looks_secret(text: str) -> bool:
    """Upper and lower case and a digit: a piece no report text holds by chance ('settings',
    '00000000'), so finding it in an output means it leaked."""
    return (
        any(c.isupper() for c in text) and any(c.islower() for c in text) and any(c.isdigit() for c in text)
    )


secret_lines = st.text(
    alphabet=string.ascii_letters + string.digits + " +/=-_.:#", min_size=12, max_size=40
).filter(lambda s: s.strip() == s and _looks_secret(s))
passwords = st.text(alphabet=string.ascii_letters + string.digits, min_size=12, max_size=24).filter(
    lambda s: _looks_secret(s[:8])
)


@settings(BOUNDS, max_examples=30)  # each example renders every format twice
@given(
    lines=st.lists(secret_lines, min_size=2, max_size=5),
    name=st.sampled_from(["GORILLA_LICENSE", "GORILLA_GCS_SA_KEY", "LICENSE", "REDIS_PASS"]),
    dialect=st.sampled_from([None, *Dialect]),
    password=passwords,
)
def test_no_output_shows_any_line_of_a_multi_line_secret(
    lines: list[str], name: str, dialect: Dialect | None, password: str
) -> None:
    """Whichever consumer reads the file (docker reads each later line on its own: a name, a value, or a
    line it refuses), and wherever a secret of a later line was quoted first."""
    value = "\n".join(lines)
    text = (
        "GORILLA_ARTIFACT_GC_ENABLED=true\nBUCKET=gs://wandb-bucket\n"
        f'GORILLA_EXTRA_ARGS="{"-" * 70} --mysql-pw {password}"\n'
        f'{name}="{value}"\nMYSQL_PASSWORD={password}\n'
    )
    with redaction_scope():
        evidence = dotenv.read("wandb.env", text, dialect)
        outputs = _outputs(evidence, analyze(evidence, load_builtin()))
        # each line, the parts docker splits it into at "=", and the password's first characters
        pieces = {password, password[:8]} | set(lines)
        pieces |= {
            p.strip()
            for line in lines
            for p in line.partition("=")[::2]
            if len(p.strip()) >= 8 and _looks_secret(p.strip())
        }
        for where, shown in outputs.items():
            for piece in pieces:
                for form in _forms(piece):
                    assert form not in shown, f"{form!r} ({piece!r}) in {where}"
