"""The web pages for people: verify a credential, look at an issuer's accreditation chain."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((resources.files("registry.service") / "static" / name).read_text("utf-8"))


@router.get("/")
def index() -> HTMLResponse:
    return _page("index.html")


@router.get("/issuer")
def issuer() -> HTMLResponse:
    return _page("issuer.html")
