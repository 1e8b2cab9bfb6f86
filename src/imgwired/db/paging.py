"""One page of any query, with the count of all its rows."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from imgwired.pagination import Page, PageRequest

T = TypeVar("T")


def paginate(session: Session, query: Select[T], request: PageRequest) -> Page[T]:
    """Run ``query`` for one page and count all its rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(session.scalars(query.offset(request.offset).limit(request.limit)))
    return Page(items, int(total or 0), request)
