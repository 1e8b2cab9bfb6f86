"""An environment's custom domain as a resource: claim a hostname, check its DNS, serve on it.

Statuses (``docs/custom-domains.md`` tells users the same):

- ``status``: PENDING until the first ``test_connection``; then CONNECTED when the hostname's
  CNAME is our target, FAILED when it is not. Only a CONNECTED domain serves images and is
  used in ``cdn_url``; each test decides afresh, so any status can follow any other.
- ``certificate_status``: whether the on-demand TLS proxy may hold a certificate for the name
  (``/tls/ask`` answers yes only for CONNECTED domains). PENDING: never connected, so nothing
  was issued; ACTIVE: connected, issuance allowed; FAILING: it was connected (a certificate may
  exist) but the last test failed, so renewals will be refused until DNS is fixed.
- ``last_verified_at``: when a test last succeeded; a failed test keeps it, so the user can see
  how long ago the domain last worked. ``last_error`` says what the last failed test found.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from imgwired.bus.base import InvalidationBus
from imgwired.bus.events import Invalidation
from imgwired.config import Settings
from imgwired.custom_domains import repository as repo
from imgwired.custom_domains.connected import ConnectedDomains, stored_form_problem
from imgwired.custom_domains.dns_check import CnameCheck, check_cname
from imgwired.custom_domains.hostnames import normalise_host_header, parse_hostname
from imgwired.db.base import utcnow
from imgwired.db.engine import Database, IntegrityError, Session
from imgwired.db.models import CustomDomain, CustomDomainCertificateStatus, CustomDomainStatus
from imgwired.errors import (
    CustomDomainConflictError,
    CustomDomainNotFoundError,
    InvalidHostnameError,
)
from imgwired.nameservers import parse_nameserver

ACME_CHALLENGE = "_acme-challenge"
_MAX_ERROR = 512


@dataclass(frozen=True, slots=True)
class DnsRecords:
    """The records a user creates: the CNAME that routes traffic, and the optional DCV CNAME that
    delegates ACME DNS-01 validation (``_acme-challenge``) to a zone the operator answers."""

    cname_record: str
    cname_value: str
    dcv_cname_record: str
    dcv_cname_value: str


@dataclass(frozen=True, slots=True)
class DomainView:
    domain: CustomDomain
    records: DnsRecords


class CustomDomainService:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        connected: ConnectedDomains,
        bus: InvalidationBus,
    ) -> None:
        self._db = database
        self.connected = connected
        # Reloads ``connected`` here at once, and in the other processes as the bus carries it.
        self._bus = bus
        self.cname_target = _dns_name(settings.custom_domain_cname_target) or _host_of(
            settings.cdn_base
        )
        self.dcv_target = _dns_name(settings.custom_domain_dcv_target) or f"dcv.{self.cname_target}"
        self._nameservers = [parse_nameserver(e) for e in settings.custom_domain_dns_servers]
        self._timeout = settings.custom_domain_dns_timeout_seconds
        api_host, cdn_host = _host_of(settings.base_url), _host_of(settings.cdn_base)
        self._own_hosts = frozenset({api_host, cdn_host, self.cname_target, self.dcv_target})
        # A CDN host of its own is served by the same proxy, so it may get a certificate too.
        self._tls_hosts = frozenset({cdn_host} - {api_host})

    def get(self, environment_id: uuid.UUID) -> DomainView:
        with self._db.reading() as session:
            return self._view(_require(session, environment_id))

    def create(self, environment_id: uuid.UUID, raw_hostname: str) -> DomainView:
        """Claim ``raw_hostname`` for the environment, PENDING until a test connects it."""
        hostname = parse_hostname(raw_hostname)
        if hostname in self._own_hosts:
            raise InvalidHostnameError(
                f"'{hostname}' is this server's own host, not yours to claim"
            )
        try:
            with self._db.transaction() as session:
                _check_free(session, environment_id, hostname)
                domain = CustomDomain(
                    environment_id=environment_id,
                    hostname=hostname,
                    status=CustomDomainStatus.PENDING,
                    certificate_status=CustomDomainCertificateStatus.PENDING,
                )
                session.add(domain)
        except IntegrityError as exc:  # a concurrent create won the environment or the name
            raise CustomDomainConflictError(
                f"The hostname {hostname!r} or this environment's custom domain was just taken"
            ) from exc
        self._bus.publish(Invalidation.custom_domains())
        return self._view(domain)

    def delete(self, environment_id: uuid.UUID) -> CustomDomain:
        """Remove the domain; it stops serving at once here and within a poll elsewhere."""
        with self._db.transaction() as session:
            domain = _require(session, environment_id)
            session.delete(domain)
        self._bus.publish(Invalidation.custom_domains())
        return domain

    def test_connection(self, environment_id: uuid.UUID) -> DomainView:
        """Check the hostname's CNAME now (blocking, up to the DNS timeout); record the result."""
        with self._db.reading() as session:
            domain = _require(session, environment_id)
        problem = stored_form_problem(domain.hostname)
        if problem is not None:
            # An older version stored it; connecting it would serve a name we now refuse.
            raise CustomDomainConflictError(
                f"The custom domain {domain.hostname!r} cannot be tested: {problem}; "
                "delete it and create it again"
            )
        # No transaction is open while DNS answers: a slow server must not hold a write lock.
        check = check_cname(
            domain.hostname, self.cname_target, nameservers=self._nameservers, timeout=self._timeout
        )
        with self._db.transaction() as session:
            current = session.get(CustomDomain, domain.id)
            if current is None:
                raise CustomDomainNotFoundError(
                    f"The custom domain {domain.hostname!r} was deleted while it was being tested"
                )
            record_check(current, check, utcnow())
        self._bus.publish(Invalidation.custom_domains())
        return self._view(current)

    def check_tls(self, domain: str) -> None:
        """Return if the TLS proxy may get a certificate for ``domain``, else raise NotFound.

        Memory only: the proxy asks on every new name a client sends in SNI, which anyone can
        choose, so answering must not cost a query.
        """
        name = normalise_host_header(domain.strip())
        if name and (name in self._tls_hosts or self.connected.by_hostname(name) is not None):
            return
        raise CustomDomainNotFoundError(f"No connected custom domain is named {domain[:253]!r}")

    def _view(self, domain: CustomDomain) -> DomainView:
        records = DnsRecords(
            cname_record=domain.hostname,
            cname_value=self.cname_target,
            dcv_cname_record=f"{ACME_CHALLENGE}.{domain.hostname}",
            dcv_cname_value=f"{domain.hostname}.{self.dcv_target}",
        )
        return DomainView(domain, records)


def record_check(domain: CustomDomain, check: CnameCheck, now: datetime) -> None:
    """Apply one test's outcome to ``domain`` (the transitions in the module docstring)."""
    if check.connected:
        domain.status = CustomDomainStatus.CONNECTED
        domain.certificate_status = CustomDomainCertificateStatus.ACTIVE
        domain.last_verified_at = now
        domain.last_error = None
    else:
        was_issued = domain.certificate_status in (
            CustomDomainCertificateStatus.ACTIVE,
            CustomDomainCertificateStatus.FAILING,
        )
        domain.status = CustomDomainStatus.FAILED
        domain.certificate_status = (
            CustomDomainCertificateStatus.FAILING
            if was_issued
            else CustomDomainCertificateStatus.PENDING
        )
        domain.last_error = (check.problem or "the CNAME check failed")[:_MAX_ERROR]
    domain.updated_at = now


def _require(session: Session, environment_id: uuid.UUID) -> CustomDomain:
    domain = repo.get_for_environment(session, environment_id)
    if domain is None:
        raise CustomDomainNotFoundError(
            "This environment has no custom domain; create one with POST /api/v1/custom_domain/"
        )
    return domain


def _check_free(session: Session, environment_id: uuid.UUID, hostname: str) -> None:
    own = repo.get_for_environment(session, environment_id)
    if own is not None:
        raise CustomDomainConflictError(
            f"This environment already has the custom domain {own.hostname!r}; "
            "an environment has one, so delete it first"
        )
    taken = repo.get_by_hostname(session, hostname)
    if taken is None:
        return
    domain, environment_is_live = taken
    if environment_is_live:
        raise CustomDomainConflictError(
            f"The hostname {hostname!r} is already the custom domain of another environment"
        )
    # A soft-deleted environment keeps its rows, but not its claim on a hostname.
    session.delete(domain)
    session.flush()


def _dns_name(value: str | None) -> str:
    return value.strip().lower().rstrip(".") if value else ""


def _host_of(url: str) -> str:
    return urlsplit(url).hostname or ""
