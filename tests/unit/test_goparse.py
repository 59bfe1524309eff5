"""The server reads GORILLA_ARTIFACT_GC_ENABLED with Go's strconv.ParseBool: only its spellings count."""

from __future__ import annotations

import pytest

from gcready.goparse import parse_bool


@pytest.mark.parametrize("value", ["1", "t", "T", "TRUE", "true", "True"])
def test_go_true_spellings(value: str) -> None:
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["0", "f", "F", "FALSE", "false", "False"])
def test_go_false_spellings(value: str) -> None:
    assert parse_bool(value) is False


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "Yes",
        "y",
        "on",
        "ON",
        "enabled",
        "no",
        "off",
        " true",
        "true ",
        "true\n",
        '"true"',
        "",
        "tRuE",
        "TRue",
        "fAlse",
        "2",
        "-1",
        "1.0",
    ],
)
def test_everything_else_is_a_go_error(value: str) -> None:
    # Go returns an error for these, and the server then leaves garbage collection off.
    assert parse_bool(value) is None
