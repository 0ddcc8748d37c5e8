"""Replay in pywb: its own virtual environment, a read-only collection over a WARC folder and
its CDXJ index, and the replay URL of a capture.

pywb 2.10 pins redis==2.10.6 and fakeredis<1.0, which cannot share an environment with a
modern redis client (scrapy-redis needs redis>=4), so pywb never goes into parknews's own
environment: `parknews replay --setup` makes a venv for it (`pywb_env()`, by default under
~/.local/share/parknews/) from the same package index pip uses, and `parknews replay` runs
pywb's server from there in a subprocess. The venv is built under a temporary name and
renamed when pywb imports, so a half-made one is never used.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

PYWB_REQUIREMENT = "pywb==2.10.0"
COLLECTION = "parknews"
DEFAULT_PORT = 8002
HOST = "127.0.0.1"


class ReplayError(Exception):
    """pywb cannot be set up or started (one line for the user)."""


def pywb_env() -> Path:
    """The venv pywb runs from: $PARKNEWS_PYWB_ENV, else ~/.local/share/parknews/pywb-2.10.0."""
    if os.environ.get("PARKNEWS_PYWB_ENV"):
        return Path(os.environ["PARKNEWS_PYWB_ENV"])
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "parknews" / PYWB_REQUIREMENT.replace("==", "-")


def pywb_python() -> Path | None:
    """The venv's python when the venv is set up, else None."""
    python = pywb_env() / "bin" / "python"
    return python if python.exists() else None


def setup_pywb(*, quiet: bool = True) -> Path:
    """Make the pywb venv (once; a second call returns at once). Needs the package index."""
    env = pywb_env()
    if pywb_python():
        return env
    env.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{env.name}.", dir=env.parent))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(tmp)], check=True, capture_output=True, timeout=300)
        pip = [str(tmp / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
        proc = subprocess.run(pip + (["-q"] if quiet else []) + [PYWB_REQUIREMENT],
                              capture_output=quiet, text=True, timeout=1800)
        if proc.returncode:
            tail = (proc.stderr or "").strip().splitlines()[-1:] or ["see pip's output"]
            raise ReplayError(f"pip install {PYWB_REQUIREMENT} into {env} failed: {tail[0]}")
        check = subprocess.run([str(tmp / "bin" / "python"), "-c", "import pywb.apps.cli"],
                               capture_output=True, text=True, timeout=300)
        if check.returncode:
            raise ReplayError(f"{env}: pywb installed but does not import: "
                              f"{(check.stderr.strip().splitlines() or ['?'])[-1]}")
        os.replace(tmp, env)
    except subprocess.SubprocessError as exc:
        raise ReplayError(f"making the pywb environment {env} failed: {exc}") from None
    except OSError as exc:
        raise ReplayError(f"{env}: cannot make the pywb environment ({exc.strerror or exc})") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return env


def write_config(folder: Path, warc_dir: Path, index: Path) -> Path:
    """pywb's config.yaml for one collection over the WARC folder and its index (no recording)."""
    import json

    # JSON strings are YAML strings: paths with any character stay one value
    text = (f"collections:\n  {COLLECTION}:\n"
            f"    index_paths: {json.dumps(str(index.resolve()))}\n"
            f"    archive_paths: {json.dumps(str(warc_dir.resolve()) + '/')}\n"
            "framed_replay: false\n"
            "enable_memento: true\n")
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class PywbServer:
    process: subprocess.Popen
    port: int
    workdir: tempfile.TemporaryDirectory

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.workdir.cleanup()


def start_pywb(warc_dir: Path, index: Path, *, port: int, stdout=None, stderr=None) -> PywbServer:
    """pywb's server on 127.0.0.1:port over the collection, as a subprocess (stop() it)."""
    python = pywb_python()
    if python is None:
        raise ReplayError(f"pywb is not set up ({pywb_env()} does not exist): run `parknews replay --setup` once "
                          f"(it installs {PYWB_REQUIREMENT} into its own environment; needs the package index)")
    workdir = tempfile.TemporaryDirectory(prefix="parknews-pywb-")
    write_config(Path(workdir.name), warc_dir, index)
    code = "import sys; from pywb.apps.cli import wayback; sys.exit(wayback())"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYWB_CONFIG_FILE")}
    proc = subprocess.Popen([str(python), "-c", code, "--bind", HOST, "--port", str(port), "-d", workdir.name],
                            cwd=workdir.name, env=env, stdout=stdout, stderr=stderr)
    return PywbServer(proc, port, workdir)


def wait_ready(server: PywbServer, timeout: float = 60.0) -> None:
    """Until pywb answers on its port (or exits: ReplayError)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ReplayError(f"pywb exited with code {server.process.returncode} before it served")
        try:
            with socket.create_connection((HOST, server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise ReplayError(f"pywb did not answer on {HOST}:{server.port} within {timeout:.0f} s")


# ---- links ----

def replay_base() -> str:
    """Where `parknews replay` serves: $PARKNEWS_REPLAY_URL, else http://127.0.0.1:8002/."""
    base = os.environ.get("PARKNEWS_REPLAY_URL") or f"http://{HOST}:{DEFAULT_PORT}/"
    return base if base.endswith("/") else base + "/"


def timestamp14(fetched_at: str) -> str:
    """The 14-digit replay timestamp of an ISO 8601 time (2024-05-13T08:01:02... -> 20240513080102)."""
    digits = "".join(c for c in fetched_at[:19] if c.isdigit())
    return digits[:14].ljust(14, "0")


def replay_url(url: str, fetched_at: str, *, base: str | None = None, original: bool = False) -> str:
    """/COLL/TIMESTAMP/URL of a capture; `original` adds pywb's id_ (the bytes as captured)."""
    return f"{base or replay_base()}{COLLECTION}/{timestamp14(fetched_at)}{'id_' if original else ''}/" \
           f"{quote(url, safe=':/?&=%#;,+@!$~*()[]')}"


def capture_replay_url(cap: dict, *, base: str | None = None) -> str | None:
    """The replay URL of a captures row, or None for a capture pywb does not replay as a page
    (a request, a failed fetch)."""
    if cap.get("record_type") not in ("response", "revisit") or not cap.get("fetched_at"):
        return None
    return replay_url(cap["url"], cap["fetched_at"], base=base)


def archived_copy_label(cap: dict) -> str:
    return f"archived copy, captured {cap['fetched_at']}"


def archived_copy_line(cap: dict) -> str | None:
    """'archived copy, captured TIME: REPLAY-URL' next to a capture's live URL, or None."""
    url = capture_replay_url(cap)
    return f"{archived_copy_label(cap)}: {url}" if url else None
