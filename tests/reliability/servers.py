"""Throwaway services for the fault and load tests: PostgreSQL, Redis and the portal under gunicorn.

Every service here is started on its own port and stopped at the end, so a
test may kill it at will: the shared PostgreSQL and Redis are never touched.
Traffic stays on 127.0.0.1.
"""

import atexit
import contextlib
import glob
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from tests.services import wait_for

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / ".pytest_cache" / "reliability"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- PostgreSQL ---


def postgres_bindir() -> Path | None:
    candidates = [os.environ.get("PG_BINDIR", ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


class PostgresInstance:
    """A PostgreSQL cluster in a temporary folder, on its own port, that a test may crash and restart."""

    def __init__(self, port: int | None = None):
        self.bindir = postgres_bindir()
        if self.bindir is None:
            raise RuntimeError("PostgreSQL's initdb is not installed")
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="asem-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_postgres = os.geteuid() == 0  # initdb and pg_ctl refuse to run as root
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [str(self.bindir / command[0]), *command[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> "PostgresInstance":
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def start(self) -> "PostgresInstance":
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
                   " -c recovery_init_sync_method=syncfs")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """fast: disconnect clients and shut down cleanly; immediate: abort like a crash (recovery at start)."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                           "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql)
        return result.stdout

    def destroy(self) -> None:
        self.stop("immediate")
        if self.log.exists():
            LOGS.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.log, LOGS / f"postgres-{self.port}.log")
        shutil.rmtree(self.root, ignore_errors=True)


# --- Redis ---


class RedisInstance:
    """A redis-server of its own; with persist=True it keeps its data across a kill, as a real restart would."""

    def __init__(self, port: int | None = None, persist: bool = False):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed")
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="asem-redis-"))
        self.persist = persist
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisInstance":
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *aof,
             "--dir", str(self.root), "--daemonize", "no"],
            stdout=(self.root / "redis.log").open("a"), stderr=subprocess.STDOUT,
        )
        wait_for(lambda: port_answers(self.port), 15, what=f"Redis on port {self.port}")
        return self

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


# --- The portal ---


def portal_environment(database_url: str, redis_url: str | None, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, secure cookies, HTTPS) behind a TLS proxy that the client plays."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SECURE_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "asem_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER": "true",
        "DATABASE_URL": database_url,
        # One client address makes every request here: the throttle would measure itself.
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        **extra,
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


_static_roots: dict[str, str] = {}


def collect_static(env: dict[str, str]) -> None:
    """Production serves the collected files, named by their content (the Dockerfile collects them as it builds):
    collect them once per run into a folder of this run's own, unless the environment names one."""
    if "STATIC_ROOT" not in env:
        if "" not in _static_roots:
            _static_roots[""] = tempfile.mkdtemp(prefix="asem-static-")
            atexit.register(shutil.rmtree, _static_roots[""], ignore_errors=True)
            manage({**env, "STATIC_ROOT": _static_roots[""]}, "collectstatic", "--no-input")
        env["STATIC_ROOT"] = _static_roots[""]
    elif env["STATIC_ROOT"] not in _static_roots.values():
        manage(env, "collectstatic", "--no-input")
        _static_roots[env["STATIC_ROOT"]] = env["STATIC_ROOT"]


class PortalServer:
    """The portal as production serves it: gunicorn, threaded workers, DEBUG off."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, threads: int = 4, name: str = "portal"):
        self.env = env
        self.port = free_port()
        self.workers, self.threads = workers, threads
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = LOGS / f"{name}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "PortalServer":
        collect_static(self.env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "asem_portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--threads", str(self.threads), "--worker-class", "gthread",
             "--timeout", "60", "--graceful-timeout", "10", "--backlog", "256", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )
        def ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                return HttpClient(self.port, timeout=2).get("/healthz").status == 200
            except OSError:
                return False
        wait_for(ready, 60, 0.2, what="gunicorn answering /healthz")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        import json

        return json.loads(self.body)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpClient:
    """One browser-like client on one keep-alive connection: cookies, CSRF, and the proxy's X-Forwarded-Proto."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        all_headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https",
                       "Referer": self.origin + path, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            all_headers["Authorization"] = f"Token {self.token}"
        started = time.monotonic()
        if self.conn is not None and started - self.last_used > 1.0:
            self.close()  # gunicorn drops keep-alive connections idle for 2 s: don't race it with a write
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
            except (BrokenPipeError, ConnectionResetError):
                # The server closed this idle keep-alive connection before the request went out: it never
                # saw it, so sending it again on a new connection is safe whatever the method.
                self.close()
                if attempt == 2:
                    raise
                continue
            try:
                raw = self.conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # Closed while we waited for the answer: only a read may be asked again.
                self.close()
                if attempt == 2 or method not in {"GET", "HEAD"}:
                    raise
            except Exception:
                self.close()
                raise
        self.last_used = time.monotonic()
        headers_out = {k.lower(): v for k, v in raw.getheaders()}
        for value in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if raw.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(raw.status, headers_out, data, time.monotonic() - started)

    def get(self, path: str, **headers) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, data: dict | list) -> Response:
        return self.request("POST", path, urlencode(data, doseq=True).encode(), {
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})

    def send_json(self, method: str, path: str, payload, **headers) -> Response:
        import json

        return self.request(method, path, json.dumps(payload).encode(), {
            "Content-Type": "application/json", "Accept": "application/json", **headers})

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        match = CSRF_INPUT.search(page.text)
        if not match:
            raise AssertionError(f"no CSRF token on {path} ({page.status}):\n{page.text[:500]}")
        return match.group(1)

    def login_admin(self, username: str, password: str) -> None:
        token = self.csrf_token("/admin/login/")
        response = self.post_form("/admin/login/?next=/admin/",
                                  {"username": username, "password": password, "csrfmiddlewaretoken": token})
        if response.status != 302:
            raise AssertionError(f"admin login failed ({response.status}):\n{response.text[:800]}")


class WorkerProcess:
    """A `celery worker` against the given environment; prefork by default, so a child can die under its parent."""

    def __init__(self, env: dict[str, str], *, pool: str = "prefork", name: str = "worker", queue: str = "celery"):
        self.env = {**env, "CELERY_TASK_DEFAULT_QUEUE": queue}
        self.pool, self.queue = pool, queue
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = LOGS / f"{name}-{secrets.token_hex(3)}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.log.write_text("")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "asem_portal", "worker", f"--pool={self.pool}", "--concurrency=1",
             "--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", self.queue, "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
        )
        wait_for(lambda: "ready." in self.log.read_text() or self.process.poll() is not None, 60,
                 what="the Celery worker starting")
        if self.process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited:\n{self.log.read_text()[-3000:]}")
        return self

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL the worker and its pool: a machine that died, with no chance to hand anything back."""
        if self.process and self.process.poll() is None:
            for child in self.children():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def query(database_url: str, sql: str, params=()) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(database_url)
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()
