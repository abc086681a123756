"""Simulated single-cell counts with a known truth: Splatter's "groups" model plus programs and a perturbation.

The core follows Splatter (Zappia, Phipson & Oshlack, Genome Biology 2017; ``splatSimulate``,
method "groups"), step by step:

1. library sizes L_c ~ LogNormal(lib_loc, lib_scale);
2. gene means lambda_g ~ Gamma(mean_shape, rate=mean_rate); outlier genes (probability
   ``out_prob``) get their mean replaced by median(lambda) * LogNormal(out_fac_loc, out_fac_scale);
3. differential expression: per cell type, genes are chosen with probability ``de_prob`` and
   get a factor f ~ LogNormal(de_fac_loc, de_fac_scale), used as 1 / f with probability
   ``de_down_prob`` (factors below 1 have their direction flipped);
4. cell means: gene mean x cell-type factor, rescaled per cell to proportions x L_c;
5. biological coefficient of variation bcv_gc = (bcv_common + 1 / sqrt(mu_gc)) * sqrt(bcv_df / chi2_g),
   one chi-squared draw per gene; cell means lambda_gc ~ Gamma(1 / bcv^2, scale mu_gc * bcv^2);
6. counts Y_gc ~ Poisson(lambda_gc); optional logistic dropout
   p_gc = 1 / (1 + exp(-dropout_shape * (log lambda_gc - dropout_mid))).

On top of Splatter (our additions, for chapters 5 and 6): ``n_groups`` groups (regions,
donors, ...) assigned independently of cell type, each switching on ``programs_per_group``
gene programs (disjoint gene sets up-regulated by a log-normal factor) in a random
``program_fraction`` of its cells; and a ``perturbation`` (half the cells "stimulated")
whose gene factors are a shared response times a cell-type-specific one. Programs and the
response multiply the cell means in step 4, before the rescaling to the library size.
"""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd

from ..checks import as_numeric_array, check_flag, check_integer, check_number


def _log_normal_factors(rng: np.random.Generator, n_genes: int, select_prob: float, down_prob: float,
                        loc: float, scale: float) -> np.ndarray:
    """Splatter's ``getLNormFactors``: 1 for unselected genes, else f or 1 / f with f ~ LogNormal(loc, scale).

    A factor drawn below 1 has its direction flipped, so "up" genes always go up.
    """
    selected = rng.random(n_genes) < select_prob
    factors = rng.lognormal(loc, scale, size=n_genes)
    direction = np.where(rng.random(n_genes) < down_prob, -1.0, 1.0)
    direction[factors < 1] *= -1.0
    return np.where(selected, factors ** direction, 1.0)


def _check_arguments(arguments: dict) -> None:
    """Raise ``ValueError`` / ``TypeError`` for an argument of :func:`simulate_counts` that is out of range."""
    for name in ("n_cells", "n_genes", "n_cell_types", "n_groups", "program_genes"):
        check_integer(arguments[name], name, minimum=1)
    check_integer(arguments["programs_per_group"], "programs_per_group", minimum=0)
    check_integer(arguments["seed"], "seed", minimum=0)
    check_flag(arguments["perturbation"], "perturbation")
    n_program_genes = arguments["n_groups"] * arguments["programs_per_group"] * arguments["program_genes"]
    if n_program_genes > arguments["n_genes"]:
        raise ValueError(f"{arguments['n_groups']} groups x {arguments['programs_per_group']} programs x "
                         f"{arguments['program_genes']} genes = {n_program_genes} program genes do not fit "
                         f"into n_genes={arguments['n_genes']} (programs use disjoint genes)")
    check_number(arguments["program_fraction"], "program_fraction", minimum=0.0, maximum=1.0)
    if arguments["program_fraction"] == 0:
        raise ValueError("program_fraction must be in (0, 1], got 0")
    for name in ("out_prob", "de_prob", "de_down_prob", "response_prob", "response_type_prob",
                 "response_down_prob"):
        check_number(arguments[name], f"{name} (a probability)", minimum=0.0, maximum=1.0)
    for name in ("mean_shape", "mean_rate", "bcv_df"):
        check_number(arguments[name], name, minimum=0.0, exclusive=True)
    for name in ("lib_scale", "out_fac_scale", "de_fac_scale", "program_fac_scale", "response_fac_scale",
                 "bcv_common"):
        check_number(arguments[name], name, minimum=0.0)
    for name in ("lib_loc", "out_fac_loc", "de_fac_loc", "program_fac_loc", "response_fac_loc", "dropout_shape"):
        check_number(arguments[name], name)
    if arguments["dropout_mid"] is not None:
        check_number(arguments["dropout_mid"], "dropout_mid")
    probs = arguments["cell_type_probs"]
    if probs is not None:
        probs = as_numeric_array(probs, name="cell_type_probs")
        if (probs.shape != (arguments["n_cell_types"],) or not np.isfinite(probs).all() or np.any(probs < 0)
                or not np.isclose(probs.sum(), 1.0)):
            raise ValueError(f"cell_type_probs must be {arguments['n_cell_types']} non-negative numbers "
                             f"summing to 1, got {arguments['cell_type_probs']!r}")


def simulate_counts(
    n_cells: int = 2000,
    n_genes: int = 1000,
    n_cell_types: int = 5,
    *,
    cell_type_probs=None,
    n_groups: int = 1,
    programs_per_group: int = 0,
    program_fraction: float = 0.5,
    program_genes: int = 30,
    program_fac_loc: float = 1.0,
    program_fac_scale: float = 0.3,
    perturbation: bool = False,
    response_prob: float = 0.05,
    response_type_prob: float = 0.05,
    response_down_prob: float = 0.1,
    response_fac_loc: float = 1.0,
    response_fac_scale: float = 0.4,
    seed: int = 0,
    mean_shape: float = 0.6,
    mean_rate: float = 0.3,
    lib_loc: float = 11.0,
    lib_scale: float = 0.2,
    out_prob: float = 0.05,
    out_fac_loc: float = 4.0,
    out_fac_scale: float = 0.5,
    de_prob: float = 0.1,
    de_down_prob: float = 0.5,
    de_fac_loc: float = 0.1,
    de_fac_scale: float = 0.4,
    bcv_common: float = 0.1,
    bcv_df: float = 60.0,
    dropout_mid: float | None = None,
    dropout_shape: float = -1.0,
) -> ad.AnnData:
    """Simulate a count matrix whose generating truth is known (module docstring for the model).

    Returns AnnData with ``X`` and ``layers["counts"]`` the integer counts (float32),
    ``obs``: ``cell_type`` ("type_0", ...), ``group`` ("group_0", ...), ``condition``
    ("control"/"stimulated"), ``library_size`` (the drawn L_c), ``total_counts`` (observed)
    and one 0/1 column ``program_<g>_<k>`` per program (active in that cell);
    ``var``: ``base_mean`` (after outliers), ``is_outlier``, ``de_factor_<type>``,
    ``program_<g>_<k>`` (the program's factor, 1 outside it), ``response_shared`` and
    ``response_<type>`` (the full response factor of that type, 1 without perturbation);
    ``uns["simulation"]`` holds the arguments and the genes of each program.
    Splatter's parameter names and defaults, in snake case; ``program_genes`` is the
    number of genes per program; ``response_prob`` / ``response_type_prob`` the share of
    genes in the shared / each type-specific response.
    """
    arguments = dict(locals())
    _check_arguments(arguments)
    rng = np.random.default_rng(seed)
    types = [f"type_{t}" for t in range(n_cell_types)]
    groups = [f"group_{g}" for g in range(n_groups)]

    # 1. library sizes; cell types and groups, independently of each other
    library_size = rng.lognormal(lib_loc, lib_scale, size=n_cells)
    cell_type = rng.choice(n_cell_types, size=n_cells, p=cell_type_probs)
    group = rng.integers(n_groups, size=n_cells)

    # 2. gene means with expression outliers
    base_mean = rng.gamma(mean_shape, 1.0 / mean_rate, size=n_genes)
    outlier_factor = _log_normal_factors(rng, n_genes, out_prob, 0.0, out_fac_loc, out_fac_scale)
    is_outlier = outlier_factor != 1.0
    base_mean = np.where(is_outlier, np.median(base_mean) * outlier_factor, base_mean)

    # 3. differential expression per cell type
    de_factor = np.stack([_log_normal_factors(rng, n_genes, de_prob, de_down_prob, de_fac_loc, de_fac_scale)
                          for _ in types])
    relative_mean = base_mean[None, :] * de_factor[cell_type]

    # group programs: disjoint gene sets, each switched on in a random share of its group's cells
    program_names = [f"program_{g}_{k}" for g in range(n_groups) for k in range(programs_per_group)]
    program_gene_sets = np.split(rng.permutation(n_genes)[:len(program_names) * program_genes],
                                 len(program_names)) if program_names else []
    program_factor, program_active = {}, {}
    for index, name in enumerate(program_names):
        genes = np.sort(program_gene_sets[index])
        factor = np.ones(n_genes)
        factor[genes] = _log_normal_factors(rng, len(genes), 1.0, 0.0, program_fac_loc, program_fac_scale)
        members = np.flatnonzero(group == index // programs_per_group)
        active = np.zeros(n_cells, dtype=np.int8)
        active[rng.choice(members, size=int(round(program_fraction * len(members))), replace=False)] = 1
        relative_mean[active == 1] *= factor
        program_factor[name], program_active[name], program_gene_sets[index] = factor, active, genes

    # the perturbation: half the cells stimulated; response = shared x cell-type-specific factors
    stimulated = np.zeros(n_cells, dtype=bool)
    response_shared = np.ones(n_genes)
    response = np.ones((n_cell_types, n_genes))
    if perturbation:
        stimulated[rng.permutation(n_cells)[: n_cells // 2]] = True
        response_shared = _log_normal_factors(rng, n_genes, response_prob, response_down_prob,
                                              response_fac_loc, response_fac_scale)
        response = np.stack([response_shared * _log_normal_factors(
            rng, n_genes, response_type_prob, response_down_prob, response_fac_loc, response_fac_scale)
            for _ in types])
        relative_mean[stimulated] *= response[cell_type[stimulated]]

    # 4. cell means: proportions times library size
    cell_mean = relative_mean / relative_mean.sum(axis=1, keepdims=True) * library_size[:, None]

    # 5. biological coefficient of variation, one chi-squared draw per gene, and gamma cell means
    bcv = (bcv_common + 1.0 / np.sqrt(cell_mean)) * np.sqrt(bcv_df / rng.chisquare(bcv_df, size=n_genes))
    true_mean = rng.gamma(1.0 / bcv**2, cell_mean * bcv**2)

    # 6. Poisson counts and optional dropout
    counts = rng.poisson(true_mean)
    if dropout_mid is not None:
        with np.errstate(divide="ignore"):
            drop_prob = 1.0 / (1.0 + np.exp(-dropout_shape * (np.log(true_mean) - dropout_mid)))
        counts = counts * (rng.random(counts.shape) >= drop_prob)
    counts = counts.astype(np.float32)

    obs = pd.DataFrame({
        "cell_type": pd.Categorical.from_codes(cell_type, types),
        "group": pd.Categorical.from_codes(group, groups),
        "condition": pd.Categorical(np.where(stimulated, "stimulated", "control"),
                                    categories=["control", "stimulated"] if perturbation else ["control"]),
        "library_size": library_size,
        "total_counts": counts.sum(axis=1),
        **program_active,
    }, index=[f"cell_{i}" for i in range(n_cells)])
    var = pd.DataFrame({"base_mean": base_mean, "is_outlier": is_outlier,
                        **{f"de_factor_{name}": de_factor[t] for t, name in enumerate(types)},
                        **program_factor, "response_shared": response_shared,
                        **{f"response_{name}": response[t] for t, name in enumerate(types)}},
                       index=[f"gene_{j}" for j in range(n_genes)])
    adata = ad.AnnData(X=counts, obs=obs, var=var)
    adata.layers["counts"] = counts.copy()
    parameters = {key: value for key, value in arguments.items()
                  if value is not None and key != "cell_type_probs"}
    if cell_type_probs is not None:
        parameters["cell_type_probs"] = np.asarray(cell_type_probs, dtype=float)
    parameters["program_gene_indices"] = {name: genes for name, genes in zip(program_names, program_gene_sets)}
    adata.uns["simulation"] = parameters
    return adata
