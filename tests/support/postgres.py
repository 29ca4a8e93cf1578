"""A real PostgreSQL server for the test run: found on this machine, started under a temp dir,
cloned into a fresh database per test, stopped at the end.

No pytest here (the fixtures are in tests/support/pg_fixtures.py), so benchmarks and scenario
scripts can start a server the same way.

- The binaries are looked for in `pg_config --bindir`, /usr/lib/postgresql/<version>/bin
  (newest first), /usr/local/pgsql/bin and the PATH; a directory counts when it holds initdb,
  pg_ctl and postgres. $HARK_PG_BINDIR, when set, is the only place looked at. None found:
  PostgresUnavailable, whose message names every place looked at.
- initdb refuses to run as root, so as root the server runs as the user `postgres`; as any
  other user, as that user.
- The cluster lives in a fresh temp dir (under /dev/shm when it has room: see _base_dir),
  listens on 127.0.0.1 on a free port (its unix socket in the same temp dir) and trusts local
  connections. It is tuned for tests, not for keeping data: fsync, synchronous_commit and
  full_page_writes off, autovacuum off, UTC.
- A cluster whose test run died (kill -9) outlives it; the next start stops and removes it
  (stop_orphans: each cluster dir records the pid of the run that made it).
- Tests connect as `hark`, a login role that is not a superuser (as on a managed host); each
  database they get is owned by it. The admin connection (superuser `postgres`) creates and
  drops databases.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.ports import free_port

BINDIR_ENV = "HARK_PG_BINDIR"
REQUIRE_ENV = "HARK_REQUIRE_POSTGRES"
SUPERUSER = "postgres"
APP_ROLE = "hark"
TEMPLATE = "hark_template"  # empty
MIGRATED_TEMPLATE = "hark_migrated"  # the store's schema (bot/store/schema_pg.py)
RUN_AS = "postgres"  # the OS user that runs initdb and the server when we are root
NEEDED = ("initdb", "pg_ctl", "postgres")
SHM = "/dev/shm"
PREFIX = "hark-pg-"
OWNER_FILE = "owner.pid"  # the pid of the test run that made the cluster
SHM_NEEDED = 1 << 30

# Settings for a throwaway cluster: nothing here must survive a crash.
TEST_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "autovacuum": "off",
    "max_connections": "200",
    "max_wal_size": "'256MB'",  # each clone writes its template's size of WAL: bound it
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
}


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL on this machine (or no psycopg to talk to it): the tier skips,
    unless HARK_REQUIRE_POSTGRES=1 makes it an error."""


class PostgresStartError(RuntimeError):
    """PostgreSQL was found but would not start: always an error, never a skip."""


def postgres_required() -> bool:
    """Whether a missing PostgreSQL is an error rather than a skip (HARK_REQUIRE_POSTGRES)."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def _holds_server(directory: str | os.PathLike[str]) -> bool:
    return all(os.access(os.path.join(directory, name), os.X_OK) for name in NEEDED)


def _version_key(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path))


def candidate_bindirs() -> list[tuple[str, str | None]]:
    """(what was looked at, the directory it points to or None), in the order tried."""
    override = os.environ.get(BINDIR_ENV)
    if override:  # set: the only place looked at (a directory without the binaries: no tier)
        return [(f"${BINDIR_ENV}", override)]
    found: list[tuple[str, str | None]] = [(f"${BINDIR_ENV}", None)]
    pg_config = shutil.which("pg_config")
    bindir = None
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            done = subprocess.run(
                [pg_config, "--bindir"], check=False, capture_output=True, text=True, timeout=10
            )
            bindir = done.stdout.strip() or None
    found.append(("`pg_config --bindir`", bindir))
    versioned = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    found.extend(("/usr/lib/postgresql/*/bin", path) for path in versioned)
    if not versioned:
        found.append(("/usr/lib/postgresql/*/bin", None))
    found.append(("/usr/local/pgsql/bin", "/usr/local/pgsql/bin"))
    on_path = shutil.which("pg_ctl")
    found.append(
        ("pg_ctl on the PATH", os.path.dirname(os.path.realpath(on_path)) if on_path else None)
    )
    return found


def find_bindir() -> Path:
    """The first directory holding initdb, pg_ctl and postgres; PostgresUnavailable, naming
    every place looked at, when there is none."""
    looked: list[str] = []
    for what, path in candidate_bindirs():
        if path and _holds_server(path):
            return Path(path)
        looked.append(f"{what} ({path})" if path and what != path else what)
    if os.environ.get(BINDIR_ENV):
        advice = f"point {BINDIR_ENV} at the directory holding initdb, or unset it"
    else:
        advice = f"install PostgreSQL (Debian: apt-get install postgresql) or set {BINDIR_ENV}"
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; looked at "
        + ", ".join(looked)
        + f". To run the PostgreSQL tests, {advice}."
    )


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise PostgresUnavailable(
            f"psycopg is not installed ({exc}); install the test extra: pip install -e '.[test]'"
        ) from exc
    return psycopg


def _os_user() -> pwd.struct_passwd | None:
    """Who runs initdb and the server: None for the current user, else the `postgres` user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_AS)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root, which initdb refuses, and there is no user '{RUN_AS}' to run "
            f"it as (create one: useradd --system {RUN_AS})"
        ) from None


def _reachable_by(path: str, user: pwd.struct_passwd) -> bool:
    """Whether `user` can enter every directory from / down to `path`."""
    current = Path(path).resolve()
    for directory in [current, *current.parents]:
        info = directory.stat()
        if info.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif info.st_gid == user.pw_gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


def stop_orphans(bindir: Path, os_user: pwd.struct_passwd | None) -> list[Path]:
    """Stop and remove the clusters of dead test runs (see _orphans); returns their dirs."""
    orphans = _orphans()
    for base in orphans:
        PostgresServer(bindir=bindir, base=base, port=0, os_user=os_user).stop()
    return orphans


def _base_dir(user: pwd.struct_passwd | None) -> Path:
    """A fresh directory for the cluster, owned by whoever runs it. Memory first: on a disk,
    every CREATE DATABASE opens and creates ~1,000 files, which took 250-500 ms a database on
    this project's machines against ~20 ms on /dev/shm. /dev/shm is taken only with 1 GiB free
    (a container's default one is 64 MiB)."""
    parents = [SHM, tempfile.gettempdir(), "/tmp", "/var/tmp"]
    for parent in parents:
        if not os.path.isdir(parent) or not os.access(parent, os.W_OK):
            continue
        if parent == SHM:
            info = os.statvfs(parent)
            if info.f_bavail * info.f_frsize < SHM_NEEDED:
                continue
        if user is not None and not _reachable_by(parent, user):
            continue
        base = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
        (base / OWNER_FILE).write_text(str(os.getpid()))
        if user is not None:
            os.chown(base, user.pw_uid, user.pw_gid)
        return base
    raise PostgresStartError(f"no temp dir the server can be put in (tried {parents})")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _orphans() -> list[Path]:
    """Clusters left by test runs that died without stopping them (kill -9, a lost terminal):
    their directory names a process that is gone. A server still running there goes on
    holding memory (and /dev/shm) until someone stops it."""
    found = []
    for parent in dict.fromkeys([SHM, tempfile.gettempdir(), "/tmp", "/var/tmp"]):
        for owner in glob.glob(os.path.join(parent, PREFIX + "*", OWNER_FILE)):
            with contextlib.suppress(OSError, ValueError):
                if not _alive(int(Path(owner).read_text().strip())):
                    found.append(Path(owner).parent)
    return found


def _clean_env() -> dict[str, str]:
    """The environment without libpq's PG* variables, so nothing outside steers the cluster."""
    return {key: value for key, value in os.environ.items() if not key.startswith("PG")}


@dataclass
class Database:
    """One database of the test server: its name and the URL the app connects with."""

    name: str
    url: str


@dataclass
class PostgresServer:
    """A running throwaway cluster. Make one with PostgresServer.start(); stop() removes it."""

    bindir: Path
    base: Path
    port: int
    os_user: pwd.struct_passwd | None
    version: str = ""
    started_in: float = 0.0  # seconds from nothing to accepting connections
    _admin: Any = None
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))
    _stopped: bool = False

    @property
    def datadir(self) -> Path:
        return self.base / "data"

    @property
    def logfile(self) -> Path:
        return self.base / "server.log"

    def url(self, dbname: str = "postgres", user: str = APP_ROLE) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    # -- starting and stopping ------------------------------------------------------------

    @classmethod
    def start(cls, bindir: Path | None = None) -> PostgresServer:
        """initdb, start and prepare a cluster; PostgresUnavailable when there is no
        PostgreSQL or no psycopg, PostgresStartError when it is there but will not start."""
        began = time.perf_counter()
        psycopg = _import_psycopg()
        bindir = bindir or find_bindir()
        os_user = _os_user()
        stop_orphans(bindir, os_user)
        base = _base_dir(os_user)
        server = cls(bindir=bindir, base=base, port=0, os_user=os_user)
        try:
            server._initdb()
            server._start_with_free_port()
            server._admin = psycopg.connect(
                server.url(user=SUPERUSER), autocommit=True, connect_timeout=10
            )
            server.version = server._admin.execute("SHOW server_version").fetchone()[0]
            server._admin.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB")
        except BaseException:
            server.stop()
            raise
        atexit.register(server.stop)
        server.started_in = time.perf_counter() - began
        return server

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        user = self.os_user
        done = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            check=False,
            capture_output=True,
            text=True,
            cwd=self.base,
            env=_clean_env(),
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
            timeout=60,
        )
        if check and done.returncode != 0:
            raise PostgresStartError(
                f"{args[0]} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout}"
                f"{self._log_tail()}"
            )
        return done

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            lines = self.logfile.read_text(errors="replace").splitlines()[-15:]
            if lines:
                return "\nserver log (last lines):\n" + "\n".join(lines)
        return ""

    def _initdb(self) -> None:
        common = ["initdb", "-D", str(self.datadir), "-U", SUPERUSER, "--auth=trust"]
        common += ["--encoding=UTF8", "--no-sync", "--no-instructions"]
        # C.UTF-8 (codepoint order, Unicode lower()/upper() and word characters) is closer to
        # a managed host's en_US.UTF-8 than plain C; plain C when the OS lacks it.
        done = self._run(*common, "--locale=C.UTF-8", check=False)
        if done.returncode != 0:
            shutil.rmtree(self.datadir, ignore_errors=True)
            self._run(*common, "--no-locale")
        settings = dict(TEST_SETTINGS, unix_socket_directories=f"'{self.base}'")
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# hark tests: a throwaway cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _start_with_free_port(self) -> None:
        for attempt in range(5):
            self.port = free_port()
            done = self._run(
                "pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.logfile),
                "-w", "-t", "30", "-o", f"-p {self.port}", check=False,
            )  # fmt: skip
            if done.returncode == 0:
                return
            log = self._log_tail()
            if "could not bind" not in log or attempt == 4:
                raise PostgresStartError(
                    f"pg_ctl start failed (exit {done.returncode}): {done.stderr.strip()}{log}"
                )

    def stop(self) -> None:
        """Close the admin connection, stop the server (fast, then immediate) and remove
        its directory. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
        if (self.datadir / "postmaster.pid").exists():
            for mode in ("fast", "immediate"):
                with contextlib.suppress(subprocess.SubprocessError):
                    stop = ["pg_ctl", "stop", "-D", str(self.datadir), "-m", mode, "-w"]
                    if self._run(*stop, "-t", "20", check=False).returncode == 0:
                        break
        shutil.rmtree(self.base, ignore_errors=True)

    # -- databases --------------------------------------------------------------------------

    def admin(self) -> Any:
        """The superuser's autocommit connection (to the `postgres` database)."""
        return self._admin

    def create_template(
        self, name: str = TEMPLATE, setup: Callable[[str], None] | None = None
    ) -> str:
        """Create a template database owned by `hark`, let `setup(url)` fill it (the schema,
        when the store speaks PostgreSQL), then close it to connections so it can be cloned."""
        ident = _ident(name)
        self._admin.execute(f"CREATE DATABASE {ident} OWNER {APP_ROLE}")
        if setup is not None:
            setup(self.url(name))
        self._admin.execute(f"ALTER DATABASE {ident} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
        # A setup that left a connection open would make every clone fail: end it.
        self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        return name

    def new_database(self, template: str = TEMPLATE, label: str = "") -> Database:
        """A fresh database cloned from `template`, owned by `hark`."""
        slug = re.sub(r"[^a-z0-9_]+", "_", label.lower()).strip("_")
        name = f"t{next(self._names)}_{slug}"[:63].rstrip("_")
        self._admin.execute(
            f"CREATE DATABASE {_ident(name)} TEMPLATE {_ident(template)} OWNER {APP_ROLE}"
        )
        return Database(name=name, url=self.url(name))

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any connection still open to it."""
        self._admin.execute(f"DROP DATABASE IF EXISTS {_ident(name)} WITH (FORCE)")


def migrate(url: str) -> list[str]:
    """Apply the store's PostgreSQL migrations to the database at `url` (a template's
    setup); returns the names applied."""
    psycopg = _import_psycopg()
    from bot.store.schema_pg import apply_pg_migrations

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        return apply_pg_migrations(conn)


def _ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'
