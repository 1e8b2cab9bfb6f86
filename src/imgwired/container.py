"""The set of services one app uses, wired to one database and one settings object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from ipaddress import ip_network

from imgwired.accounts.api_keys import ApiKeyService
from imgwired.accounts.auth import Authenticator
from imgwired.accounts.environments import PURGE_ENVIRONMENT_JOB, EnvironmentService
from imgwired.accounts.organization import OrganizationService
from imgwired.accounts.sessions import DashboardSessionService
from imgwired.bus.base import InvalidationBus
from imgwired.bus.events import Invalidation, Topic
from imgwired.bus.local import PollingBus
from imgwired.bus.redis_bus import RedisBus
from imgwired.bus.redis_client import redis_client
from imgwired.bus.redis_leases import RedisLeases
from imgwired.config import Settings
from imgwired.cors.locator import EnvironmentLocator
from imgwired.cors.runtime import CorsRuntime
from imgwired.cors.service import CorsOriginService
from imgwired.custom_domains.connected import ConnectedDomains
from imgwired.custom_domains.service import CustomDomainService
from imgwired.db.engine import Database
from imgwired.delivery.hot_renditions import HotRenditions
from imgwired.delivery.render_leases import DatabaseLeases, RenderLeases
from imgwired.delivery.service import DeliveryService
from imgwired.images.downloads import BUILD_JOB, DownloadService
from imgwired.images.ingestion import INGEST_JOB, IngestionService
from imgwired.images.processing import ProcessingService
from imgwired.images.service import PURGE_JOB, ImageService
from imgwired.images.sweeps import BlobSweeper
from imgwired.images.upload_claims import UploadClaims
from imgwired.images.upload_tokens import UploadTokenService
from imgwired.images.uploads import PROCESS_JOB, UploadService
from imgwired.jobs.runner import JobRunner
from imgwired.metrics.prometheus import PrometheusExporter
from imgwired.metrics.service import MetricsService
from imgwired.metrics.usage import UsageRecorder
from imgwired.ratelimits.buckets import BucketStore, MemoryBuckets
from imgwired.ratelimits.factory import rate_limiter
from imgwired.ratelimits.redis_buckets import RedisBuckets
from imgwired.ratelimits.service import RateLimiter
from imgwired.storage.base import BlobStore
from imgwired.storage.factory import blob_store_from_url


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    database: Database
    bus: InvalidationBus
    auth: Authenticator
    dashboard_sessions: DashboardSessionService
    organization: OrganizationService
    environments: EnvironmentService
    api_keys: ApiKeyService
    cors_runtime: CorsRuntime
    cors: CorsOriginService
    locator: EnvironmentLocator
    blobs: BlobStore
    jobs: JobRunner
    upload_tokens: UploadTokenService
    images: ImageService
    uploads: UploadService
    processing: ProcessingService
    ingestion: IngestionService
    downloads: DownloadService
    delivery: DeliveryService
    usage: UsageRecorder
    metrics: MetricsService
    prometheus: PrometheusExporter
    custom_domains: CustomDomainService
    sweeper: BlobSweeper
    rate_limits: RateLimiter

    @classmethod
    def build(cls, settings: Settings, database: Database, *, job_threads: int = 2) -> Services:
        """Every service of one process; ``job_threads`` jobs run at once once ``jobs`` starts."""
        api_keys = ApiKeyService(database)
        usage = UsageRecorder()
        metrics = MetricsService(database, usage)
        cors_runtime = CorsRuntime(database)
        bus, leases, buckets = _shared_state(settings, database)
        organization = OrganizationService(database, api_keys)
        blobs = blob_store_from_url(settings.blob_store_url, data_dir=settings.data_dir)
        jobs = JobRunner(
            database,
            poll_seconds=settings.job_poll_seconds,
            threads=job_threads,
            lease_seconds=settings.job_lease_seconds,
        )
        processing = ProcessingService(database, blobs, max_pixels=settings.max_pixels)
        connected_domains = ConnectedDomains(database)
        hot = HotRenditions(max_bytes=settings.delivery_memory_cache_bytes)
        images = ImageService(
            database, settings, organization, custom_domains=connected_domains, bus=bus
        )
        admin_token = settings.admin_token.get_secret_value() if settings.admin_token else None
        delivery = DeliveryService(database, settings, blobs, organization, hot, leases)
        auth = Authenticator(database, configured_admin_token=admin_token)
        services = cls(
            settings=settings,
            database=database,
            bus=bus,
            auth=auth,
            dashboard_sessions=DashboardSessionService(
                database, auth, lifetime=timedelta(hours=settings.dashboard_session_hours)
            ),
            organization=organization,
            environments=EnvironmentService(database, bus, blobs=blobs, jobs=jobs),
            api_keys=api_keys,
            cors_runtime=cors_runtime,
            cors=CorsOriginService(
                database,
                cors_runtime,
                bus,
                max_per_environment=settings.cors_max_origins_per_environment,
            ),
            locator=EnvironmentLocator(database),
            blobs=blobs,
            jobs=jobs,
            upload_tokens=UploadTokenService(
                database, lifetime_seconds=settings.upload_token_ttl_seconds
            ),
            images=images,
            uploads=UploadService(
                database,
                blobs,
                organization,
                jobs,
                UploadClaims(database, lease=timedelta(seconds=settings.upload_lease_seconds)),
            ),
            processing=processing,
            ingestion=IngestionService(
                database,
                settings,
                blobs,
                images,
                jobs,
                allowed_networks=[ip_network(n) for n in settings.fetch_allowed_networks],
            ),
            downloads=DownloadService(database, settings, blobs, organization, jobs),
            delivery=delivery,
            usage=usage,
            metrics=metrics,
            prometheus=PrometheusExporter(
                database,
                metrics,
                cors=cors_runtime,
                custom_domains=connected_domains,
                render_load=delivery.render_load,
            ),
            custom_domains=CustomDomainService(database, settings, connected_domains, bus),
            sweeper=BlobSweeper(
                database, blobs, safety_age=timedelta(seconds=settings.sweep_safety_age_seconds)
            ),
            rate_limits=rate_limiter(settings, database, buckets),
        )
        register_handlers(jobs, services)
        bus.subscribe(
            partial(apply_invalidation, cors_runtime, connected_domains, hot),
            partial(reread_everything, cors_runtime, connected_domains, hot),
        )
        return services


def _shared_state(
    settings: Settings, database: Database
) -> tuple[InvalidationBus, RenderLeases, BucketStore]:
    """Redis when configured, one client for all three; else processes poll the database, lease
    renders in it and count rate limits each in its own memory."""
    if settings.redis_url:
        client = redis_client(settings.redis_url)
        buckets = RedisBuckets(client, prefix=settings.rate_limit_redis_prefix)
        return RedisBus(client), RedisLeases(client), buckets
    return PollingBus(), DatabaseLeases(database), MemoryBuckets()


def apply_invalidation(
    cors: CorsRuntime, domains: ConnectedDomains, hot: HotRenditions, event: Invalidation
) -> None:
    """What each change means for this process's in-memory copies; the same whichever process
    made it."""
    if event.topic is Topic.CORS:
        for environment_id in event.ids:
            cors.refresh(environment_id)
    elif event.topic is Topic.CUSTOM_DOMAINS:
        domains.refresh()
    elif event.topic is Topic.IMAGES_DELETED:
        hot.forget(event.ids)
    elif event.topic is Topic.ENVIRONMENT_DELETED:
        for environment_id in event.ids:
            hot.forget_environment(environment_id)
        domains.refresh()
        cors.poll()


def reread_everything(cors: CorsRuntime, domains: ConnectedDomains, hot: HotRenditions) -> None:
    """After events may have been missed: reload what is polled, and look every delivery kept
    in memory up again."""
    hot.clear()
    cors.poll()
    domains.refresh()


def register_handlers(runner: JobRunner, services: Services) -> None:
    """Teach a job runner every kind of job imgwired queues."""
    runner.register(PROCESS_JOB, services.processing.process)
    runner.register(PURGE_JOB, services.delivery.purge)
    runner.register(INGEST_JOB, services.ingestion.ingest)
    runner.register(BUILD_JOB, services.downloads.build)
    runner.register(PURGE_ENVIRONMENT_JOB, services.environments.purge)
    runner.every(60, "sweep_abandoned_uploads", services.images.sweep_abandoned_uploads)
    runner.every(60, "sweep_expired_downloads", services.downloads.sweep_expired)
    runner.every(3600, "sweep_dashboard_sessions", services.dashboard_sessions.sweep_expired)
    runner.every(services.settings.sweep_interval_seconds, "sweep_blobs", services.sweeper.sweep)
