"""Chapter 5's package side: settings, the two protocols' rows, the table's loader and summary."""

import numpy as np
import pandas as pd
import pytest

from latentbio.metrics.expression import variance_expression_r2
from latentbio.experiments.ch05_scgen_task import (loss_plateau, paired_cases, scgen_task_rows, summarize_ood_table,
                                                   train_chapter_model)
from latentbio.experiments.ch05_table import SEEDS, SETTINGS, TABLE, compute_on, table_plan, type_means, with_case_column
from latentbio.experiments.evidence import compare
from latentbio.experiments.tables import read
from latentbio.experiments.ch05_paper_protocol import factor_entropy, paper_protocol_rows
from test_ood import _toy_pbmcs

TINY = {"n_genes": 20, "epochs": 3, "lord_epochs": 2, "hidden": (8,), "batch_size": 32}


def test_variance_r2_is_one_for_scaled_variances_and_checks_genes():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(50, 6)) * np.arange(1, 7)
    assert variance_expression_r2(real * 2, real) == pytest.approx(1.0)
    assert variance_expression_r2(real + 5.0, real) == pytest.approx(1.0)  # a shift of the means changes nothing
    with pytest.raises(ValueError, match="same genes"):
        variance_expression_r2(real[:, :5], real)


def test_loss_plateau_is_the_last_fifths_change_as_a_fraction_of_the_whole_decrease():
    assert loss_plateau([11.0] + [10.0] * 7 + [9.0] * 2) == pytest.approx(-0.5)  # fell 1 of 2 in the last fifth
    assert loss_plateau(np.r_[5.0, np.full(49, 3.0)]) == 0.0


def test_train_chapter_model_rejects_unknown_names():
    with pytest.raises(ValueError, match="must be one of"):
        train_chapter_model("pca", _toy_pbmcs())


def test_scgen_task_rows_cover_every_method_and_score_in_unit_range():
    rows = pd.DataFrame(scgen_task_rows(_toy_pbmcs(), "t1", [0], settings=TINY))
    assert set(rows["method"]) == {"control (unpredicted)", "gene_space", "vae: control + decoded change", "vae",
                                   "beta_vae", "dhsic_vae", "lord"}
    assert rows[["r2_all", "r2_top_degs", "r2_var_all"]].apply(lambda c: c.between(0, 1)).all().all()
    lord = rows[rows["method"] == "lord"].iloc[0]
    assert 0 <= lord["leak_cell_type"] <= 1 and 0 < lord["leak_cell_type_chance"] < 1
    # the toy stimulation is the same shift in every type, so gene-space arithmetic is nearly exact
    assert rows.set_index("method").loc["gene_space", "r2_top_degs"] > 0.95


def test_paper_protocol_rows_average_over_sources_and_report_the_oracle():
    rows = pd.DataFrame(paper_protocol_rows(_toy_pbmcs(), "t2", [0], settings=TINY))
    models = rows[rows["seed"] == 0]
    assert list(models["method"]) == ["vae", "beta_vae", "dhsic_vae"]
    assert (models["oracle_r2_top_degs"] >= models["r2_top_degs"] - 1e-9).all()  # the oracle peeks, so it wins
    for column in ["r2_top_degs_one_cell", "r2_top_degs_all_range", "mig", "gap_cell_type", "gap_condition"]:
        assert models[column].notna().all(), column
    assert set(models["separate_dimensions"]) <= {0, 1} and (models["dimension"] != models["dimension_condition"]).eq(
        models["separate_dimensions"] == 1).all()


def test_type_means_average_seeds_per_type_and_pair_by_type():
    rows = pd.DataFrame({"protocol": "p", "cell_type": ["a", "a", "b", "b", "a", "b"], "method": list("xxxxyy"),
                         "seed": [0, 1, 0, 1, -1, -1], "r2": [0.4, 0.6, 0.8, 1.0, 0.2, 0.3]})
    means = type_means(rows).set_index(["cell_type", "method"])
    assert means.loc[("a", "x"), "r2"] == pytest.approx(0.5) and means.loc[("a", "x"), "n_seeds"] == 2
    assert means.loc[("b", "y"), "n_seeds"] == 0
    first, second = paired_cases(type_means(rows), "r2", "x", "y")
    np.testing.assert_allclose(first - second, [0.3, 0.6])


def test_factor_entropy_of_independent_factors_adds_up():
    obs = pd.DataFrame({"cell_type": list("aabbccdd"), "condition": list("xyxyxyxy")})
    entropy = factor_entropy(obs)
    assert entropy["cell_type"] == pytest.approx(np.log(4)) and entropy["condition"] == pytest.approx(np.log(2))
    assert entropy["joint"] == pytest.approx(np.log(8))
    with pytest.raises(ValueError, match="no column"):
        factor_entropy(obs, ("cell_type", "dose"))


def test_checkpoints_do_not_change_the_training():
    adata = _toy_pbmcs()
    seen = []
    scored = train_chapter_model("beta_vae", adata, settings={**TINY, "checkpoints": (1, 2)},
                                 at_checkpoint=lambda model, epoch: seen.append(epoch))
    plain = train_chapter_model("beta_vae", adata, settings=TINY)
    assert seen == [1, 2]
    np.testing.assert_array_equal(scored.get_latent_representation(), plain.get_latent_representation())


def test_table_plan_spreads_seeds_over_types_and_gives_the_listed_cases_every_seed():
    types = ["a", "b", "c", "FCGR3A+Mono"]
    settings = {**SETTINGS, "all_seeds": [["scgen_task", "FCGR3A+Mono"]] + [["paper_protocol", t] for t in types]}
    seeds = {(protocol, cell_type): tuple(seeds) for protocol, cell_type, seeds in table_plan(types, settings)}
    assert seeds[("scgen_task", "a")] == (0,) and seeds[("scgen_task", "b")] == (1,)
    assert seeds[("scgen_task", "FCGR3A+Mono")] == tuple(range(SEEDS))
    assert all(seeds[("paper_protocol", t)] == tuple(range(SEEDS)) for t in types)
    assert table_plan(types, settings)[0][2] == list(range(SEEDS))  # longest first
    assert all(["paper_protocol", t] in SETTINGS["all_seeds"] for t in SETTINGS["cell_types"])


def test_the_case_column_marks_each_types_spread_seed_and_the_anchors():
    settings = {**SETTINGS, "cell_types": ["a", "b"], "seeds": 2}
    rows = pd.DataFrame({"cell_type": ["a", "a", "b", "b", "a"], "seed": [0, 1, 0, 1, -1]})
    assert with_case_column(rows, settings)["one_case_per_type"].tolist() == [True, False, False, True, True]


def test_summarize_ood_table_gives_mean_sd_and_count_in_the_order_asked():
    rows = pd.DataFrame({"method": ["a", "a", "b"], "r2": [0.2, 0.4, 0.9]})
    summary = summarize_ood_table(rows, ["r2"], methods=["b", "a"])
    assert list(summary.index) == ["b", "a"]
    assert summary.loc["a", ("r2", "mean")] == pytest.approx(0.3) and summary.loc["a", ("r2", "n")] == 2


def test_traversal_heatmap_scaled_per_gene_shows_each_genes_own_range():
    import matplotlib

    matplotlib.use("Agg")
    from latentbio.plotting.perturbation import plot_expression_traversal

    def decode(z):  # gene 0 moves by 100, gene 1 by 0.01: per gene, both span 0..1
        return np.c_[100 * z[:, 0], 0.01 * z[:, 0]]

    ax = plot_expression_traversal(decode, np.zeros(2), 0, [0.0, 1.0, 2.0], [0, 1], ["B2M", "ISG15"], scale="per_gene")
    image = ax.images[0].get_array()
    np.testing.assert_allclose(image, [[0, 0.5, 1], [0, 0.5, 1]])
    with pytest.raises(ValueError, match="per_gene"):
        plot_expression_traversal(decode, np.zeros(2), 0, [0.0, 1.0], [0, 1], ["a", "b"], scale="log")


def test_paired_cases_pair_by_type_and_seed():
    rows = pd.DataFrame({"cell_type": list("aabb") * 2, "seed": [0, 1] * 4,
                         "method": ["x"] * 4 + ["y"] * 4, "r2": [0.5, 0.6, 0.7, 0.9, 0.4, 0.6, 0.5, 0.6]})
    gap = compare(*paired_cases(rows, "r2", "x", "y"))  # differences 0.1, 0, 0.2, 0.3
    assert gap.n == 4 and gap.wins == 3 and gap.mean == pytest.approx(0.15)
    with pytest.raises(ValueError, match="method"):
        paired_cases(rows, "r2", "x", "z")


def test_paired_cases_pair_an_anchor_with_every_seed():
    rows = pd.DataFrame({"method": ["x", "x", "x", "anchor", "anchor"], "cell_type": ["a", "a", "b", "a", "b"],
                         "seed": [0, 1, 0, -1, -1], "r2": [0.9, 0.8, 0.8, 0.7, 0.6]})
    first, second = paired_cases(rows, "r2", "x", "anchor")  # differences 0.2, 0.1, 0.2
    np.testing.assert_allclose(first - second, [0.2, 0.1, 0.2])


@pytest.mark.parametrize("workers", [1, 2])
def test_the_table_runs_the_plan_in_workers_and_is_not_reused_with_other_settings(tmp_path, workers):
    toy = _toy_pbmcs()
    toy.obs["cell_type"] = toy.obs["cell_type"].astype("category")
    settings = {**SETTINGS, **TINY, "cell_types": ["t0", "t1", "t2"]}
    table = compute_on(toy, settings, workers=workers, folder=tmp_path)
    found = set(map(tuple, table.loc[table["seed"] >= 0, ["protocol", "cell_type", "seed"]].to_numpy().tolist()))
    assert found == {(p, c, s) for p, c, seeds in table_plan(["t0", "t1", "t2"]) for s in seeds}
    _, meta = read(TABLE.name, tmp_path)
    assert meta["settings"]["n_genes"] == TINY["n_genes"] and meta["plan"] == [list(t) for t in table_plan(["t0", "t1", "t2"])]


def test_exercise_best_dimensions_accepts_the_argmax_of_information_and_refuses_a_swap():
    from latentbio.exercises import ExerciseFailed
    from latentbio.exercises.ch05 import check_best_dimensions
    from latentbio.metrics import mutual_information_matrix

    def best(codes, cell_types, conditions):
        factors = np.c_[pd.factorize(cell_types)[0], pd.factorize(conditions)[0]]
        found = np.argmax(mutual_information_matrix(codes, factors), axis=0)
        return int(found[0]), int(found[1])

    check_best_dimensions(best)
    with pytest.raises(ExerciseFailed, match="condition's dimension first"):
        check_best_dimensions(lambda *args: best(*args)[::-1])
