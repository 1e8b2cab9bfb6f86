"""The README's first steps as a user runs them: ``serve`` on a port of its own, then an upload.

``imgwired images upload`` is given no ``--base-url``: it finds the server through the record
``serve`` leaves in its data directory, from the same working directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.cli.images.conftest import running_this_imgwired
from tests.cli.test_serve import free_port, wait_until_serving
from tests.images.helpers import jpeg

# `.venv/bin/imgwired images upload photo.jpg --api-key <server key> --wait`
README_UPLOAD = [sys.executable, "-m", "imgwired", "images", "upload", "photo.jpg", "--api-key"]


def test_serve_on_another_port_then_the_readme_upload_step_as_written(
    database_url: str, tmp_path: Path
) -> None:
    # A shell without imgwired settings, as on a fresh machine, running this imgwired.
    shell = running_this_imgwired(
        {k: v for k, v in os.environ.items() if not k.startswith("IMGWIRED_")}
    )
    port = free_port()
    serve_environment = {
        **shell,
        "IMGWIRED_PORT": str(port),
        "IMGWIRED_DATA_DIR": "./data",
        "IMGWIRED_DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "imgwired", "serve"],
        cwd=tmp_path,
        env=serve_environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = wait_until_serving(server, f"http://127.0.0.1:{port}")
        server_key = re.search(r"sk_[A-Za-z0-9]{43}", output)
        assert server_key, output
        assert (tmp_path / "data" / "server.json").is_file()
        (tmp_path / "photo.jpg").write_bytes(jpeg(64, 48))

        upload = subprocess.run(
            [*README_UPLOAD, server_key.group(0), "--wait"],
            cwd=tmp_path,
            env=shell,
            capture_output=True,
            text=True,
            timeout=120,
        )

        assert upload.returncode == 0, upload.stderr
        fields = {}
        for line in upload.stdout.splitlines():
            label, _, value = line.strip().partition(" ")
            fields[label] = value.strip()
        assert fields["status"] == "READY"
        cdn_url = fields["cdn_url"]
        assert cdn_url.startswith(f"http://localhost:{port}/cdn/")
        thumbnail = httpx.get(f"{cdn_url}@thumbnail?format=webp", timeout=30)
        assert thumbnail.status_code == 200
        assert thumbnail.headers["Content-Type"] == "image/webp"
    finally:
        server.terminate()
        server.wait(timeout=30)
        assert server.stdout is not None
        server.stdout.close()
    # A server that stopped cleanly takes its record with it.
    assert not (tmp_path / "data" / "server.json").exists()
