"""The memory benchmark's own pieces: reading a process's memory, and a report that says whether the target held."""

import os

from bench import memory

META = {"finished": "2026-12-01 22:00 UTC", "flows": 1_000_000,
        "machine": {"cpus": 2, "cpu_model": "test", "memory_gib": 23.0}}


def row(growth_mb: float) -> dict:
    return {"path": memory.PATH, "status": 200, "complete": True, "bytes": 300_000_000, "lines": 1_000_002,
            "seconds": 200.0, "rss_before_mb": 130.0, "rss_peak_mb": 130.0 + growth_mb,
            "rss_after_mb": 130.0, "growth_mb": growth_mb, "last_line": "# Licence: CC BY 4.0"}


def test_a_process_s_resident_memory_and_its_peak_are_read_in_kilobytes():
    pid = os.getpid()
    memory.reset_peak(pid)
    resident, peak = memory.status_kb(pid, "VmRSS"), memory.status_kb(pid, "VmHWM")
    assert 0 < resident <= peak


def test_the_report_says_a_growth_under_the_target_is_under_it():
    report = memory.markdown(row(12.5), META)
    assert "| 130.0 MB | 142.5 MB | 130.0 MB | 12.5 MB | under 100 MB (under) |" in report
    assert "1,000,000 flows" in report


def test_the_report_says_a_growth_over_the_target_is_over_it():
    assert "under 100 MB (OVER)" in memory.markdown(row(150), META)
