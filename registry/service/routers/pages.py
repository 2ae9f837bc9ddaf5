"""The web pages for people: verify a credential, look at an issuer's accreditation chain; the API
docs (Swagger UI and ReDoc from the fastapi-offline package's copies, never from a CDN, so they
work offline); the site icon.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response

from registry import i18n
from registry.service.errors import Problem

router = APIRouter(include_in_schema=False)
DOCS_ASSETS = "/docs-assets"


def docs_assets_directory() -> Path:
    """Swagger UI's and ReDoc's scripts and styles, as the fastapi-offline package ships them."""
    return Path(str(resources.files("fastapi_offline") / "static"))


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((resources.files("registry.service") / "static" / name).read_text("utf-8"))


@router.api_route("/", methods=["GET", "HEAD"])  # HEAD: uptime monitors
def index() -> HTMLResponse:
    return _page("index.html")


@router.get("/issuer")
def issuer() -> HTMLResponse:
    return _page("issuer.html")


@router.get("/logbook")
def logbook() -> HTMLResponse:
    return _page("logbook.html")


@router.get("/api/i18n/{lang}")
def catalog(lang: str) -> JSONResponse:
    """The page's words in `lang` (registry/locale/LANG/LC_MESSAGES/registry.po, the catalog the CLI
    reads too): {lang, dir, name, messages: {English: translation}}."""
    if lang not in i18n.LANGUAGES:
        raise Problem(
            404, f"no catalog for {lang[:20]!r}: this service has {', '.join(i18n.LANGUAGES)}", slug="not-found"
        )
    return JSONResponse(i18n.catalog_json(lang), headers={"Cache-Control": "public, max-age=3600"})


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links; the same SVG the pages link to."""
    icon = (resources.files("registry.service") / "static" / "favicon.svg").read_bytes()
    return Response(icon, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - API",
        swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/favicon.svg",
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - API",
        redoc_js_url=f"{root}{DOCS_ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{root}/static/favicon.svg",
        with_google_fonts=False,
    )
