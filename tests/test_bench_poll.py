"""bench/poll.py measures the process it times, not the benchmark that started it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.poll import ROOT, hark_poll, python_env

# Held by this process while the child starts: far above what `hark init` needs.
PARENT_MB = 400


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_childs_peak_memory_is_its_own_not_its_parents(tmp_path: Path) -> None:
    # Linux carries ru_maxrss across exec: a child started by a large process reported the
    # parent's peak (the benchmark holds the distinct feeds, ~450 MB: "544 MB" for Hark).
    held = bytearray(PARENT_MB * 1024 * 1024)
    held[::4096] = b"x" * len(held[::4096])  # every page touched, so resident
    assert _rss_mb() >= PARENT_MB
    env = {k: v for k, v in python_env().items() if not k.startswith(("SLACK_", "HARK_"))}
    env["PYTHONPATH"] = str(ROOT)

    measured = hark_poll(env, tmp_path, args=("init", str(tmp_path / "hark.yml")))

    del held
    assert (tmp_path / "hark.yml").exists()  # the command ran
    assert 0 < measured["own"] < PARENT_MB / 2
    assert measured["own_cpu"] > 0
    assert measured["workers"] == 0  # `hark init` starts no parse worker


def test_the_benchmark_runs_hark_from_bytecode_kept_out_of_the_tree() -> None:
    env = python_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert Path(env["PYTHONPYCACHEPREFIX"]).is_relative_to(ROOT / "bench" / "out")
