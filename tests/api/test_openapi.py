from flask.testing import FlaskClient
from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_lists_every_route(client: FlaskClient) -> None:
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert set(spec["paths"]) == {
        "/v1/summaries",
        "/v1/summaries:batch",
        "/v1/bullets",
        "/v1/checks",
        "/v1/engines",
        "/v1/profiles",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
    }
    assert "Problem" in spec["components"]["schemas"]


def test_openapi_request_schemas_forbid_unknown_fields(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").get_json()
    request = spec["components"]["schemas"]["SummaryRequest"]
    assert request["additionalProperties"] is False
    assert "description" in request["properties"]["text"]


def test_openapi_documents_every_error_as_problem_json(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").get_json()
    summaries = spec["paths"]["/v1/summaries"]["post"]["responses"]
    for status in ("400", "401", "409", "413", "415", "422", "429", "499", "503", "504"):
        assert status in summaries, status
    responses = spec["components"]["responses"]
    for name in ("UNPROCESSABLE_ENTITY", "SERVICE_UNAVAILABLE", "DEFAULT_ERROR"):
        assert list(responses[name]["content"]) == ["application/problem+json"]
    assert "499" in summaries and "application/problem+json" in summaries["499"]["content"]
    assert "409" not in spec["paths"]["/v1/engines"]["get"]["responses"]  # GET takes no key


def test_openapi_documents_security_headers_and_examples(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").get_json()
    assert set(spec["components"]["securitySchemes"]) == {"ApiKey", "Bearer"}
    assert {} in spec["security"]  # keys are optional on the server
    post = spec["paths"]["/v1/summaries"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])
    assert "X-Request-Id" in post["responses"]["200"]["headers"]
    assert "example" in post["requestBody"]["content"]["application/json"]


def test_openapi_is_exact_about_shapes(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert "PaginationMetadata" not in schemas  # nothing unused
    options = schemas["SummaryRequest"]["properties"]["options"]
    assert {"$ref": "#/components/schemas/Options"} in options.get("allOf", [options])
    assert "nullable" not in options  # null reads as absent; the document says Options only
    assert "anyOf" not in str(spec)
    items = schemas["BatchRequest"]["properties"]["documents"]["items"]
    assert items == {"$ref": "#/components/schemas/SummaryRequest"}


def test_openapi_documents_the_checks_contract(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    summary = schemas["ChecksRequest"]["properties"]["summary"]
    assert [option["type"] for option in summary["oneOf"]] == ["string", "array"]
    assert "summary" in schemas["ChecksRequest"]["required"]
    issue_types = schemas["Issue"]["properties"]["type"]["enum"]
    assert set(issue_types) == {
        "number",
        "date",
        "name",
        "quote",
        "negation",
        "attribution",
        "other",
    }
    assert "checks" in schemas["Summary"]["properties"]
    assert "checks" in schemas["Bullets"]["properties"]
    responses = spec["paths"]["/v1/checks"]["post"]["responses"]
    for status in ("200", "401", "413", "415", "422", "429"):
        assert status in responses, status
