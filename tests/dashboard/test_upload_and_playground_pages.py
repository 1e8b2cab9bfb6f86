"""The Upload and Playground pages over HTTP: what the server renders for their modules."""

from __future__ import annotations

import html
import json
import re
import uuid
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.db.models import ImageStatus
from tests.conftest import Tenant
from tests.dashboard.conftest import Dashboard
from tests.dashboard.test_images_pages import imported, named
from tests.images.helpers import jpeg, upload

CONTRACT = Path(__file__).parents[1] / "contract" / "transformations.json"


def playground(dashboard: Dashboard, tenant: Tenant, image: str = "") -> str:
    params = {"env": str(tenant.environment_id), "image": image}
    response = dashboard.client.get("/dashboard/playground", params=params)
    assert response.status_code == 200, response.text
    return response.text


def test_the_upload_page_uses_the_sdk_the_server_serves(
    tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    page = admin_dashboard.client.get(
        "/dashboard/upload", params={"env": str(tenant.environment_id)}
    )
    assert page.status_code == 200
    assert '<script type="module" src="/dashboard/static/upload.js"></script>' in page.text
    assert '<input id="upload-files"' in page.text and "multiple" in page.text
    assert '<label for="upload-files"' in page.text
    module = admin_dashboard.client.get("/dashboard/static/upload.js").text
    assert 'import { sendUpload } from "/sdk/imgwire.js";' in module
    sdk = admin_dashboard.client.get("/sdk/imgwire.js").text
    assert "export function sendUpload(uploadUrl, file, options = {})" in sdk


def test_the_playground_renders_the_chosen_image_and_the_picker(
    app: FastAPI, client: TestClient, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    ready = upload(app, client, tenant.server, jpeg(200, 100), file_name="pick.jpg")
    imported(app, tenant, named("waiting.jpg", status=ImageStatus.PENDING))
    page = playground(admin_dashboard, tenant, ready["id"])
    assert f'data-cdn-url="{ready["cdn_url"]}"' in page
    assert "Parameters of pick.jpg" in page and "Source: 200 \N{MULTIPLICATION SIGN} 100 px" in page
    # The picker offers READY images only, the chosen one marked.
    picker = re.search(r'<ul class="picker".*?</ul>', page, re.S)
    assert picker
    picks = re.findall(r'<li><a href="([^"]+)"( aria-current="true")?>', picker.group(0))
    assert [(html.unescape(url), current) for url, current in picks] == [
        (
            f"/dashboard/playground?env={tenant.environment_id}&image={ready['id']}",
            ' aria-current="true"',
        )
    ]
    # Without a chosen image: the picker alone.
    assert "data-cdn-url" not in playground(admin_dashboard, tenant)


def test_the_playground_offers_every_parameter_and_preset_of_the_contract(
    app: FastAPI, client: TestClient, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    ready = upload(app, client, tenant.server, jpeg(), file_name="x.jpg")
    page = playground(admin_dashboard, tenant, ready["id"])
    contract = json.loads(CONTRACT.read_text())
    offered = set(re.findall(r'<option value="([a-z_-]+)=">', page))
    assert offered == {item["name"] for item in contract["transformations"]}
    presets = re.search(r'<select id="p-preset".*?</select>', page, re.S)
    assert presets
    assert re.findall(r"<option>(\w+)</option>", presets.group(0)) == contract["presets"]


def test_the_playground_says_why_an_image_cannot_be_used(
    app: FastAPI, tenant: Tenant, other_tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    (pending,) = imported(app, tenant, named("slow.jpg", status=ImageStatus.PENDING))
    (theirs,) = app.state.services.images.import_records(
        other_tenant.environment_id, named("theirs.jpg")
    )
    cases = {
        str(pending): "That image is pending: only ready images render.",
        str(theirs): "This environment has no image with that id.",
        str(uuid.uuid4()): "This environment has no image with that id.",
        "<b>nope</b>": "That is not an image id.",
    }
    for asked, message in cases.items():
        page = playground(admin_dashboard, tenant, asked)
        assert f'role="alert">{message}</p>' in page, asked
        assert 'aria-invalid="true"' in page and "data-cdn-url" not in page
    assert "&lt;b&gt;nope&lt;/b&gt;" in playground(admin_dashboard, tenant, "<b>nope</b>")
