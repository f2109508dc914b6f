"""Debian's nginx, started by a test with the repository's deploy/nginx/shop.conf, rendered
as the README tells a deployer to (its four `${SHOP_…}` placeholders filled in, nginx's own
`$variables` left alone), inside a minimal nginx.conf of the test's own: its own prefix
folder, pid file, logs and temporary files, in the foreground (`daemon off`), on a free
loopback port. The system's nginx service is neither used nor touched.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from shop import PROJECT_ROOT
from tests.peers import free_port, missing_peer

NGINX = Path("/usr/sbin/nginx")
SHIPPED_CONFIG = PROJECT_ROOT / "deploy" / "nginx" / "shop.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")  # Debian's, as its own nginx.conf includes it
START_TIMEOUT = 15.0
_PLACEHOLDER = re.compile(r"\$\{(SHOP_[A-Z_]+)\}")


def render(template: str, values: Mapping[str, str]) -> str:
    """What `envsubst '${SHOP_LISTEN} …'` makes of the template: the named placeholders
    filled in, and a placeholder without a value refused rather than left empty."""
    missing = set(_PLACEHOLDER.findall(template)) - set(values)
    if missing:
        raise KeyError(f"no value for {sorted(missing)} in {SHIPPED_CONFIG}")
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def _main_config(folder: Path) -> str:
    # As root, nginx's workers would run as its compiled-in user; name one that exists on
    # Debian and can read the repository's static/ folder and this (world-readable) folder.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    return f"""
daemon off;
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{
    worker_connections 256;
}}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    sendfile on;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/shop.conf;
}}
"""


@contextmanager
def running_nginx(app_server_urls: list[str]) -> Iterator[str]:
    """nginx's address, in front of the app servers at `app_server_urls` (http://…:port)."""
    if not NGINX.exists():
        missing_peer(f"no {NGINX}: apt-get install -y nginx (its service need not run)")
    port = free_port()
    app_servers = " ".join(f"server {url.removeprefix('http://')};" for url in app_server_urls)
    with tempfile.TemporaryDirectory(prefix="shop-nginx-") as name:
        folder = Path(name)
        folder.chmod(0o755)  # the workers run as nobody; they write request bodies here
        (folder / "shop.conf").write_text(
            render(
                SHIPPED_CONFIG.read_text(),
                {
                    "SHOP_LISTEN": f"127.0.0.1:{port}",
                    "SHOP_SERVER_NAME": "localhost",
                    "SHOP_APP_SERVERS": app_servers,
                    "SHOP_STATIC_ROOT": str(PROJECT_ROOT / "static"),
                },
            )
        )
        (folder / "nginx.conf").write_text(_main_config(folder))
        command = [str(NGINX), "-p", f"{folder}/", "-c", str(folder / "nginx.conf")]
        command += ["-e", str(folder / "error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx refuses the rendered config:\n{checked.stderr}")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            _wait_until_listening(process, port, folder / "error.log")
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(process)


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, error_log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = error_log.read_text() if error_log.exists() else ""
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{log[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within {START_TIMEOUT} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # at once: slow clients need not be waited for
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
