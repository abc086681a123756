"""Execute each chapter notebook in a fresh process; write wall seconds and peak memory to a table.

Usage: python scripts/bench.py CHAPTERS_DIR OUTPUT.md [--inplace]   (``make bench``)

With ``--inplace`` the executed notebooks replace the originals (how the committed
outputs are made); without it they are thrown away.

Peak memory is the largest resident set of the processes involved (the kernel runs
the chapter), read from the operating system with ``os.wait4``. The course's budget
per chapter is 120 s and 2 GB on 2 CPU cores.
"""

import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

BUDGET_SECONDS, BUDGET_MB = 120, 2048


def run_notebook(path: Path, workdir: Path | None) -> tuple[float, float, int]:
    """Execute one notebook (in place when ``workdir`` is None); return (wall seconds, peak resident MB, exit status)."""
    destination = ["--inplace"] if workdir is None else ["--output-dir", str(workdir)]
    command = [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
               "--ExecutePreprocessor.timeout=1200", *destination, str(path)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main(chapters: Path, output: Path, inplace: bool = False) -> int:
    notebooks = sorted(chapters.glob("*.ipynb"))
    if not notebooks:
        sys.exit(f"no notebooks in {chapters}")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    rows = [f"Machine: {os.cpu_count()} CPU cores, {platform.machine()}, device {device}, torch {torch.__version__}.",
            "", "| notebook | wall s | peak MB | within 120 s and 2 GB |", "|---|---:|---:|---|"]
    failures = 0
    with tempfile.TemporaryDirectory() as workdir:
        for path in notebooks:
            seconds, megabytes, status = run_notebook(path, None if inplace else Path(workdir))
            ok = status == 0 and seconds <= BUDGET_SECONDS and megabytes <= BUDGET_MB
            verdict = "yes" if ok else ("FAILED TO RUN" if status else "no")
            failures += status != 0
            rows.append(f"| {path.name} | {seconds:.0f} | {megabytes:.0f} | {verdict} |")
            print(rows[-1], flush=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(rows) + "\n")
    print(f"wrote {output}")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--inplace"):
        sys.exit("usage: python scripts/bench.py CHAPTERS_DIR OUTPUT.md [--inplace]")
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), inplace=len(sys.argv) == 4))
