"""Secrets never reach an output: ``scrub`` is the last net, ``is_secret_name`` the first."""

from __future__ import annotations

import copy
import html
import json
import pickle
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape as xml_escape

import pytest

from gcready.redact import (
    MASK,
    Secret,
    current,
    display_env_value,
    is_secret_name,
    redact,
    redact_url,
    redaction_scope,
    scrub,
    split_userinfo,
)

PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
PEM = f"-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dV\n-----END PRIVATE KEY-----\n"


def test_url_userinfo_removed() -> None:
    text = "BUCKET=s3://minio-user-77:Mini0-Pa55-word@minio.local:9000/wandb failed"
    out = scrub(text)
    assert "minio-user-77" not in out
    assert "Mini0-Pa55-word" not in out
    assert "minio.local:9000/wandb" in out  # the rest stays readable
    assert MASK in out


def test_mysql_dsn_password_removed() -> None:
    out = scrub("connecting to mysql://wandb:hunter2-Mysql-Pw@db.internal:3306/wandb_local")
    assert "hunter2-Mysql-Pw" not in out
    assert "db.internal:3306" in out


def test_azure_connection_string_account_key_removed() -> None:
    key = "q8VZrT6x0eS1Lm2Nw3Xk4Pj5Yh6Ug7Tf8Re9Wd0Sc1Bx2Az3==+/"
    text = f"DefaultEndpointsProtocol=https;AccountName=acmewandb;AccountKey={key};EndpointSuffix=core.windows.net"
    out = scrub(text)
    assert key not in out
    assert "AccountName=acmewandb" in out


def test_shared_access_signature_removed() -> None:
    sas = "sv=2022-11-02&ss=b&srt=sco&sp=rwdlac&se=2026-01-01T00:00:00Z&sig=AbCdEf0123456789%2BxyzSIGvalue%3D"
    text = f"BlobEndpoint=https://acmewandb.blob.core.windows.net/;SharedAccessSignature={sas}"
    out = scrub(text)
    assert "AbCdEf0123456789" not in out
    assert "SharedAccessSignature=" in out


def test_sig_in_sas_url_removed() -> None:
    url = (
        "https://acmewandb.blob.core.windows.net/wandb?sv=2022-11-02&sr=c&sig=Zx9Yw8Vu7Ts6Rq5Po4%2BNm3Lk2%3D"
    )
    out = scrub(url)
    assert "Zx9Yw8Vu7Ts6Rq5Po4" not in out
    assert "acmewandb.blob.core.windows.net/wandb" in out


def test_raw_pem_private_key_removed() -> None:
    out = scrub(f'{{"private_key": "{PEM}"}}')
    assert PEM_BODY not in out
    assert "MzEfYyjiWA4R4" not in out


def test_json_escaped_pem_private_key_removed() -> None:
    escaped = PEM.replace("\n", "\\n")
    out = scrub(f'{{"private_key": "{escaped}"}}')
    assert PEM_BODY not in out


def test_urlencoded_pem_private_key_removed() -> None:
    encoded = quote(PEM, safe="")
    assert encoded.startswith("-----BEGIN%20PRIVATE%20KEY-----")
    out = scrub(f"note: {encoded} was here")
    assert PEM_BODY not in out
    assert quote(PEM_BODY, safe="") not in out
    assert "was here" in out


def test_aws_access_key_id_removed() -> None:
    out = scrub("credentials for AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A rejected")
    assert "AKIAIOSFODNN7EXAMPLE" not in out
    assert "ASIAY34FZKBOKMUTVV7A" not in out
    assert "rejected" in out


def test_remembered_values_removed_anywhere() -> None:
    secret = f"lic-{uuid.uuid4().hex}"
    current().remember(secret)
    out = scrub(f"the license is {secret}, really")
    assert secret not in out
    assert "really" in out


def test_trivial_values_are_not_remembered() -> None:
    # Remembering "true" would blank every "true" in a report: the verdict would become unreadable.
    current().remember("true")
    current().remember("abc")
    assert scrub("GORILLA_ARTIFACT_GC_ENABLED=true abc") == "GORILLA_ARTIFACT_GC_ENABLED=true abc"


def test_redact_url_masks_userinfo_and_remembers_it() -> None:
    user, pw = f"u{uuid.uuid4().hex[:8]}", f"p{uuid.uuid4().hex}"
    shown = redact_url(f"s3://{user}:{pw}@minio.local:9000/wandb?region=us-east-1")
    assert shown == f"s3://{MASK}@minio.local:9000/wandb?region=us-east-1"
    assert pw not in scrub(f"later someone printed {pw}")


@pytest.mark.parametrize(
    "name",
    [
        "WANDB_API_KEY",
        "LICENSE",
        "GORILLA_LICENSE",
        "MYSQL_PASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "BUCKET_SECRET_KEY",
        "BUCKET_ACCESS_KEY",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_KEY",
        "GORILLA_SESSION_KEY",
        "wandb_api_key",
        "GORILLA_MYSQL_PASS",
        "REDIS_PASS",
        "PASS",
        "GPG_PASSPHRASE",
        "SLACK_WEBHOOK_URL",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "GORILLA_ARTIFACT_GC_ENABLED",
        "GORILLA_GLUE_ARTIFACT_GC_ENABLED",
        "BUCKET",
        "GORILLA_FILE_STORE",
        "WANDB_BASE_URL",
        "HOST",
        "GORILLA_DATA_RETENTION_PERIOD",
        "GORILLA_ONPREM",
        "GORILLA_PASSTHROUGH_HEADERS",
        "BYPASS_PROXY",
    ],
)
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_named_env_value_is_not_kept() -> None:
    value, redacted = display_env_value("MYSQL_PASSWORD", "Sup3r-Secret-Mysql")
    assert value is None
    assert redacted is True
    assert "Sup3r-Secret-Mysql" not in scrub("echo Sup3r-Secret-Mysql")


def test_gc_flag_value_is_kept() -> None:
    assert display_env_value("GORILLA_ARTIFACT_GC_ENABLED", "true") == ("true", False)


def test_bucket_url_env_value_keeps_only_the_redacted_form() -> None:
    value, redacted = display_env_value("BUCKET", "s3://acc-9911:SeCrEt-9911-xyz@minio.local:9000/wandb")
    assert redacted is True
    assert value is not None
    assert "SeCrEt-9911-xyz" not in value
    assert "minio.local:9000/wandb" in value


# --- only credentials are secrets; every escaped form of one is caught ---------------------------------------


def test_database_user_name_is_not_a_secret() -> None:
    pw = f"Db-{uuid.uuid4().hex}"
    shown = redact_url(f"mysql://wandb:{pw}@mysql.internal:3306/wandb_local")
    assert shown == "mysql://wandb:***@mysql.internal:3306/wandb_local"
    # "wandb" is not remembered: fix commands naming the wandb bucket or release stay whole
    assert scrub("mc version enable local/wandb && helm upgrade wandb") == (
        "mc version enable local/wandb && helm upgrade wandb"
    )
    assert pw not in scrub(f"later: {pw}")


def test_scheme_less_go_mysql_dsn_password_is_masked() -> None:
    pw = f"P@ss/{uuid.uuid4().hex[:10]}"
    value, redacted = display_env_value("MYSQL", f"wandb:{pw}@tcp(mysql.internal:3306)/wandb_local")
    assert redacted is True
    assert value == "wandb:***@tcp(mysql.internal:3306)/wandb_local"
    assert pw not in scrub(f"GORILLA_MYSQL=admin:{pw}@tcp(db:3306)/w and {pw}")
    # not remembered, still masked by shape
    assert "Unremembered-9" not in scrub("dsn admin:Unremembered-9@tcp(db:3306)/w")


@pytest.mark.parametrize(
    "escape",
    [
        lambda s: s,
        lambda s: json.dumps(s)[1:-1],  # \u00e4
        lambda s: json.dumps(s, ensure_ascii=False)[1:-1].replace("/", "\\/"),  # \/
        lambda s: html.escape(s),
        lambda s: "".join(f"&#x{ord(c):X};" if not c.isalnum() else c for c in s),
        lambda s: "".join(f"&#{ord(c)};" for c in s),
        lambda s: quote(s, safe=""),
        lambda s: re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(s, safe="/")),
        lambda s: quote_plus(s),
        lambda s: html.escape(json.dumps(s)[1:-1]),
        lambda s: xml_escape(s, {'"': "&quot;", "'": "&apos;"}),
    ],
    ids=[
        "raw",
        "json",
        "json-slash",
        "html",
        "hex-entities",
        "dec-entities",
        "url",
        "url-lower",
        "url-plus",
        "html-json",
        "xml",
    ],
)
def test_remembered_secret_is_caught_in_every_escaped_form(escape: Callable[[str], str]) -> None:
    secret = f"P\u00e4ssw/rd+=@:%?#&<'\" {uuid.uuid4().hex[:6]}"
    current().remember(secret)
    out = scrub(f"before {escape(secret)} after")
    assert out == f"before {MASK} after"


def test_secret_value_type_never_shows_its_value() -> None:
    key = Secret("wJalrXUtnFEMI/K7MDENG")
    assert str(key) == MASK and f"{key}" == MASK and key.reveal() == "wJalrXUtnFEMI/K7MDENG"
    assert "wJal" not in repr(key) and "wJal" not in repr((key,))
    with pytest.raises(TypeError):
        json.dumps({"k": key})
    with pytest.raises(TypeError):
        pickle.dumps(key)
    assert copy.deepcopy(key) is key  # dataclasses.asdict of a BucketRef keeps it a Secret


@dataclass(frozen=True)
class _Holder:
    text: str
    items: tuple[str, ...]
    key: Secret
    data: dict[str, object]


def test_redact_walks_frozen_values_and_masks_secrets() -> None:
    secret = f"tok-{uuid.uuid4().hex}"
    current().remember(secret)
    held = _Holder(f"a {secret} b", (secret, "wandb"), Secret("x" * 12), {"v": [f"s3://k:{secret}@h/b"]})
    out = redact(held)
    assert out == _Holder(f"a {MASK} b", (MASK, "wandb"), out.key, {"v": ["s3://***@h/b"]})
    assert redact(Secret("y" * 12)) == MASK


def test_each_run_has_its_own_redactor() -> None:
    with redaction_scope() as first:
        current().remember("only-in-the-first-run")
        assert scrub("only-in-the-first-run") == MASK
    with redaction_scope():
        assert scrub("only-in-the-first-run") == "only-in-the-first-run"
    assert "only-in-the-first-run" in first.values()


def test_no_redactor_is_shared_by_the_whole_process() -> None:
    import contextvars
    import threading

    import gcready.redact as module

    assert not hasattr(module, "LEDGER") and not hasattr(module, "_DEFAULT")
    current().remember("remembered-by-this-run")
    seen: list[str] = []
    # a context that never opened a scope gets a redactor of its own, not another run's
    contextvars.Context().run(lambda: seen.append(scrub("remembered-by-this-run")))
    thread = threading.Thread(target=lambda: seen.append(scrub("remembered-by-this-run")))
    thread.start()
    thread.join()
    assert seen == ["remembered-by-this-run", "remembered-by-this-run"]
    assert scrub("remembered-by-this-run") == MASK


@pytest.mark.parametrize(
    "message",
    [
        "not valid HCL: Unexpected token Token('STRING_CHARS', 'eyJhbGciOiJSUzI1NiJ9.bGljZW5zZQ') at line 3",
        "not valid HCL: Unexpected token Token('STRING_CHARS', '= 1\\n license = \"eyJhbGciOiJSUzI1NiJ9.bGljZW5zZQ",
        'license = "eyJhbGciOiJSUzI1NiJ9.bGljZW5zZQ" is not valid here',
        '{"license": "eyJhbGciOiJSUzI1NiJ9.bGljZW5zZQ"}',
    ],
)
def test_parser_echo_of_a_quoted_license_is_masked(message: str) -> None:
    out = scrub(message)
    assert "eyJhbGciOiJSUzI1NiJ9" not in out
    assert "bGljZW5zZQ" not in out


def test_json_stays_json_after_masking_a_quoted_assignment() -> None:
    out = scrub(json.dumps({"note": 'password="hunter2-x" and token: abc123'}))
    assert json.loads(out) == {"note": 'password="***" and token: ***'}


def test_bucket_url_access_key_is_a_key_but_a_url_user_is_not() -> None:
    assert redact_url("s3://AKIDWANDBUSER1:s3cr3t-Key/9@minio:9000/wandb") == "s3://***@minio:9000/wandb"
    assert "AKIDWANDBUSER1" not in scrub("AKIDWANDBUSER1")
    assert redact_url("redis://:r3dis-Pw-8@redis:6379/0") == "redis://:***@redis:6379/0"


def test_names_that_say_where_a_secret_lives_are_not_secrets() -> None:
    from gcready.redact import is_secret_name

    # the namespace of W&B's secret store is "wandb": remembering it would blank every "wandb"
    assert not is_secret_name("GORILLA_CUSTOMER_SECRET_STORE_K8S_CONFIG_NAMESPACE")
    assert not is_secret_name("GORILLA_CUSTOMER_SECRET_STORE_SOURCE")
    assert not is_secret_name("AWS_SECRET_NAME")
    assert is_secret_name("AWS_SECRET_ACCESS_KEY")
    assert is_secret_name("MYSQL_PASSWORD")
    assert is_secret_name("GORILLA_LICENSE")


def test_a_very_long_secret_is_removed_in_every_rendered_form() -> None:
    """A secret too long for the per-character pattern (a pasted blob, a mutated license) is still masked
    raw, JSON-escaped, HTML/XML-escaped and URL-encoded, and in an escaping of an escaping."""
    import html
    import json
    from urllib.parse import quote

    secret = ('lic"<&>é ' + "eyJhbGciOiJSUzI1NiJ9/" * 300)[:6000]
    current().remember(secret)
    renderings = {
        "raw": secret,
        "json": json.dumps(secret),
        "json-utf8": json.dumps(secret, ensure_ascii=False),
        "html": html.escape(secret),
        "html of json": html.escape(json.dumps(secret)),
        "url": quote(secret, safe=""),
    }
    for name, text in renderings.items():
        scrubbed = scrub(f"before {text} after")
        assert "eyJhbGciOiJSUzI1NiJ9/eyJ" not in scrubbed, name
        assert scrubbed.startswith("before ") and scrubbed.endswith(" after"), name


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer BearerTokenValue0123456789", "BearerTokenValue0123456789"),
        ("Basic dXNlcjpCYXNpY0F1dGhQdzEyMw==", "dXNlcjpCYXNpY0F1dGhQdzEyMw=="),
        ("basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),  # user:pass: no digit, but capitals inside
        ("https://hooks.slack.com/services/T00000000/B00000000/SlackWebhookTokenXXXX", "SlackWebhookToken"),
        ("https://discord.com/api/webhooks/123456/DiscordHookToken_abc", "DiscordHookToken"),
        ('{"type":"service_account","private_key_id":"PrivKeyId0123456789abcdef"}', "PrivKeyId0123"),
    ],
)
def test_credential_shapes_nobody_remembered_are_masked(text: str, secret: str) -> None:
    assert secret not in scrub(text)


@pytest.mark.parametrize(
    "prose",
    ["Basic authentication is on", "bearer tokens expire", "Basic Authentication", "Bearer ***"],
)
def test_prose_about_credentials_is_kept(prose: str) -> None:
    assert scrub(prose) == prose


def test_each_line_of_a_multi_line_secret_is_remembered() -> None:
    # docker run --env-file reads the lines of a quoted multi-line value one by one
    first, second = f"first-{uuid.uuid4().hex}", f"second line {uuid.uuid4().hex}"
    current().remember(f"{first}\n{second}\n")
    assert scrub(f"variable {second!r} contains whitespace") == f"variable '{MASK}' contains whitespace"
    assert first not in scrub(f"GORILLA_LICENSE={first}")


def test_a_remembered_multi_line_secret_is_caught_json_escaped() -> None:
    secret = f"-----BEGIN LICENSE-----\n{uuid.uuid4().hex}\r\n\tend"
    current().remember(secret)
    assert scrub(json.dumps({"v": f"x {secret} y"})) == json.dumps({"v": f"x {MASK} y"})


def test_a_reading_that_kept_its_quotes_is_remembered_without_them() -> None:
    # docker keeps the quote of GORILLA_LICENSE="dedicated-cl...: masking it must not eat a JSON quote
    current().remember('"dedicated-cl')
    shown = scrub(json.dumps({"candidates": ["dedicated-cloud", "shared-cloud"]}))
    assert json.loads(shown) == {"candidates": [f"{MASK}oud", "shared-cloud"]}


@pytest.mark.parametrize(
    "url",
    [
        "s3://minioadmin:TrailingAtSecret99@",
        "s3://minioadmin:K8sTrailingAtSecret/77@",
        "s3://KeyIdNotAkia:CliSecret2/abc@",
        "cw://KeyIdNotAkia:CliSecret2/abc@",
    ],
)
def test_userinfo_is_credentials_whatever_follows_the_at(url: str) -> None:
    # an empty bucket name: s3://$(ACCESS):$(SECRET)@$(BUCKET_NAME) expands to a trailing "@"
    user, secret = url.partition("://")[2].rstrip("@").split(":", 1)
    assert split_userinfo(url) == (url.partition("://")[0], f"{user}:{secret}", "")
    assert redact_url(url) == url.partition("://")[0] + f"://{MASK}@"
    for part in (user, secret):  # both are keys, remembered whole
        assert part not in scrub(f"endpoint {part} shown")
