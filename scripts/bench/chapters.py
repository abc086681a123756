"""Execute each chapter notebook in a fresh process; write wall seconds, CPU seconds and peak memory.

Usage: python scripts/bench/chapters.py CHAPTERS_DIR OUTPUT.md [--inplace]   (``make bench``)

With ``--inplace`` the executed notebooks replace the originals (how the committed
outputs are made); without it they are thrown away.

Peak memory is the largest resident set of the processes involved (the kernel runs
the chapter), read from the operating system with ``os.wait4``, like the CPU seconds
(user + system). The course's budget per chapter is 180 s and 2 GB on 2 CPU cores.

Besides OUTPUT.md it writes the book's table of chapter times, ``book/chapter_times.json`` and
``book/chapter_times.md`` (dated, with the machine and its load): commit them after a run on a
quiet 2-core machine, then run ``make tidy`` so that each chapter's header states its time.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

BUDGET_SECONDS, BUDGET_MB = 180, 2048
BOOK = Path(__file__).resolve().parents[2] / "book"


def run_notebook(path: Path, workdir: Path | None) -> tuple[float, float, float, int]:
    """Execute one notebook (in place when ``workdir`` is None).

    Returns (wall seconds, CPU seconds, peak resident MB, exit status)."""
    destination = ["--inplace"] if workdir is None else ["--output-dir", str(workdir)]
    command = [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
               "--ExecutePreprocessor.timeout=1200", *destination, str(path)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def write_chapter_times(rows: list[dict], machine: str) -> None:
    """The book's table of chapter times (``book/chapter_times.json`` and ``.md``)."""
    date = datetime.date.today().isoformat()
    chapters = {row["notebook"]: {"seconds": round(row["seconds"]), "cpu_seconds": round(row["cpu"]),
                                  "peak_mb": round(row["mb"])} for row in rows if row["status"] == 0}
    (BOOK / "chapter_times.json").write_text(json.dumps({"date": date, "machine": machine, "chapters": chapters},
                                                        indent=1) + "\n")
    lines = [f"Measured on {date} with `make bench`: {machine}.", "",
             "| chapter | minutes | wall seconds | CPU seconds | peak memory (MB) |", "|---|---:|---:|---:|---:|"]
    for name, row in chapters.items():
        lines.append(f"| {name.removesuffix('.ipynb')} | {max(1, -(-row['seconds'] // 60))} | {row['seconds']} "
                     f"| {row['cpu_seconds']} | {row['peak_mb']} |")
    (BOOK / "chapter_times.md").write_text("\n".join(lines) + "\n")


def main(chapters: Path, output: Path, inplace: bool = False) -> int:
    notebooks = sorted(chapters.glob("*.ipynb"))
    if not notebooks:
        sys.exit(f"no notebooks in {chapters}")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    machine = (f"{os.cpu_count()} CPU cores, {platform.machine()}, device {device}, torch {torch.__version__}, "
               f"load average {load} at the start")
    table = [f"Machine: {machine}.", "",
             f"| notebook | wall s | CPU s | peak MB | within {BUDGET_SECONDS} s and 2 GB |", "|---|---:|---:|---:|---|"]
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for path in notebooks:
            seconds, cpu, megabytes, status = run_notebook(path, None if inplace else Path(workdir))
            ok = status == 0 and seconds <= BUDGET_SECONDS and megabytes <= BUDGET_MB
            verdict = "yes" if ok else ("FAILED TO RUN" if status else "no")
            rows.append({"notebook": path.name, "seconds": seconds, "cpu": cpu, "mb": megabytes, "status": status})
            table.append(f"| {path.name} | {seconds:.0f} | {cpu:.0f} | {megabytes:.0f} | {verdict} |")
            print(table[-1], flush=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(table) + "\n")
    write_chapter_times(rows, machine)
    print(f"wrote {output}, {BOOK / 'chapter_times.json'} and {BOOK / 'chapter_times.md'}")
    return 1 if any(row["status"] for row in rows) else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--inplace"):
        sys.exit("usage: python scripts/bench/chapters.py CHAPTERS_DIR OUTPUT.md [--inplace]")
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), inplace=len(sys.argv) == 4))
