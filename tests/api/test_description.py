"""The OpenAPI description: generated from the views, valid OpenAPI 3.1, browsable without a CDN,
and every operation answered within its schema (schemathesis against the served description)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from lms.accounts.models import Role
from tests.helpers import make_user


def test_the_description_is_valid_openapi_3_1_and_lists_every_api_route(app):
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    validate(document)
    described = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.rule.startswith("/api/v1/"):
            path = rule.rule
            for argument in rule.arguments:
                path = path.replace(f"<int:{argument}>", f"{{{argument}}}").replace(f"<{argument}>", f"{{{argument}}}")
            served |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == described


def test_the_browsable_page_uses_only_this_sites_files(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "http" not in page.text.split("<body>")[1].replace("http-equiv", "")
    assert client.get("/api/v1/docs/assets/js/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs/assets/css/swagger-ui.css").status_code == 200


def test_problem_details_follow_accept_language(app):
    client = app.test_client()
    french = client.get("/api/v1/units/NOPE", headers={"Accept-Language": "fr"})
    english = client.get("/api/v1/units/NOPE", headers={"Accept-Language": "en"})
    assert french.status_code == english.status_code == 404
    assert french.mimetype == "application/problem+json"
    assert english.json["title"] == "Page not found"
    assert french.json["title"] != english.json["title"]
    invalid = client.get("/api/v1/units?limit=100000", headers={"Accept-Language": "en"})
    assert invalid.status_code == 400
    assert invalid.json["errors"][0]["field"] == "limit"


@pytest.fixture
def admin_secret(demo_app):
    runner = demo_app.test_cli_runner()
    made = runner.invoke(args=["tokens", "create", "--name", "contract", "--scope", "admin"])
    return made.output.strip().splitlines()[-1]


def test_schemathesis_finds_no_server_error_and_no_schema_violation(demo_app, admin_secret):
    make_user(demo_app, "someone@example.org", [Role.LEARNER])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    failures: list[str] = []
    calls: dict[str, int] = {}
    for operation in schema.get_all_operations():
        operation = operation.ok()
        strategy = operation.as_strategy()

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=strategy)
        def run(case):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {admin_secret}"}
            response = case.call()
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
            for check in (not_a_server_error, status_code_conformance, response_schema_conformance):
                try:
                    case.validate_response(response, checks=(check,))
                except Exception as error:  # collect every operation's failure, then report them all
                    failures.append(f"{case.operation.label}: {error}"[:2000])
                    return

        run()
    assert not failures, "\n".join(failures[:10])
    assert len(calls) == len(list(schema.get_all_operations())) >= 10
    assert min(calls.values()) >= 1
