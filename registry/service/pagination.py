"""EBSI list pagination: `page[after]` is a 1-based page number, `page[size]` at most 50."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request

MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    def bounds(self, total: int) -> tuple[int, int]:
        """(start, count) of this page's items among `total` (count 0 past the end)."""
        start = min(self.start, total)
        return start, max(0, min(self.size, total - start))


def page_params(
    after: Annotated[int, Query(alias="page[after]", ge=1, le=2**31, description="1-based page number")] = 1,
    size: Annotated[
        int, Query(alias="page[size]", ge=1, le=MAX_PAGE_SIZE, description="items per page (at most 50)")
    ] = DEFAULT_PAGE_SIZE,
) -> Page:
    return Page(after, size)


def paginated(request: Request, page: Page, items: list[Any], total: int) -> dict[str, Any]:
    """EBSI's list shape: {self, items, total, pageSize, links: {first, prev, next, last}}."""
    last = max(1, -(-total // page.size))
    base = str(request.url.replace(query=""))

    def link(number: int) -> str:
        return f"{base}?{urlencode({'page[after]': number, 'page[size]': page.size})}"

    return {
        "self": link(page.number),
        "items": items,
        "total": total,
        "pageSize": page.size,
        "links": {
            "first": link(1),
            "prev": link(max(1, min(page.number - 1, last))),
            "next": link(min(page.number + 1, last)),
            "last": link(last),
        },
    }
