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
        "/v1/engines",
    }
    assert "Problem" in spec["components"]["schemas"]


def test_openapi_request_schemas_forbid_unknown_fields(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").get_json()
    request = spec["components"]["schemas"]["SummaryRequest"]
    assert request["additionalProperties"] is False
    assert "description" in request["properties"]["text"]
