"""Leadership of the pollers (bot/ops/leader.py) on the real PostgreSQL the run starts: one
leader at a time; a standby takes over when the leader's process is killed; a leader whose
connection is cut stops leading at once. With SQLite the one process always leads."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from bot.ops.leader import KEEPALIVES, SERVER_SIDE, Leader
from tests.support.waiting import eventually

WAIT = 20.0  # generous: the handover is expected within a few seconds


@pytest.fixture
def leaders(pg_url: str):
    made: list[Leader] = []

    def make(**options) -> Leader:
        leader = Leader(pg_url, **options)
        made.append(leader)
        return leader

    yield make
    for leader in made:
        leader.stop()


def test_with_sqlite_the_one_process_always_leads(tmp_path) -> None:
    changes: list[bool] = []
    leader = Leader(str(tmp_path / "hark.db")).start(changes.append)
    assert leader.leading and leader.check() and changes == [True]
    assert leader.status()["lock"] == "sqlite (one process)"
    leader.stop()
    assert leader.leading


def test_two_leaders_on_one_database_exactly_one_leads(leaders) -> None:
    first, second = leaders(), leaders()
    assert first.check() is True
    assert second.check() is False
    # Checked again and again, nothing changes hands while the leader lives.
    for _ in range(3):
        assert first.check() and not second.check()
    assert [first.leading, second.leading] == [True, False]
    first.stop()  # letting go releases the lock at once
    assert second.check() is True and not first.leading


def test_the_lock_is_per_database(leaders, pg_server) -> None:
    other = pg_server.new_database(label="other_deployment")
    try:
        elsewhere = Leader(other.url)
        assert leaders().check() and elsewhere.check()
        elsewhere.stop()
    finally:
        pg_server.drop_database(other.name)


def test_the_leaders_connection_is_its_own_with_keepalives(leaders, pg_url) -> None:
    leader = leaders(name="hark-test")
    assert leader.check()
    conn = leader._conn
    assert conn.autocommit
    options = conn.info.get_parameters()
    assert {k: options[k] for k in KEEPALIVES} == {k: str(v) for k, v in KEEPALIVES.items()}
    server_side = {k: conn.execute(f"SHOW {k}").fetchone()[0] for k in SERVER_SIDE}
    assert server_side == SERVER_SIDE
    with psycopg.connect(pg_url, autocommit=True) as watcher:
        holders = watcher.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted"
        ).fetchall()
    assert holders == [("hark-test-leader",)]


def test_a_killed_leaders_standby_takes_over(pg_url, leaders) -> None:
    script = (
        "import time\n"
        "from bot.ops.leader import Leader\n"
        f"leader = Leader({pg_url!r})\n"
        "assert leader.check()\n"
        "print('leading', flush=True)\n"
        "time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "leading"
        standby = leaders(every=0.2)
        changes: list[bool] = []
        standby.start(changes.append)
        assert not standby.leading
        holder.kill()  # SIGKILL: no goodbye, the backend ends with the socket
        holder.wait(timeout=10)
        assert eventually(lambda: standby.leading, timeout=WAIT), "the standby never took over"
        assert changes == [True]
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_leader_that_loses_its_connection_stops_leading_at_once(leaders, pg_url) -> None:
    leader, standby = leaders(), leaders()
    changes: list[bool] = []
    leader.start(changes.append)
    assert leader.leading and changes == [True]
    pid = leader._conn.info.backend_pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    # The lock goes with the backend, once it has ended.
    assert eventually(standby.check, timeout=WAIT), "the lock outlived its backend"
    # The leader notices at its next check (the thread's, or the tick's: this one).
    assert leader.check() is False
    assert changes == [True, False] and not leader.leading
    assert leader.status()["last_error"]
    # It retries and stands by while the other leads; it leads again once that one lets go.
    assert leader.check() is False
    standby.stop()
    assert leader.check() is True and changes == [True, False, True]


def test_a_database_out_of_reach_is_a_standby_with_the_reason(free_url) -> None:
    leader = Leader(free_url)
    assert leader.check() is False
    status = leader.status()
    assert status["leading"] is False and status["last_error"]
    assert "secret" not in str(status)
    leader.stop()


@pytest.fixture
def free_url() -> str:
    from tests.support.ports import free_port

    return f"postgresql://hark:secret@127.0.0.1:{free_port()}/nothing"


def test_status_never_waits_for_a_round_trip_in_progress() -> None:
    """/healthz reads the leader's state while its connection hangs (a database that accepts
    and says nothing): it must answer, not wait out the timeouts."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        leader = Leader(f"postgresql://hark@127.0.0.1:{silent.getsockname()[1]}/hark")
        checking = threading.Thread(target=leader.check, daemon=True)
        checking.start()
        conn, _ = silent.accept()  # the leader is connecting; nothing answers
        with conn:
            answered: list[dict] = []
            reader = threading.Thread(target=lambda: answered.append(leader.status()))
            reader.start()
            reader.join(timeout=WAIT)
            assert answered and answered[0]["leading"] is False
            assert checking.is_alive()  # the round trip was still hanging meanwhile
        checking.join(timeout=WAIT)  # closed: the check fails and returns
        assert not checking.is_alive() and leader.status()["last_error"]


def test_with_sqlite_psycopg_is_never_imported(tmp_path) -> None:
    script = (
        "import sys\n"
        "from bot.ops.leader import Leader\n"
        f"leader = Leader({str(tmp_path / 'h.db')!r}).start()\n"
        "assert leader.check() and leader.leading\n"
        "leader.stop()\n"
        "print(sorted(m for m in sys.modules if m.startswith('psycopg')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_frozen_leader_is_replaced_and_never_leads_again_after_it_thaws(pg_url, leaders):
    """SIGSTOP: the process lives and its socket stays open, so only the server's idle
    timeout ends its session (1 s here, 30 s by default); once thawed, the old leader's lead
    is stale before any round trip: from the handover on, it never says it leads."""
    script = (
        "import time\n"
        "from bot.ops.leader import Leader\n"
        f"leader = Leader({pg_url!r}, every=0.2, idle_timeout=1).start()\n"
        "assert leader.leading\n"
        "while True:\n"
        "    print(time.monotonic(), leader.leading, flush=True)\n"
        "    time.sleep(0.02)\n"
    )
    frozen = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert frozen.stdout.readline().split()[1] == "True"
        frozen.send_signal(signal.SIGSTOP)
        standby = leaders(every=0.1)
        assert eventually(standby.check, timeout=WAIT), "the standby never took over"
        handed_over = time.monotonic()
        frozen.send_signal(signal.SIGCONT)
        lines: list[tuple[float, str]] = []
        while len([t for t, _ in lines if t > handed_over]) < 20:
            at, says = frozen.stdout.readline().split()
            lines.append((float(at), says))
        assert [says for at, says in lines if at > handed_over] == ["False"] * 20
        assert standby.check() and standby.leading
    finally:
        frozen.kill()
        frozen.wait()
