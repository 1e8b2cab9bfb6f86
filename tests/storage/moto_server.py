"""Run moto's S3 server on a free loopback port until standard input closes.

Prints the port on the first line of standard output once the server accepts connections.
Started by ``conftest.py`` in a child process so that the tests' memory measurements see only
the client: moto keeps whole uploads in memory.
"""

from __future__ import annotations

import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()  # returns once the socket is bound and listening
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()  # the parent closes our stdin to stop us
    server.stop()


if __name__ == "__main__":
    main()
