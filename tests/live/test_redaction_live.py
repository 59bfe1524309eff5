"""A W&B bucket URL whose secret key holds ``/`` and ``+`` probed live, with the key checked by the server.

moto with IAM enforced verifies each request's signature against the secret key it issued, and its keys
use the AWS alphabet (``/`` and ``+`` included), so a probe that passes proves gcready read the endpoint,
the bucket and the exact secret out of the URL (raw or URL-encoded); no output may show the key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import run_gcready
from tests.live import servers
from tests.live.conftest import _boto3_s3, _make_s3_bucket_factory
from tests.live.servers import MOTO_KEYS, RunningServer, unique

NO_METADATA = {"AWS_EC2_METADATA_DISABLED": "true", "NO_GCE_CHECK": "true"}
VALUES = 'global:\n  cloudProvider: aws\n  extraEnv:\n    GORILLA_ARTIFACT_GC_ENABLED: "true"\n'


@pytest.fixture
def slash_key(moto_iam_server: RunningServer) -> Iterator[dict[str, Any]]:
    """A versioned bucket and an IAM user's keys whose secret has a "/" (about half of them do)."""
    import boto3

    servers.moto_relax_iam(moto_iam_server)
    s3 = _boto3_s3(moto_iam_server.endpoint, MOTO_KEYS)
    iam = boto3.client(
        "iam",
        endpoint_url=moto_iam_server.endpoint,
        aws_access_key_id=MOTO_KEYS[0],
        aws_secret_access_key=MOTO_KEYS[1],
        region_name="us-east-1",
    )
    bucket = _make_s3_bucket_factory(s3)("slash", versioning="Enabled")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    user = unique("gcready-slash")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=json.dumps(policy))
    for _ in range(40):  # IAM allows two keys per user: drop one without "/" and ask again
        key = iam.create_access_key(UserName=user)["AccessKey"]
        if "/" in key["SecretAccessKey"]:
            break
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    else:
        pytest.skip("moto issued no secret key with a '/' in 40 tries")
    servers.moto_enforce_iam(moto_iam_server)
    try:
        yield {"bucket": bucket, "keys": (key["AccessKeyId"], key["SecretAccessKey"])}
    finally:
        servers.moto_relax_iam(moto_iam_server)


@pytest.mark.parametrize("encoding", ["raw", "url-encoded"])
def test_secret_with_slash_in_bucket_url_probes_with_the_right_key(
    tmp_path: Path, moto_iam_server: RunningServer, slash_key: dict[str, Any], encoding: str
) -> None:
    access, secret = slash_key["keys"]
    written = quote(secret, safe="") if encoding == "url-encoded" else secret
    url = f"s3://{access}:{written}@{moto_iam_server.host_port}/{slash_key['bucket']}?region=us-east-1&tls=false"
    values = tmp_path / "values.yaml"
    values.write_text(VALUES)
    html = tmp_path / "report.html"
    run = run_gcready(
        "audit",
        str(values),
        "--bucket",
        url,
        "--timeout",
        "5",
        "--format",
        "json",
        "--html",
        str(html),
        env=NO_METADATA,
    )
    report = json.loads(run.stdout)
    (finding,) = [f for f in report["findings"] if f["check"] == "bucket-versioning"]
    assert finding["status"] == "pass", finding  # moto checked the signature made with this secret
    assert moto_iam_server.host_port in finding["resource"]
    for text in (run.stdout, run.stderr, html.read_text()):
        for form in (secret, written, json.dumps(secret)[1:-1], access):
            assert form not in text


def test_a_wrong_secret_is_refused(
    tmp_path: Path, moto_iam_server: RunningServer, slash_key: dict[str, Any]
) -> None:
    """The control: IAM really checks the key, so the pass above is not moto accepting anything."""
    access, secret = slash_key["keys"]
    wrong = secret[::-1]
    url = (
        f"s3://{access}:{wrong}@{moto_iam_server.host_port}/{slash_key['bucket']}?region=us-east-1&tls=false"
    )
    values = tmp_path / "values.yaml"
    values.write_text(VALUES)
    run = run_gcready(
        "audit", str(values), "--bucket", url, "--timeout", "5", "--format", "json", env=NO_METADATA
    )
    report = json.loads(run.stdout)
    (finding,) = [f for f in report["findings"] if f["check"] == "bucket-versioning"]
    assert finding["status"] == "unknown", finding
    assert wrong not in run.stdout + run.stderr
