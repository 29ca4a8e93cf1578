"""copy_database: a consistent copy of the store, taken while another connection writes."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.models import SourceSpec
from bot.store import Store
from bot.store.backup import copy_database


def test_the_copy_holds_what_was_committed(tmp_path: Path) -> None:
    path, target = str(tmp_path / "hark.db"), str(tmp_path / "copy.db")
    store = Store(path)
    try:
        first = store.add_source(SourceSpec("feed", "https://e.example/a.xml", 600, ""))
        copy_database(path, target)
        store.add_source(SourceSpec("feed", "https://e.example/b.xml", 600, ""))
    finally:
        store.close()
    copy = Store(target)
    try:
        assert [s.id for s in copy.sources()] == [first]  # the later one is not in the copy
    finally:
        copy.close()


def test_a_copy_taken_during_writes_opens_whole(tmp_path: Path) -> None:
    path = str(tmp_path / "hark.db")
    store = Store(path)
    stop = threading.Event()

    def write() -> None:
        i = 0
        while not stop.is_set():
            store.add_source(SourceSpec("feed", f"https://e.example/{i}.xml", 600, ""))
            i += 1
        store.release_thread()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for n in range(3):
            target = str(tmp_path / f"copy{n}.db")
            copy_database(path, target)
            copy = Store(target)
            try:
                ids = [s.id for s in copy.sources()]
                assert ids == list(range(1, len(ids) + 1))  # no gaps: a committed prefix
            finally:
                copy.close()
    finally:
        stop.set()
        writer.join()
        store.close()
