"""The ``linli`` console script wraps the management commands (``linli migrate``, ``linli demo``, ...)."""

import subprocess
import sys
from pathlib import Path

import pytest

from linli.core.tests.procs import clean_env

LINLI = Path(sys.executable).with_name("linli")

pytestmark = [
    pytest.mark.slow,  # each case starts a process
    pytest.mark.skipif(not LINLI.exists(), reason="the linli console script is not installed (make install)"),
]


def linli(*args, var_dir):
    return subprocess.run(  # noqa: S603
        [str(LINLI), *args], env=clean_env(var_dir), cwd=var_dir, capture_output=True, text=True, timeout=60
    )


def test_linli_help_lists_the_project_commands(tmp_path):
    result = linli("help", var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("demo", "serve", "migrate", "compile_translations"):
        assert command in result.stdout


def test_linli_without_arguments_prints_help(tmp_path):
    result = linli(var_dir=tmp_path)
    assert result.returncode == 0
    assert "Available subcommands" in result.stdout


def test_linli_check_runs_the_system_checks(tmp_path):
    # Run from another directory: the script finds the project by itself.
    result = linli("check", var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_linli_accepts_hyphens_for_underscores(tmp_path):
    result = linli("compile-translations", "--help", var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "compile_translations" in result.stdout


def test_linli_unknown_command_fails(tmp_path):
    result = linli("no-such-command", var_dir=tmp_path)
    assert result.returncode != 0
    assert "Unknown command" in result.stderr
