"""Generated scalars, decoded by gcready's Kubernetes-schema reader and by Helm's own decoder.

helm-python-sdk's ``values_from_yaml`` is sigs.k8s.io/yaml over go-yaml v2, what Helm and kubectl
run. For every generated scalar (plain or quoted, untagged or with a standard tag, as a value, a list
item or a key) gcready must read what Helm reads, or refuse the file where Helm refuses it with its one
documented input error (YAMLInputError naming the line). Any other exception fails the test: that is
an internal error in ``gcready audit``.

Bounded by example count, not by time (the machine may be shared).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gcready.sources.chart.helmyaml import load_values
from gcready.sources.yamldocs import YAMLInputError

helm = pytest.importorskip("helm_python", reason="helm-python-sdk (gcready[helm]) not installed")

BOUNDS = settings(
    max_examples=400,
    deadline=None,  # the machine is shared: time is bounded by max_examples, not per example
    suppress_health_check=[HealthCheck.too_slow],
)

# Numbers as go-yaml's resolver and Go's strconv see them: signs, base prefixes in either case, leading
# zeros, underscores, fractions, exponents, lengths around int64 and uint64.
numbers = st.from_regex(
    r"[-+]?(0[xXoObB])?[0-9a-fA-F_]{0,21}(\.[0-9_]{0,4})?([eE][-+]?[0-9]{1,3})?", fullmatch=True
).filter(bool)
words = st.sampled_from([
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
    "true", "True", "TRUE", "tRue", "false", "False", "FALSE", "~", "null", "Null", "NULL", "nULL",
    ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN", ".5", "5.", "1.e3",
    "190:20:30", "2020-01-02", "2020-1-2", "2020-01-02T03:04:05Z", "2020-01-02 03:04:05", "2020-13-45",
    "0x", "0o", "0b", "<<",
])  # fmt: skip
junk = st.text(alphabet="0123456789abcdefxobXOBeE.+-_~yYnN", min_size=1, max_size=12)
tags = st.sampled_from([None, "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!"])


@st.composite
def documents(draw: st.DrawFn) -> str:
    text = draw(st.one_of(numbers, words, junk))
    tag = draw(tags)
    scalar = f"'{text}'" if draw(st.booleans()) else text
    if tag is not None:
        scalar = f"{tag} {scalar}"
    where = draw(st.sampled_from(["k: {}\n", "k: [{}]\n", "{}: v\n"]))
    return "a: 1\n" + where.format(scalar)


def _comparable(node: Any) -> Any:
    """Both sides as JSON data, every number a float (Helm's decoder hands back whole floats as ints)."""
    if isinstance(node, dict):
        return {key: _comparable(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_comparable(item) for item in node]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        assert math.isfinite(node), "JSON has no infinity or NaN: Helm refuses the file"
        return float(node)
    return node


@BOUNDS
@given(documents())
@example("a: 1\nk: 08\n")  # the internal error ("invalid literal for int() with base 8") of round 2
@example("a: 1\n018: v\n")
@example("a: 1\nk: !!int 0X1F\n")
def test_a_scalar_decodes_as_helm_decodes_it(text: str) -> None:
    try:
        want = helm.values_from_yaml(text)
    except helm.HelmError:
        with pytest.raises(YAMLInputError) as raised:  # anything else propagates and fails the test
            load_values("values.yaml", text)
        assert raised.value.error.line == 2, raised.value.error
        return
    got = load_values("values.yaml", text)[0]  # a YAMLInputError here fails too: Helm reads the file
    assert _comparable(json.loads(json.dumps(got))) == _comparable(want)
