"""The API against its own published schema, fuzzed (issue 9): schemathesis generates requests for every
operation of ``/api/v1/openapi.json`` for three personas (a resident, a grid worker, community staff)
and fails on any server error or any answer that does not match the schema (status code, body, content
type). Bounded: a few examples per operation, no shrinking; marked ``slow`` and ``fuzz`` (CI runs it
once, on SQLite). Every failure is listed, not only the first.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings

from linli.accounts.actions import token_issue
from linli.core.testing.personas import make_user

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

EXAMPLES = 3
PERSONAS = {
    "resident": ("resident", "grid_a"),
    "grid_worker": ("grid_worker", "grid_a"),
    "community_staff": ("community_staff", "community"),
}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def bearers(world) -> dict[str, dict[str, str]]:
    out = {}
    for name, (role, place) in sorted(PERSONAS.items()):
        user = make_user(f"fuzz_{name}", role, place=getattr(world, place))
        _token, raw = token_issue(user=user, actor=user, name="fuzz")
        out[name] = {"Authorization": f"Bearer {raw}"}
    return out


def test_the_api_answers_every_generated_request_within_its_schema(bearers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        _fuzz(operation, bearers, failures)
    assert operations > 100, "the schema lists every operation"
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(f"{k}: {v}" for k, v in sorted(failures.items()))


def _fuzz(operation, bearers: dict[str, dict[str, str]], failures: dict[str, str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def run(case):
        for persona, headers in bearers.items():
            key = f"{label} as {persona}"
            if key in failures:
                continue
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every failure is collected below
                failures[key] = f"{type(exc).__name__}: {str(exc).strip()[:400]}"

    run()
