"""The OpenAPI schema told clients less than the API does (issue 11): no request bodies, no
error statuses, and a string where null comes back. It is generated here as ``manage.py
spectacular --validate --fail-on-warn`` generates it, and read for the facts a client relies
on."""

import json

import pytest
from django.core.management import call_command

ERROR = "#/components/schemas/Error"
API = "/api/v1"

_generated: dict = {}


@pytest.fixture
def schema(db, tmp_path) -> dict:
    """The schema, generated once for the module: the command fails on any warning and on a
    schema that does not validate against the OpenAPI specification."""
    if not _generated:
        out = tmp_path / "schema.json"
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            str(out),
        )
        _generated.update(json.loads(out.read_text(encoding="utf-8")))
    return _generated


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def ref_of(response) -> str:
    return response["content"]["application/json"]["schema"]["$ref"]


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_schema_generates_with_no_warning_and_validates(schema):
    assert schema["openapi"].startswith("3.")
    assert len(list(operations(schema))) >= 30


def test_the_error_shape_is_one_component(schema):
    error = component(schema, ERROR)
    assert set(error["properties"]) == {"code", "message", "errors"}
    assert set(error["required"]) == {"code", "message"}


def test_every_operation_declares_the_refusal_with_the_error_shape(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert ref_of(responses["403"]) == ERROR, (method, path)
        if "{" in path:
            assert ref_of(responses["404"]) == ERROR, (method, path)
        if method == "post":
            assert ref_of(responses["400"]) == ERROR, (method, path)
            assert ref_of(responses["409"]) == ERROR, (method, path)


def test_a_list_declares_its_filter_errors_and_a_page_past_the_last(schema):
    responses = schema["paths"][f"{API}/escalations/"]["get"]["responses"]
    assert ref_of(responses["400"]) == ERROR
    # DRF answers 404 for a page past the last (tests/generic/api.py); schemathesis found it
    # undeclared (tests/security/test_api_fuzz.py).
    assert ref_of(responses["404"]) == ERROR
    assert responses["404"]["description"] == "No such page of the list."
    older = next(
        p
        for p in schema["paths"][f"{API}/escalations/"]["get"]["parameters"]
        if p["name"] == "older_than"
    )
    assert older["schema"]["type"] == "integer"


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ("receive", "assignee"),
        ("refuse", "reason"),
        ("report", "text"),
        ("request-extension", "requested_due_date"),
        ("transfer", "to_agency"),
    ],
)
def test_a_step_action_declares_its_request_body(schema, step, field):
    operation = schema["paths"][f"{API}/assignments/{{id}}/{step}/"]["post"]
    body = operation["requestBody"]["content"]
    media = body.get("application/json") or body["multipart/form-data"]
    assert field in component(schema, media["schema"]["$ref"])["properties"]


@pytest.mark.parametrize("action", ["endorse", "decide"])
def test_the_extension_steps_and_the_escalation_decision_declare_their_bodies(schema, action):
    operation = schema["paths"][f"{API}/extensions/{{id}}/{action}/"]["post"]
    assert "requestBody" in operation
    decide = schema["paths"][f"{API}/escalations/{{id}}/decide/"]["post"]
    fields = component(
        schema, decide["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    )
    assert {"decision", "note", "due_date", "agency", "assignee"} <= set(fields["properties"])


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("Assignment", "assignee"),
        ("AssignmentDetail", "assignee"),
        ("AssignmentDetail", "parent"),
        ("Extension", "decided_by"),
        ("Extension", "endorsed_by"),
        ("ExtensionList", "decided_by"),
        ("Escalation", "decided_by"),
        ("AgencyVersion", "parent"),
        ("Succession", "successor"),
    ],
)
def test_what_may_come_back_null_is_nullable(schema, name, field):
    assert schema["components"]["schemas"][name]["properties"][field].get("nullable") is True
