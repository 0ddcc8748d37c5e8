"""A real redis-server for the distributed tests (importable as `pn_redis`).

`redis_server` (a fixture) starts Debian's /usr/bin/redis-server on 127.0.0.1 and a free port
with persistence off (`--save "" --appendonly no`), yields its URL (`.url`) and a client
(`.client`), and stops it. Where the server is not installed the tests skip with one line
(`.ci/run` installs the Debian package `redis-server`)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

import pytest

REDIS_SERVER = "/usr/bin/redis-server"


@dataclass
class RedisServer:
    url: str
    port: int
    process: subprocess.Popen

    @property
    def client(self):
        import redis

        return redis.Redis.from_url(self.url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(tmp_path) -> RedisServer:
    path = REDIS_SERVER if os.path.exists(REDIS_SERVER) else shutil.which("redis-server")
    if not path:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
    pytest.importorskip("redis", reason="the redis Python client is not installed (pyproject dependency)")
    port = _free_port()
    process = subprocess.Popen(
        [path, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = RedisServer(f"redis://127.0.0.1:{port}/0", port, process)
    deadline = time.monotonic() + 10
    while True:
        try:
            if server.client.ping():
                return server
        except Exception:  # noqa: BLE001 - not listening yet
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"redis-server on port {port} did not start (exit {process.poll()})")
            time.sleep(0.05)


def stop_redis(server: RedisServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture
def redis_server(tmp_path_factory):
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        stop_redis(server)
