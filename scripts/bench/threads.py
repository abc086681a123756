"""Which torch thread count trains the course's small networks fastest on this machine?

For each network of the course (an MLP VAE on 8x8 digits, the count VAE on 2,000 genes, a small
convolutional net on 32x32 images) and each thread count, a fresh worker process trains for
``--seconds`` (after a warm-up of 5 steps) and reports steps per second; once alone and once
beside a second busy process (another training loop with torch's default threads, as a second
notebook or helper would be). The load average is printed with every row: on a shared machine
other work inflates the numbers, so compare rows measured together and rerun on a quiet machine.
The winner becomes ``latentbio.device.DEFAULT_THREADS`` (``latentbio.configure()``).

    python scripts/bench/threads.py [--threads 1 2 4] [--seconds 5]
"""

import argparse
import os
import signal
import subprocess
import sys
import time

WORKLOADS = ("mlp_vae_digits", "count_vae", "conv_net")


def make_step(workload: str):
    """A function that runs one training step of ``workload`` on random data of the course's sizes."""
    import torch

    from latentbio import train
    from latentbio.models import VAE, CountVAE, ImageClassifier  # noqa: F401  (import cost outside the timing)
    from latentbio.models.count_vae import CountVAEModule
    from latentbio.models.image_classifier import ImageClassifierModule
    from latentbio.models.vae import VAEModule

    generator = torch.Generator().manual_seed(0)
    if workload == "mlp_vae_digits":
        module, batch = VAEModule(64, 8, (256, 128)), (torch.rand(128, 64, generator=generator),)
    elif workload == "count_vae":
        module = CountVAEModule(2000, 10, (128,))
        module.counts_checked = True
        batch = (torch.poisson(torch.full((128, 2000), 2.0), generator=generator),)
    else:
        module = ImageClassifierModule((32, 32), 10)
        batch = (torch.rand(64, 1, 32, 32, generator=generator), torch.randint(0, 10, (64,), generator=generator))
    optimizer = train.adam(module.parameters(), 1e-3)

    def step():
        output = module.loss(*batch)
        loss = output["loss"] if isinstance(output, dict) else output
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return step


def worker(workload: str, threads: int, seconds: float) -> None:
    """Print the steps per second of ``workload`` with ``threads`` torch threads, over ``seconds``."""
    import torch
    torch.set_num_threads(threads)
    step = make_step(workload)
    for _ in range(5):
        step()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 3:
        step()
        steps += 1
    print(steps / (time.perf_counter() - start))


def burn() -> None:
    """A second busy process: the count VAE training with torch's default threads, until killed."""
    step = make_step("count_vae")
    while True:
        step()


def measure(workload: str, threads: int, seconds: float) -> float:
    environment = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    output = subprocess.run([sys.executable, __file__, "--worker", workload, str(threads), str(seconds)],
                            capture_output=True, text=True, check=True, env=environment)
    return float(output.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a stopped run still ends its busy peer (finally below)
    print(f"{os.cpu_count()} CPUs; steps per second (higher is better); load = 1-minute load average at the end")
    print(f"{'workload':<16} {'beside':<12} " + " ".join(f"{t:>3} thr" for t in args.threads) + "   best  load")
    for contention in (False, True):
        other = subprocess.Popen([sys.executable, __file__, "--burn"]) if contention else None
        try:
            if other:
                time.sleep(3)  # let it start
            for workload in WORKLOADS:
                rates = [measure(workload, threads, args.seconds) for threads in args.threads]
                best = args.threads[max(range(len(rates)), key=rates.__getitem__)]
                print(f"{workload:<16} {'a busy peer' if contention else 'nothing':<12} "
                      + " ".join(f"{rate:7.1f}" for rate in rates) + f"   {best:>4}  {os.getloadavg()[0]:.2f}", flush=True)
        finally:
            if other:
                other.kill()
                other.wait()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--burn":
        burn()
    else:
        main()
