"""Is the course's training loop as fast as plain torch? (`make bench-train`)

Trains the count VAE (10,000 simulated cells x 2,000 genes, one hidden layer of 128, 10 latent
dimensions, negative binomial, minibatches of 128) for a fixed number of epochs twice per
round: once through the package (``CountVAE.train``, i.e. :func:`latentbio.train.fit`) and once
through the bare torch loop below, which trains the same network with the same loss, optimiser
and minibatches. Prints optimisation steps per second of both and their ratio (target: >= 0.9),
median over rounds that alternate the two (and which goes first), after an untimed warm-up epoch of each. ``--profile`` adds a cProfile of one package run.

    python scripts/bench/train.py [--epochs 3] [--rounds 3] [--profile]
"""

import argparse
import cProfile
import os
import pstats
import statistics
import time

import numpy as np
import torch

import latentbio
from latentbio import train
from latentbio.data import simulate_counts
from latentbio.models import CountVAE
from latentbio.models.count_vae import CountVAEModule

N_CELLS, N_GENES, BATCH_SIZE, LR = 10_000, 2_000, 128, 3e-3


def bare_loop(module: torch.nn.Module, counts: torch.Tensor, epochs: int, seed: int = 0) -> int:
    """The same training in plain torch: shuffle, slice, loss, backward, step. Returns the step count."""
    optimizer = train.adam(module.parameters(), LR)  # the optimiser the package uses: the loops differ, not the optimiser
    generator = torch.Generator().manual_seed(seed)
    module.train()
    steps = 0
    for _ in range(epochs):
        order = torch.randperm(len(counts), generator=generator)
        for part in train.batch_slices(len(counts), BATCH_SIZE):  # the same minibatch sizes as the package
            loss = module.loss(counts[order[part]])["loss"]
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            steps += 1
    return steps


def package_run(adata, epochs: int) -> tuple[float, int]:
    """Seconds and steps of ``CountVAE.train`` (no KL warm-up, so both loops optimise the same loss)."""
    latentbio.seed_everything(0)
    model = CountVAE(adata, layer=None, n_latent=10, hidden=(128,))
    start = time.perf_counter()
    model.train(max_epochs=epochs, batch_size=BATCH_SIZE, lr=LR, kl_warmup_epochs=0)
    return time.perf_counter() - start, epochs * len(train.batch_slices(adata.n_obs, BATCH_SIZE))


def bare_run(counts: torch.Tensor, epochs: int) -> tuple[float, int]:
    latentbio.seed_everything(0)
    module = CountVAEModule(N_GENES, 10, (128,))
    module.counts_checked = True  # as CountVAE.train does: the counts were checked once, up front
    start = time.perf_counter()
    steps = bare_loop(module, counts, epochs)
    return time.perf_counter() - start, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    threads = latentbio.configure()
    adata = simulate_counts(N_CELLS, N_GENES, 5, seed=0)
    adata.X = np.asarray(adata.X.toarray() if hasattr(adata.X, "toarray") else adata.X, dtype=np.float32)
    counts = torch.from_numpy(adata.X)
    print(f"count VAE, {N_CELLS} cells x {N_GENES} genes, batch {BATCH_SIZE}, {args.epochs} epochs per run, "
          f"{threads} torch thread(s), load average {os.getloadavg()[0]:.2f}")
    rates = {"package": [], "bare": []}
    runs = {"package": lambda: package_run(adata, args.epochs), "bare": lambda: bare_run(counts, args.epochs)}
    package_run(adata, 1), bare_run(counts, 1)  # warm-up, not counted: first touches of memory and caches
    for round_ in range(args.rounds):
        order = ["package", "bare"] if round_ % 2 == 0 else ["bare", "package"]  # no advantage to either side
        for name, run in ((name, runs[name]) for name in order):
            seconds, steps = run()
            rates[name].append(steps / seconds)
            print(f"  round {round_ + 1}: {name:>7} {steps} steps in {seconds:.2f} s = {steps / seconds:.1f} steps/s "
                  f"(load {os.getloadavg()[0]:.2f})")
    package, bare = statistics.median(rates["package"]), statistics.median(rates["bare"])
    print(f"package loop (latentbio.train.fit): {package:.1f} steps/s")
    print(f"bare torch loop:                    {bare:.1f} steps/s")
    print(f"ratio package / bare: {package / bare:.3f} (target >= 0.9)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(package_run, adata, args.epochs)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
