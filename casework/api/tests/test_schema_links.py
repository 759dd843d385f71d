"""The served schema links an answer to the operations its values address (OpenAPI links, which
schemathesis' stateful phase follows)."""

from __future__ import annotations

from django.test import Client

from casework.api.schema_links import add_links


def _links(schema, path, method, status):
    return schema["paths"][path][method]["responses"][status].get("links", {})


def test_a_referral_links_to_the_operations_under_its_reference(db):
    schema = Client().get("/api/v1/schema/?format=json").json()
    detail = _links(schema, "/api/v1/referrals/{reference}/", "get", "200")
    listed = _links(schema, "/api/v1/referrals/", "get", "200")
    sent = _links(schema, "/api/v1/referrals/", "post", "201")
    answer = schema["paths"]["/api/v1/referrals/{reference}/answer/"]["post"]["operationId"]
    assert detail[answer] == {"operationId": answer, "parameters": {"reference": "$response.body#/reference"}}
    assert sent[answer]["parameters"] == {"reference": "$response.body#/reference"}
    assert listed[answer]["parameters"] == {"reference": "$response.body#/results/0/reference"}
    pdf = schema["paths"]["/api/v1/reports/{id}/pdf/"]["get"]["operationId"]
    assert _links(schema, "/api/v1/reports/", "get", "200")[pdf]["parameters"] == {"id": "$response.body#/results/0/id"}


def test_an_operation_is_linked_only_when_every_path_parameter_is_in_the_answer():
    result = {
        "paths": {
            "/things/": {
                "get": {
                    "operationId": "things",
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}}}
                    },
                }
            },
            "/things/{a}/": {"get": {"operationId": "one", "responses": {}}},
            "/things/{a}/{b}/": {"get": {"operationId": "two", "responses": {}}},
            "/other/{c}/": {"get": {"operationId": "other", "responses": {}}},
        },
        "components": {"schemas": {"T": {"properties": {"a": {"type": "string"}}}}},
    }
    links = add_links(result)["paths"]["/things/"]["get"]["responses"]["200"]["links"]
    assert list(links) == ["one"]
