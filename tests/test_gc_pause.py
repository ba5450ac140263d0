"""`collector_paused`: no automatic collection inside, the collector's state restored after."""

from __future__ import annotations

import gc
import os
import threading
import warnings
from collections.abc import Iterator

import pytest

from bookstracker._gc import collector_paused


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_the_program_turned_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_an_exception_restores_the_collector_and_goes_through() -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_a_nested_section_leaves_the_collector_off_until_the_outer_one_ends() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_sections_in_two_threads_turn_it_on_when_the_last_ends() -> None:
    entered, first_left, states = threading.Event(), threading.Event(), []

    def other() -> None:
        with collector_paused():
            entered.set()
            first_left.wait(5)
            states.append(gc.isenabled())

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert entered.wait(5)
    first_left.set()
    thread.join(5)
    assert states == [False]  # the first section ended while the other still ran
    assert gc.isenabled()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX only")
def test_a_child_forked_while_another_thread_pauses_has_its_collector_back() -> None:
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert entered.wait(5)
        read, write = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
            pid = os.fork()
        if pid == 0:  # the child: report, and leave without running the parent's clean-ups
            with collector_paused():
                paused = not gc.isenabled()
            os.write(write, b"%d%d" % (gc.isenabled(), paused))
            os._exit(0)
        os.close(write)
        answer = os.read(read, 2)
        os.close(read)
        os.waitpid(pid, 0)
    finally:
        release.set()
        thread.join(5)
    assert answer == b"11"  # on in the child, and a section there still pauses it
    assert gc.isenabled()
