"""A cluster on one machine, as deployed (docs/deployment.md): ``imgwired serve`` processes on
their own ports and ``imgwired worker`` processes, sharing a fresh PostgreSQL database, an S3
bucket on moto's server and, when asked, a Redis server; the test is their load balancer.

Every process is a real ``imgwired`` command (``tests/processes.py``), so each can be killed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx
import pytest

from tests.conftest import private_postgres_database
from tests.processes import ImgwiredProcess, free_port, running, serving, wait_for

# Behind a load balancer every server has one public URL; the test routes it to a server.
PUBLIC_URL = "http://images.cluster.test"
ADMIN_TOKEN = "adm_cluster-test-token"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture
def cluster_database() -> Iterator[str]:
    """A new, empty PostgreSQL database: the first server to start migrates it."""
    with private_postgres_database("imgwired_cluster") as url:
        yield url


@pytest.fixture
def cluster_bucket(s3_endpoint: str) -> str:
    name = f"cluster-{uuid.uuid4().hex}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name)
    client.close()
    return name


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis server of the session's own on loopback (nothing persisted)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: the cluster tests need it")
    port = free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _pong(port), "redis-server to answer", timeout=15)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _pong(port: int) -> bool:
    """Whether Redis answers PING on ``port`` (its protocol's inline form)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Cluster:
    """The processes of one cluster and how to start (again) each of them."""

    env: dict[str, str]
    root: Path
    stack: ExitStack
    servers: dict[str, ImgwiredProcess] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    worker: ImgwiredProcess | None = None

    def serve(self, name: str) -> ImgwiredProcess:
        """Start server ``name`` (again on the same port and data directory)."""
        port = self.ports.setdefault(name, free_port())
        env = {
            **self.env,
            "IMGWIRED_PORT": str(port),
            "IMGWIRED_DATA_DIR": str(self.root / name),
            "IMGWIRED_RUN_JOBS_IN_PROCESS": "false",
        }
        self.servers[name] = self.stack.enter_context(serving(env))
        return self.servers[name]

    def start_worker(self) -> ImgwiredProcess:
        env = {**self.env, "IMGWIRED_DATA_DIR": str(self.root / "worker")}
        self.worker = self.stack.enter_context(running(["worker", "--threads", "2"], env))
        worker = self.worker
        wait_for(lambda: "imgwired worker" in worker.text(), "the worker to start")
        return worker

    def base(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def route(self, url: str, name: str) -> str:
        """``url`` (under the public URL) sent to server ``name``, as a load balancer would."""
        return self.base(name) + url.removeprefix(PUBLIC_URL)

    def admin(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base(next(iter(self.servers))),
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )


@pytest.fixture
def cluster_env(cluster_database: str, cluster_bucket: str, s3_endpoint: str) -> dict[str, str]:
    """The settings every process of the cluster shares."""
    return {
        **os.environ,
        **S3_CREDENTIALS,
        "IMGWIRED_DATABASE_URL": cluster_database,
        "IMGWIRED_BLOB_STORE_URL": (
            f"s3://{cluster_bucket}/blobs?endpoint_url={s3_endpoint}&region=us-east-1"
        ),
        "IMGWIRED_PUBLIC_URL": PUBLIC_URL,
        "IMGWIRED_ADMIN_TOKEN": ADMIN_TOKEN,
        "IMGWIRED_JOB_POLL_SECONDS": "0.1",
        # Short leases: the work of a killed process is taken over within the test's budget.
        "IMGWIRED_JOB_LEASE_SECONDS": "2",
        "IMGWIRED_UPLOAD_LEASE_SECONDS": "2",
    }


@pytest.fixture
def cluster(cluster_env: dict[str, str], tmp_path: Path) -> Iterator[Cluster]:
    with ExitStack() as stack:
        yield Cluster(cluster_env, tmp_path, stack)
