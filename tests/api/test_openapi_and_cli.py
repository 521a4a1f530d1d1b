"""OpenAPI document, docs page, and the console commands."""

from click.testing import CliRunner

from pos.cli import main


def test_openapi_documents_every_route_with_errors_and_security(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    lookup = spec["paths"]["/api/v1/catalog/lookup"]["get"]
    assert {"401", "403", "404", "422"} <= set(lookup["responses"])
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), f"{method} {path} lacks a summary"


def test_docs_page_is_served_with_local_assets(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and b"/api/swagger-ui/" in page.data
    assert client.get("/api/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_unknown_route_is_a_problem_not_html(client):
    response = client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_malformed_json_is_a_400_problem(api):
    response = api.as_("manager").client.post(
        "/api/v1/items", data="{oops", content_type="application/json",
        headers=api.as_("manager").headers())
    assert response.status_code in (400, 422)
    assert response.get_json()["code"] in ("bad_request", "validation_failed")


def test_cli_demo_load_runs_once_and_users_can_be_created(database_url, app, monkeypatch):
    monkeypatch.setenv("POS_DATABASE_URL", database_url)
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "load", "--items", "30"])
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.output
    again = runner.invoke(main, ["demo", "load"])
    assert "already present" in again.output
    created = runner.invoke(main, ["user", "create", "olga", "--role", "cashier",
                                   "--password", "olga-password"])
    assert created.exit_code == 0, created.output
    weak = runner.invoke(main, ["user", "set-password", "olga", "--password", "short"])
    assert weak.exit_code != 0 and "weak_password" in weak.output
    current = runner.invoke(main, ["db", "current"])
    assert "head" in current.output
