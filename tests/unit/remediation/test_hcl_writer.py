"""The HCL writer: what it writes, Terraform reads back as the same values (python-hcl2 as the reader)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gcready.model import Origin
from gcready.remediation.render import hcl
from gcready.remediation.render.hcl import BLANK, Attr, Block, Comment, HCLError, Ref
from tests.unit.remediation.hclread import BOOKKEEPING, load

HOSTILE = [
    "plain",
    "with space",
    'quote " inside',
    "back\\slash",
    "trailing backslash\\",
    "${var.secret}",
    "%{ if true }x%{ endif }",
    "$${already escaped}",
    "$$${triple}",
    "%%{directive}",
    "{braces}",
    "}{",
    "line\nbreak",
    "carriage\r\nreturn",
    "tab\there",
    "null\x00byte",
    "bell\x07 and del\x7f",
    "unicode é ü 漢字 🪣",
    "\u2028line separator",
    "",
    "$",
    "%",
    "${",
    "ends with $",
    "# not a comment",
    "// nor this",
    "<<EOT\nheredoc\nEOT",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_string_value_reads_back_as_itself(text: str) -> None:
    rendered = hcl.render(Attr("value", text))
    assert load(rendered) == {"value": text}


@pytest.mark.parametrize("text", HOSTILE)
def test_labels_keys_and_list_items_read_back_as_themselves(text: str) -> None:
    rendered = hcl.render(
        Block("resource", ("aws_s3_bucket_versioning", text), (Attr("tags", {text: [text, 1, True]}),))
    )
    assert load(rendered) == {
        "resource": [{"aws_s3_bucket_versioning": {text: {"tags": {text: [text, 1, True]}}}}]
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_comments_never_leak_into_the_configuration(text: str) -> None:
    rendered = hcl.render(
        Block("module", ("wandb",), (Comment(text), Attr("x", 1, comment=text), Comment(text)))
    )
    assert load(rendered) == {"module": [{"wandb": {"x": 1}}]}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=20))
def test_round_trip_holds_for_arbitrary_text(text: str, key: str) -> None:
    assume(key not in BOOKKEEPING)  # python-hcl2's own keys
    rendered = hcl.render(
        Block(
            "resource",
            ("google_storage_bucket", key),
            (Attr("name", text), Comment(text), Attr("labels", {key: text, "list": [text]}, comment=text)),
        )
    )
    assert load(rendered) == {
        "resource": [{"google_storage_bucket": {key: {"name": text, "labels": {key: text, "list": [text]}}}}]
    }


def test_blocks_and_attributes_are_laid_out_as_terraform_fmt_does() -> None:
    text = hcl.render(
        Block(
            "resource",
            ("aws_s3_bucket_lifecycle_configuration", "wandb"),
            (
                Attr("bucket", Ref("module.wandb.bucket_name")),
                BLANK,
                Block(
                    "rule",
                    (),
                    (Attr("id", "x"), Attr("status", "Enabled"), BLANK, Block("filter"), Attr("days", 30)),
                ),
            ),
        )
    )
    assert text == (
        'resource "aws_s3_bucket_lifecycle_configuration" "wandb" {\n'
        "  bucket = module.wandb.bucket_name\n\n"
        '  rule {\n    id     = "x"\n    status = "Enabled"\n\n    filter {}\n    days = 30\n  }\n}'
    )


def test_objects_align_their_keys_and_quote_keys_that_are_not_identifiers() -> None:
    text = hcl.render(Attr("other_wandb_env", {"GORILLA_ARTIFACT_GC_ENABLED": "true", "a b": "c"}))
    assert (
        text
        == 'other_wandb_env = {\n  GORILLA_ARTIFACT_GC_ENABLED = "true"\n  "a b"                       = "c"\n}'
    )


@pytest.mark.parametrize("name", ["", "1abc", "a b", "a.b", 'x"', "a{b}", "é"])
def test_identifiers_are_validated(name: str) -> None:
    with pytest.raises(HCLError):
        hcl.render(Attr(name, 1))
    with pytest.raises(HCLError):
        hcl.render(Block(name))


@pytest.mark.parametrize(
    "expression", ["module.wandb.bucket_name", "aws_s3_bucket.files[0].id", 'aws_s3_bucket.b["prod"].id']
)
def test_references_are_written_as_expressions(expression: str) -> None:
    assert hcl.render(Attr("bucket", Ref(expression))) == f"bucket = {expression}"


@pytest.mark.parametrize("expression", ["", "a b", "${x}", "a.b}\nc = 1", 'x["a"b"]', "module.x.", "f(x)"])
def test_a_reference_that_is_not_one_is_refused(expression: str) -> None:
    with pytest.raises(HCLError):
        Ref(expression)


@pytest.mark.parametrize("item", [object(), float("nan"), float("inf")], ids=["object", "nan", "inf"])
def test_a_value_of_no_hcl_type_is_refused(item: object) -> None:
    with pytest.raises(HCLError):
        hcl.value(item)  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_terraform_itself_reads_the_strings_back(tmp_path: Path) -> None:
    # `terraform console` evaluates the written literals offline (no init): the real reader agrees
    # console shows NUL and DEL Go-quoted (\x7f): leave those two to python-hcl2's round trip
    cases = [t for t in HOSTILE if "\x00" not in t and "\x7f" not in t]
    expression = "jsonencode([" + ", ".join(hcl.string(t) for t in cases) + "])"
    run = subprocess.run(
        ["terraform", "console"],
        input=expression + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "TF_IN_AUTOMATION": "1"},
    )
    assert run.returncode == 0, run.stderr
    # console shows the JSON text quoted, with `"` and `\` escaped (templates are not re-escaped)
    shown = re.sub(r"\\(.)", r"\1", run.stdout.strip()[1:-1])
    assert json.loads(shown) == cases


def _fmt(text: str, folder: Path) -> str:
    """``terraform fmt -`` of ``text``: the layout terraform itself writes."""
    run = subprocess.run(
        ["terraform", "fmt", "-"],
        input=text + "\n",
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=60,
        check=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(folder), "TF_IN_AUTOMATION": "1"},
    )
    return run.stdout.rstrip("\n")


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_trailing_comments_are_laid_out_as_terraform_fmt_does(tmp_path: Path) -> None:
    text = hcl.render(
        Block(
            "resource",
            ("azurerm_storage_management_policy", "wandb"),
            (
                Attr("storage_account_id", Ref("azurerm_storage_account.wandb.id"), "the account acct"),
                BLANK,
                Attr("a", 1, "one"),
                Attr("long_name", "a longer value", "two"),
                Attr("c", "a value longer than the commented ones"),
                Attr("d", {"k": "v"}, "after a multi-line value"),
            ),
        )
    )
    assert _fmt(text, tmp_path) == text


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_every_terraform_bucket_fix_passes_terraform_fmt(tmp_path: Path) -> None:

    from gcready.model import FixKind
    from gcready.model.remedy import EnableVersioning
    from gcready.remediation import fixes_for
    from tests.unit.remediation.test_round_trips import buckets, remedies, terraform_buckets

    declared = Origin("main.tf", 5, "aws_s3_bucket_versioning.wandb")
    texts = {
        fix.text
        for bucket in [*buckets("wandb-files"), *terraform_buckets("wandb")]
        for remedy in [*remedies(bucket), EnableVersioning(bucket, declared)]
        for fix in fixes_for(remedy)
        if fix.kind is FixKind.TERRAFORM
    }
    assert texts
    for text in sorted(texts):
        assert _fmt(text, tmp_path) == text
