"""Issue 16: the wheel works outside the source tree (the demo and the codebook inside it)."""

from __future__ import annotations

import os
import subprocess
import sys

from smoke import clean_env, run

from rater import __version__


def test_the_wheel_in_a_fresh_venv_outside_the_checkout_builds_the_demo(dist, empty_home,
                                                                        tmp_path):
    wheel = dist / f"rater-{__version__}-py3-none-any.whl"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    outside = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the tree stays out
    install = subprocess.run([venv / "bin" / "pip", "install", "--quiet", wheel], env=outside,
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]
    env = clean_env(empty_home)
    where = run([venv / "bin" / "python", "-c", "import rater; print(rater.__file__)"], env)
    assert where.stdout.startswith(str(venv)), "rater must come from the wheel, not the tree"
    assert run([venv / "bin" / "rater", "--version"], env).stdout == f"rater {__version__}\n"
    demo = run([venv / "bin" / "rater", "demo", "--dir", empty_home / "demo"], env, 300)
    assert demo.returncode == 0, demo.stderr
    assert (empty_home / "demo" / "You.raterpack").is_file()
    info = run([venv / "bin" / "rater", "study", "info", demo.stdout.strip()], env)
    assert info.returncode == 0 and "Recordings:  33" in info.stdout
