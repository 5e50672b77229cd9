"""Fixes to the test tools themselves, loaded by every schemathesis run
(as its hooks module, or imported by hooks.py for the tenant roles).

CPython 3.11's ast.parse can raise "SystemError: AST constructor recursion
depth mismatch" when called deep in the stack on a large module. Hypothesis
parses schemathesis' own sources only to describe a filter lambda in a
strategy's repr; without this fix, that description ends the run with a
runtime error that says nothing about the API.
"""

from __future__ import annotations

from typing import Any

from hypothesis.internal import lambda_sources

_describe_lambda = lambda_sources._lambda_description


def _lambda_description_or_unknown(f: Any) -> str:
    try:
        return _describe_lambda(f)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _lambda_description_or_unknown
