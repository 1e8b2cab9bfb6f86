"""The set of services one app uses, wired to one database and one settings object."""

from __future__ import annotations

from dataclasses import dataclass

from imgwired.config import Settings
from imgwired.db.engine import Database
from imgwired.services.api_keys import ApiKeyService
from imgwired.services.auth import Authenticator
from imgwired.services.cors_origins import CorsOriginService
from imgwired.services.cors_runtime import CorsRuntime
from imgwired.services.environments import EnvironmentService
from imgwired.services.organization import OrganizationService


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    database: Database
    auth: Authenticator
    organization: OrganizationService
    environments: EnvironmentService
    api_keys: ApiKeyService
    cors_runtime: CorsRuntime
    cors: CorsOriginService

    @classmethod
    def build(cls, settings: Settings, database: Database) -> Services:
        api_keys = ApiKeyService(database)
        cors_runtime = CorsRuntime(database)
        admin_token = settings.admin_token.get_secret_value() if settings.admin_token else None
        return cls(
            settings=settings,
            database=database,
            auth=Authenticator(database, configured_admin_token=admin_token),
            organization=OrganizationService(database, api_keys),
            environments=EnvironmentService(database, cors_runtime),
            api_keys=api_keys,
            cors_runtime=cors_runtime,
            cors=CorsOriginService(
                database,
                cors_runtime,
                max_per_environment=settings.cors_max_origins_per_environment,
            ),
        )
