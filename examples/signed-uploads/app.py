"""Signed browser uploads to imgwired: your backend decides who may upload, the browser uploads.

The page uploads straight to imgwired with the publishable client key. That key requires signed
uploads, so before each upload the page asks this app for a single-use upload token; the app
checks who is asking and only then creates the token with the server key, which never leaves
this process.

    IMGWIRED_URL=http://localhost:8000 IMGWIRED_SERVER_KEY=sk_... IMGWIRED_CLIENT_KEY=ck_... \\
        python examples/signed-uploads/app.py

The sign-in is a stand-in for your real one: a signed cookie naming one of ``USERS``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import parse_qs

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from imgwired.client import AsyncImgwireClient, CorsOrigin, ImgwireError

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "example_session"
TOKEN_ROUTE = "/api/imgwire/upload-token"  # noqa: S105 (a path, not a secret)
_MAX_FORM_BYTES = 4096

log = logging.getLogger("signed_uploads")


@dataclass(frozen=True)
class User:
    id: str
    name: str
    can_upload: bool


# Your user store. One account is signed in but not allowed to upload, to show the 403.
USERS = {
    user.id: user
    for user in (
        User("ada", "Ada", can_upload=True),
        User("grace", "Grace", can_upload=True),
        User("mallory", "Mallory (read-only)", can_upload=False),
    )
}


@dataclass(frozen=True)
class Config:
    """What the example needs to know; ``from_env()`` reads it from the environment."""

    imgwired_url: str
    server_key: str
    client_key: str
    # This app's own origin, added to the environment's CORS origins while the app runs (unless
    # it is there already) and removed when it stops; None: leave the CORS origins alone.
    public_origin: str | None = None
    # The app-level limit: upload tokens one user may get per window.
    uploads_per_window: int = 20
    window_seconds: float = 3600.0
    session_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @classmethod
    def from_env(cls, host: str, port: int) -> Config:
        missing = [
            name
            for name in ("IMGWIRED_SERVER_KEY", "IMGWIRED_CLIENT_KEY")
            if not os.environ.get(name)
        ]
        if missing:
            raise SystemExit(f"set {' and '.join(missing)} (the keys imgwired printed at init)")
        return cls(
            imgwired_url=os.environ.get("IMGWIRED_URL", "http://localhost:8000").rstrip("/"),
            server_key=os.environ["IMGWIRED_SERVER_KEY"],
            client_key=os.environ["IMGWIRED_CLIENT_KEY"],
            public_origin=f"http://{host}:{port}",
            uploads_per_window=int(os.environ.get("EXAMPLE_UPLOADS_PER_HOUR", "20")),
        )


class UploadLimiter:
    """At most ``limit`` upload tokens per user in any ``window`` seconds (in memory)."""

    def __init__(self, limit: int, window: float) -> None:
        self._limit = limit
        self._window = window
        self._issued: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def take(self, user_id: str) -> bool:
        """Count one token for the user; False, counting nothing, when the limit is reached."""
        now = time.monotonic()
        with self._lock:
            issued = self._issued[user_id]
            while issued and issued[0] <= now - self._window:
                issued.popleft()
            if len(issued) >= self._limit:
                return False
            issued.append(now)
            return True

    def give_back(self, user_id: str) -> None:
        """Uncount the latest token, when creating it failed."""
        with self._lock:
            if self._issued[user_id]:
                self._issued[user_id].pop()


class Sessions:
    """The fake sign-in: a cookie holding a user id and its HMAC."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def cookie_for(self, user: User) -> str:
        return f"{user.id}.{self._mac(user.id)}"

    def user_of(self, request: Request) -> User | None:
        user_id, _, mac = request.cookies.get(SESSION_COOKIE, "").partition(".")
        if not hmac.compare_digest(mac, self._mac(user_id)):
            return None
        return USERS.get(user_id)

    def _mac(self, user_id: str) -> str:
        return hmac.new(self._secret, user_id.encode(), hashlib.sha256).hexdigest()


def create_app(config: Config, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """The example app; ``transport`` replaces the network to imgwired (tests)."""
    sessions = Sessions(config.session_secret)
    limiter = UploadLimiter(config.uploads_per_window, config.window_seconds)
    imgwire = AsyncImgwireClient(
        api_key=config.server_key, base_url=config.imgwired_url, transport=transport
    )
    page = Template((HERE / "templates" / "page.html").read_text())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        added = None
        if config.public_origin:
            added = await allow_origin(imgwire, config.public_origin)
        try:
            yield
        finally:
            try:
                if added is not None:
                    await remove_origin(imgwire, added)
            finally:
                await imgwire.close()

    app = FastAPI(title="imgwired signed uploads example", lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        user = sessions.user_of(request)
        return HTMLResponse(render_page(page, config, user, _here(request)))

    @app.post("/sign-in")
    async def sign_in(request: Request) -> Response:
        form = await _form(request)
        user = USERS.get(form.get("user", ""))
        response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
        if user is not None:
            response.set_cookie(
                SESSION_COOKIE, sessions.cookie_for(user), httponly=True, samesite="strict"
            )
        return response

    @app.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        form = await _form(request)
        response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.post(TOKEN_ROUTE)
    async def upload_token(request: Request) -> JSONResponse:
        """``{"uploadToken": "ut_..."}`` for a signed-in user who may upload, within the limit."""
        user = sessions.user_of(request)
        if user is None:
            return _error(401, "Sign in to upload images")
        if not user.can_upload:
            return _error(403, f"{user.name} is not allowed to upload images")
        if not limiter.take(user.id):
            hours = config.window_seconds / 3600
            detail = (
                f"You have reached the limit of {config.uploads_per_window} uploads per "
                f"{hours:g} hour{'' if hours == 1 else 's'}; try again later"
            )
            return _error(429, detail, {"Retry-After": str(int(config.window_seconds))})
        try:
            token = await imgwire.images.create_upload_token()
        except ImgwireError:
            limiter.give_back(user.id)
            # The reason (a wrong key, imgwired down) is for the operator, not for the browser.
            log.exception("creating an upload token for user %r failed", user.id)
            return _error(500, "Could not start the upload; please try again later")
        return JSONResponse({"uploadToken": token.token}, headers={"Cache-Control": "no-store"})

    return app


async def allow_origin(imgwire: AsyncImgwireClient, origin: str) -> CorsOrigin | None:
    """Add ``origin`` to the environment's CORS origins unless it is there already; the entry
    added, None when someone else's entry already allowed it (that one is theirs to keep)."""
    async for existing in imgwire.cors_origins.list_all():
        if existing.pattern == origin:
            return None
    added = await imgwire.cors_origins.create(origin)
    log.info("added %s to the environment's CORS origins until this app stops", origin)
    return added


async def remove_origin(imgwire: AsyncImgwireClient, added: CorsOrigin) -> None:
    """Remove the entry ``allow_origin`` added, so the environment is left as it was found."""
    try:
        await imgwire.cors_origins.delete(added.id)
    except ImgwireError:
        # imgwired is down or the key revoked: say what is left behind, and how to remove it.
        log.exception(
            "could not remove %s (CORS origin %s) from the environment's CORS origins; "
            "delete it with DELETE /api/v1/cors_origins/%s",
            added.pattern,
            added.id,
            added.id,
        )
        return
    log.info("removed %s from the environment's CORS origins", added.pattern)


def render_page(page: Template, config: Config, user: User | None, here: str) -> str:
    settings = {
        "imgwiredUrl": config.imgwired_url,
        "clientKey": config.client_key,
        "tokenUrl": TOKEN_ROUTE,
    }
    imports = {"imports": {"@imgwired/js": f"{config.imgwired_url}/sdk/imgwire.js"}}
    options = "".join(
        f'<option value="{html.escape(u.id)}"{" selected" if u == user else ""}>'
        f"{html.escape(u.name)}</option>"
        for u in USERS.values()
    )
    return page.substitute(
        import_map=_script_json(imports),
        settings=_script_json(settings),
        user_name=html.escape(user.name) if user else "nobody",
        user_options=options,
        here=html.escape(here),
    )


def _script_json(value: object) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c")


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _safe_next(value: str | None) -> str:
    """A path on this site to go back to; never another site."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


async def _form(request: Request) -> dict[str, str]:
    """A small urlencoded form body, first value of each field."""
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return {}
    fields = parse_qs(body.decode("utf-8", "replace"))
    return {name: values[0] for name, values in fields.items()}


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def main() -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO)
    host = os.environ.get("EXAMPLE_HOST", "localhost")
    port = int(os.environ.get("EXAMPLE_PORT", "3000"))
    config = Config.from_env(host, port)
    print(f"open http://{host}:{port}/", flush=True)
    uvicorn.run(create_app(config), host=host, port=port)


if __name__ == "__main__":
    main()
