"""Queries over the foundation's tables. Every environment-scoped query takes the environment."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, delete, select, update

from imgwired.db import image_lists
from imgwired.db.engine import Session
from imgwired.db.models import (
    ApiKey,
    ApiKeyType,
    DashboardSession,
    DerivedImage,
    Environment,
    Image,
    Organization,
)
from imgwired.db.paging import paginate as paginate
from imgwired.pagination import Page, PageRequest


def get_organization(session: Session) -> Organization | None:
    return session.scalars(select(Organization).order_by(Organization.id).limit(1)).first()


def live_environments(organization_id: uuid.UUID) -> Select[Environment]:
    return select(Environment).where(
        Environment.organization_id == organization_id, Environment.deleted_at.is_(None)
    )


def get_environment(
    session: Session, organization_id: uuid.UUID, environment_id: uuid.UUID
) -> Environment | None:
    query = live_environments(organization_id).where(Environment.id == environment_id)
    return session.scalars(query).first()


def environment_name_taken(
    session: Session, organization_id: uuid.UUID, name: str, *, excluding: uuid.UUID | None = None
) -> bool:
    query = live_environments(organization_id).where(Environment.name == name)
    if excluding is not None:
        query = query.where(Environment.id != excluding)
    return session.scalars(query.limit(1)).first() is not None


def live_api_keys(environment_id: uuid.UUID) -> Select[ApiKey]:
    return select(ApiKey).where(
        ApiKey.environment_id == environment_id, ApiKey.revoked_at.is_(None)
    )


def list_api_keys(
    session: Session, environment_id: uuid.UUID, key_type: ApiKeyType | None, request: PageRequest
) -> Page[ApiKey]:
    query = live_api_keys(environment_id)
    if key_type is not None:
        query = query.where(ApiKey.key_type == key_type)
    return paginate(session, query.order_by(ApiKey.id.desc()), request)


def get_api_key(session: Session, environment_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    return session.scalars(live_api_keys(environment_id).where(ApiKey.id == key_id)).first()


def find_api_key(session: Session, key_id: uuid.UUID) -> ApiKey | None:
    """The key with this id in any environment, revoked or not, with its environment loaded."""
    return session.get(ApiKey, key_id)


def find_api_key_by_hash(session: Session, secret_hash: str) -> ApiKey | None:
    """The key with this hash, revoked or not, with its environment loaded."""
    return session.scalars(select(ApiKey).where(ApiKey.secret_hash == secret_hash)).first()


def revoke_environment_keys(session: Session, environment_id: uuid.UUID, when: datetime) -> None:
    for key in session.scalars(live_api_keys(environment_id)):
        key.revoked_at = when


def get_deleted_environment(session: Session, environment_id: uuid.UUID) -> Environment | None:
    query = select(Environment).where(
        Environment.id == environment_id, Environment.deleted_at.is_not(None)
    )
    return session.scalars(query).first()


def retire_environment_images(
    session: Session, environment_id: uuid.UUID, when: datetime, *, limit: int
) -> tuple[int, int]:
    """Mark up to ``limit`` live images of the environment deleted; returns how many, and the
    bytes of the originals among them."""
    found = session.scalars(
        select(Image.id)
        .where(Image.environment_id == environment_id, Image.deleted_at.is_(None))
        .limit(limit)
    ).all()
    # Through the list's own rule, so that its count and blocks follow.
    retired = image_lists.retire(session, found, when)
    return len(retired), sum(row.size_bytes for row in retired if row.blob_key is not None)


def forget_environment_renditions(session: Session, environment_id: uuid.UUID) -> None:
    session.execute(delete(DerivedImage).where(DerivedImage.environment_id == environment_id))


def find_dashboard_session(session: Session, secret_hash: str) -> DashboardSession | None:
    query = select(DashboardSession).where(DashboardSession.secret_hash == secret_hash)
    return session.scalars(query).first()


def delete_dashboard_session(session: Session, secret_hash: str) -> None:
    session.execute(delete(DashboardSession).where(DashboardSession.secret_hash == secret_hash))


def delete_expired_dashboard_sessions(session: Session, now: datetime) -> int:
    result = session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)


def set_dashboard_session_environment(
    session: Session, session_id: uuid.UUID, environment_id: uuid.UUID
) -> None:
    session.execute(
        update(DashboardSession)
        .where(DashboardSession.id == session_id)
        .values(environment_id=environment_id)
    )
