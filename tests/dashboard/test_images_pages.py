"""The Images pages over HTTP: the grid (list, status filter, search by name or id, pages) and
one image's details, in the session's environment only."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.db.models import ImageStatus
from tests.conftest import Tenant
from tests.dashboard.conftest import Dashboard, signed_in
from tests.db.lists import records
from tests.images.helpers import jpeg, upload

PER_PAGE = 48  # web/dashboard/images.py, written out: the tests check what a user sees


def grid(dashboard: Dashboard, tenant: Tenant, **params: str) -> str:
    response = dashboard.client.get(
        "/dashboard/images", params={"env": str(tenant.environment_id), **params}
    )
    assert response.status_code == 200, response.text
    return response.text


def names_in(page: str) -> list[str]:
    """The file names of the grid's tiles, in order."""
    return [html.unescape(name) for name in re.findall(r'class="tile-name">([^<]*)<', page)]


def ids_in(page: str) -> list[str]:
    return re.findall(r'name="image_id" value="([0-9a-f-]{36})"', page)


def imported(app: FastAPI, tenant: Tenant, rows: list[dict[str, Any]]) -> list[uuid.UUID]:
    return list(app.state.services.images.import_records(tenant.environment_id, rows))


def named(*names: str, status: ImageStatus = ImageStatus.READY) -> list[dict[str, Any]]:
    rows = records(len(names))
    for row, name in zip(rows, names, strict=True):
        row["original_filename"] = name
        row["status"] = status
    return rows


def test_the_grid_shows_ready_images_as_lazy_cdn_thumbnails(
    app: FastAPI, client: TestClient, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    ready = upload(app, client, tenant.server, jpeg(300, 200), file_name="sunset.jpg")
    page = grid(admin_dashboard, tenant)
    assert names_in(page) == ["sunset.jpg"]
    assert f'src="{ready["cdn_url"]}@thumbnail"' in page
    assert 'loading="lazy"' in page
    assert f'href="/dashboard/images/{ready["id"]}?env={tenant.environment_id}"' in page
    assert "1 image" in page and "Page 1 of 1" in page
    # The page loads its module and its styles from the server itself.
    assert '<script type="module" src="/dashboard/static/images.js"></script>' in page
    assert admin_dashboard.client.get("/dashboard/static/images.js").status_code == 200


def test_images_not_ready_have_no_thumbnail_but_their_status(
    app: FastAPI, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    imported(app, tenant, named("waiting.jpg", status=ImageStatus.PENDING))
    page = grid(admin_dashboard, tenant)
    assert names_in(page) == ["waiting.jpg"]
    assert "@thumbnail" not in page
    assert 'class="badge badge-pending">Pending<' in page


def test_the_status_filter_shows_only_that_status_newest_first(
    app: FastAPI, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    imported(app, tenant, named("a.jpg", "b.jpg"))
    imported(app, tenant, named("bad-1.png", "bad-2.png", status=ImageStatus.QUARANTINE))
    imported(app, tenant, named("c.jpg"))
    assert names_in(grid(admin_dashboard, tenant, status="QUARANTINE")) == [
        "bad-2.png",
        "bad-1.png",
    ]
    assert names_in(grid(admin_dashboard, tenant, status="ready")) == ["c.jpg", "b.jpg", "a.jpg"]
    assert names_in(grid(admin_dashboard, tenant, status="PROCESSING")) == []
    assert "No image matches." in grid(admin_dashboard, tenant, status="PROCESSING")


def test_search_finds_file_names_by_their_start_in_name_order(
    app: FastAPI, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    imported(app, tenant, named("cat-2.png", "dog.jpg", "Cat-big.jpg", "cat-1.jpg", "concat.jpg"))
    assert names_in(grid(admin_dashboard, tenant, q="cat")) == ["cat-1.jpg", "cat-2.png"]
    assert names_in(grid(admin_dashboard, tenant, q="Cat")) == ["Cat-big.jpg"]
    assert names_in(grid(admin_dashboard, tenant, q="cat-2.png")) == ["cat-2.png"]
    assert names_in(grid(admin_dashboard, tenant, q="cat-2.png.")) == []
    # Surrounding spaces are not part of the name a user meant.
    assert names_in(grid(admin_dashboard, tenant, q="  dog ")) == ["dog.jpg"]


def test_search_characters_are_taken_literally(
    app: FastAPI, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    imported(app, tenant, named("100%_off.jpg", "100x_off.jpg", "100%a.jpg", "été.jpg", "ét€.jpg"))
    assert names_in(grid(admin_dashboard, tenant, q="100%_")) == ["100%_off.jpg"]
    assert names_in(grid(admin_dashboard, tenant, q="100%")) == ["100%_off.jpg", "100%a.jpg"]
    assert names_in(grid(admin_dashboard, tenant, q="ét")) == ["été.jpg", "ét€.jpg"]
    assert names_in(grid(admin_dashboard, tenant, q="<script>")) == []


def test_search_and_status_together(
    app: FastAPI, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    imported(app, tenant, named("scan-1.tif", "scan-3.tif"))
    imported(app, tenant, named("scan-2.tif", status=ImageStatus.QUARANTINE))
    assert names_in(grid(admin_dashboard, tenant, q="scan", status="READY")) == [
        "scan-1.tif",
        "scan-3.tif",
    ]
    assert names_in(grid(admin_dashboard, tenant, q="scan", status="QUARANTINE")) == ["scan-2.tif"]


def test_search_by_a_whole_id_opens_that_image_only(
    app: FastAPI, tenant: Tenant, other_tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    first, second = imported(app, tenant, named("one.jpg", "two.jpg"))
    assert ids_in(grid(admin_dashboard, tenant, q=str(second))) == [str(second)]
    # A pasted id in capitals is the same id.
    assert ids_in(grid(admin_dashboard, tenant, q=str(first).upper())) == [str(first)]
    assert ids_in(grid(admin_dashboard, tenant, q=str(first), status="QUARANTINE")) == []
    # Another environment's image is not found from this one.
    (foreign,) = app.state.services.images.import_records(
        other_tenant.environment_id, named("theirs.jpg")
    )
    assert ids_in(grid(admin_dashboard, tenant, q=str(foreign))) == []
    assert ids_in(grid(admin_dashboard, tenant, q=str(uuid.uuid4()))) == []


def test_search_pages_follow_on_from_the_last_image_without_a_total(
    app: FastAPI, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    names = [f"img-{n:03}.jpg" for n in range(PER_PAGE + 5)]
    imported(app, tenant, named(*reversed(names)))
    imported(app, tenant, named("other.jpg"))
    first = grid(admin_dashboard, tenant, q="img-")
    assert names_in(first) == names[:PER_PAGE]
    link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert link, "no next page"
    second = admin_dashboard.client.get(html.unescape(link.group(1)))
    assert names_in(second.text) == names[PER_PAGE:]
    assert 'rel="next"' not in second.text
    assert ">First</a>" in second.text
    # By status, newest first, the same way.
    by_status = grid(admin_dashboard, tenant, status="READY")
    assert names_in(by_status)[:2] == ["other.jpg", names[0]]
    link = re.search(r'<a href="([^"]+)" rel="next">', by_status)
    assert link
    rest = admin_dashboard.client.get(html.unescape(link.group(1)))
    assert names_in(rest.text) == names[PER_PAGE - 1 :]


def test_the_list_has_numbered_pages(
    app: FastAPI, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    imported(app, tenant, records(PER_PAGE * 2 + 1))
    first = grid(admin_dashboard, tenant)
    assert "97 images · Page 1 of 3" in first.replace("\N{THIN SPACE}", "")
    assert len(ids_in(first)) == PER_PAGE
    last = grid(admin_dashboard, tenant, page="3")
    assert names_in(last) == ["photo-0.jpg"]
    assert 'rel="next"' not in last and 'rel="prev"' in last
    assert set(ids_in(first)).isdisjoint(ids_in(grid(admin_dashboard, tenant, page="2")))
    # Past the end: an empty page that still links back.
    beyond = grid(admin_dashboard, tenant, page="9")
    assert ids_in(beyond) == [] and ">First</a>" in beyond


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"page": "two"}, "No such page"),
        ({"page": "0"}, "No such page"),
        ({"page": str(2**53)}, "No such page"),
        ({"status": "DONE"}, "Unknown status"),
        ({"status": "READY", "after": "not-an-id"}, "Bad page link"),
        ({"q": "x" * 1025}, "Search too long"),
    ],
)
def test_bad_grid_parameters_are_a_400_page(
    tenant: Tenant, admin_dashboard: Dashboard, params: dict[str, str], title: str
) -> None:
    response = admin_dashboard.client.get(
        "/dashboard/images", params={"env": str(tenant.environment_id), **params}
    )
    assert response.status_code == 400
    assert f"<h1>{title}</h1>" in response.text


def test_the_detail_page_shows_what_the_image_row_stores(
    app: FastAPI, client: TestClient, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    image = upload(
        app,
        client,
        tenant.server,
        jpeg(320, 240, Artist="Ada <Lovelace>"),
        file_name="portrait.jpg",
        custom_metadata={"album": "Summer & Sea", "rating": 5},
    )
    page = admin_dashboard.client.get(
        f"/dashboard/images/{image['id']}", params={"env": str(tenant.environment_id)}
    )
    assert page.status_code == 200, page.text
    text = page.text
    assert '<h1 class="image-title">portrait.jpg</h1>' in text
    assert "320 \N{MULTIPLICATION SIGN} 240 px" in text
    assert f"({image['size_bytes']:,} bytes)" in text
    assert "<dd>image/jpeg</dd>" in text
    assert "Summer &amp; Sea" in text and "<code>rating</code></td><td>5<" in text
    assert "Ada &lt;Lovelace&gt;" in text  # EXIF, escaped
    assert f'<code id="cdn-url">{image["cdn_url"]}</code>' in text
    assert f'data-copy="{image["cdn_url"]}"' in text
    assert f'src="{image["cdn_url"]}@medium"' in text
    assert f"/dashboard/playground?env={tenant.environment_id}&amp;image={image['id']}" in text
    assert 'id="delete-image"' in text


def test_the_detail_page_of_a_quarantined_image_says_why(
    app: FastAPI, client: TestClient, tenant: Tenant, admin_dashboard: Dashboard
) -> None:
    image = upload(app, client, tenant.server, b"not an image at all" * 20, file_name="fake.png")
    assert image["status"] == "QUARANTINE"
    page = admin_dashboard.client.get(
        f"/dashboard/images/{image['id']}", params={"env": str(tenant.environment_id)}
    )
    assert '<dt>Quarantine reason</dt><dd class="error">not_an_image' in page.text
    assert "@medium" not in page.text and "Open in the playground" not in page.text


def test_a_detail_page_of_no_image_here_is_a_404(
    app: FastAPI, tenant: Tenant, other_tenant: Tenant, client: TestClient
) -> None:
    (theirs,) = app.state.services.images.import_records(
        other_tenant.environment_id, named("theirs.jpg")
    )
    dashboard = signed_in(client, tenant.server_key)
    for image_id in (str(theirs), str(uuid.uuid4()), "not-an-id"):
        response = dashboard.client.get(f"/dashboard/images/{image_id}")
        assert response.status_code == 404, image_id
        assert "Image not found" in response.text
    # And a server key's session cannot switch to the environment that has it.
    response = dashboard.client.get(
        f"/dashboard/images/{theirs}", params={"env": str(other_tenant.environment_id)}
    )
    assert response.status_code == 403


def test_the_grid_of_a_server_key_session_is_its_environment_only(
    app: FastAPI, tenant: Tenant, other_tenant: Tenant, client: TestClient
) -> None:
    imported(app, tenant, named("mine.jpg"))
    app.state.services.images.import_records(other_tenant.environment_id, named("theirs.jpg"))
    dashboard = signed_in(client, tenant.server_key)
    page = dashboard.client.get("/dashboard/images")
    assert names_in(page.text) == ["mine.jpg"]
    assert names_in(dashboard.client.get("/dashboard/images", params={"q": "t"}).text) == []
