"""Fuzzing the API from its own OpenAPI document (schemathesis): no request, valid or malformed,
gets a 5xx from the running server. Bounded and reproducible: a few examples per operation and
generation mode, derandomized.

The operations are driven with Hypothesis directly (schemathesis' own pytest plugin does not
work with pytest 9 yet).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

pytest_plugins = ("tests.helpers.service_fixtures",)

EXAMPLES_PER_OPERATION_AND_MODE = 8


@pytest.fixture(scope="session")
def api_schema(service: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{service}/openapi.json")


def test_no_request_gets_a_server_error(api_schema: schemathesis.BaseSchema, service: str) -> None:
    server_errors: list[str] = []
    unbreakable: list[str] = []
    calls = 0
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20  # every route is in the document, so every route is fuzzed
    for operation in operations:
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION_AND_MODE,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case: schemathesis.Case) -> None:
                nonlocal calls
                calls += 1
                response = case.call(base_url=service)
                if response.status_code >= 500:
                    server_errors.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
                    )

            try:
                fuzz()
            except Unsatisfiable:
                # Negative mode finds nothing to break in an operation whose every input is free-form.
                assert mode is GenerationMode.NEGATIVE, operation.label
                unbreakable.append(operation.label)
    assert server_errors == []
    assert calls >= 2 * len(operations)
    assert len(unbreakable) < len(operations) // 2, unbreakable
