"""Chapter 5's package side: settings, the two protocols' rows, the table's loader and summary."""

import json

import numpy as np
import pandas as pd
import pytest

from latentbio.metrics.expression import variance_expression_r2
from latentbio.ood_protocol import (CHAPTER_SETTINGS, loss_plateau, paired_difference, scgen_task_rows,
                                    summarize_ood_table, train_chapter_model, verdict)
from latentbio.ood_table import SEEDS, load_ood_table, table_plan
from latentbio.traversal_protocol import paper_protocol_rows
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


def test_checkpoints_do_not_change_the_training():
    adata = _toy_pbmcs()
    seen = []
    scored = train_chapter_model("beta_vae", adata, settings={**TINY, "checkpoints": (1, 2)},
                                 at_checkpoint=lambda model, epoch: seen.append(epoch))
    plain = train_chapter_model("beta_vae", adata, settings=TINY)
    assert seen == [1, 2]
    np.testing.assert_array_equal(scored.get_latent_representation(), plain.get_latent_representation())


def test_table_plan_spreads_seeds_over_types_and_gives_the_focus_case_every_seed():
    plan = table_plan(["a", "b", "c", "FCGR3A+Mono"])
    seeds = {(protocol, cell_type): tuple(seeds) for protocol, cell_type, seeds in plan}
    assert seeds[("scgen_task", "a")] == (0,) and seeds[("paper_protocol", "b")] == (1,)
    assert seeds[("scgen_task", "FCGR3A+Mono")] == tuple(range(SEEDS)) and seeds[("paper_protocol", "FCGR3A+Mono")] == (0,)
    assert plan[0] == ("scgen_task", "FCGR3A+Mono", list(range(SEEDS)))  # longest first


def test_load_ood_table_says_how_to_make_a_missing_stale_or_incomplete_table(tmp_path):
    with pytest.raises(FileNotFoundError, match="make ch05-table"):
        load_ood_table(tmp_path / "missing.csv")
    path = tmp_path / "table.csv"
    pd.DataFrame({"protocol": ["scgen_task"], "cell_type": ["a"], "method": ["vae"], "seed": [0]}).to_csv(path)
    plan = [list(task) for task in table_plan(["a", "b"])]
    meta = {"settings": {**CHAPTER_SETTINGS, "beta": 20.0}, "cell_types": ["a", "b"], "plan": plan}
    path.with_suffix(".json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="other settings"):
        load_ood_table(path)
    path.with_suffix(".json").write_text(json.dumps({**meta, "settings": CHAPTER_SETTINGS, "plan": plan[:1]}))
    with pytest.raises(ValueError, match="another plan"):
        load_ood_table(path)
    path.with_suffix(".json").write_text(json.dumps({**meta, "settings": CHAPTER_SETTINGS}))
    with pytest.raises(ValueError, match="lacks the planned cases"):
        load_ood_table(path)
    rows = pd.DataFrame([{"protocol": p, "cell_type": c, "method": "vae", "seed": s} for p, c, seeds in plan for s in seeds])
    rows.to_csv(path, index=False)
    table = load_ood_table(path)
    assert len(table) == 4 and table["one_case_per_type"].all()


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


def test_paired_difference_counts_cases_each_way_and_gives_the_standard_error():
    rows = pd.DataFrame({"cell_type": list("aabb") * 2, "seed": [0, 1] * 4,
                         "method": ["x"] * 4 + ["y"] * 4, "r2": [0.5, 0.6, 0.7, 0.9, 0.4, 0.6, 0.5, 0.6]})
    gap = paired_difference(rows, "r2", "x", "y")  # differences 0.1, 0, 0.2, 0.3
    assert gap["cases"] == 4 and gap["first_better"] == 3
    assert gap["mean"] == pytest.approx(0.15) and gap["se"] == pytest.approx(np.std([0.1, 0, 0.2, 0.3], ddof=1) / 2)
    with pytest.raises(ValueError, match="method"):
        paired_difference(rows, "r2", "x", "z")


def test_paired_difference_pairs_an_anchor_with_every_seed_and_verdict_uses_two_standard_errors():
    rows = pd.DataFrame({"method": ["x", "x", "x", "anchor", "anchor"], "cell_type": ["a", "a", "b", "a", "b"],
                         "seed": [0, 1, 0, -1, -1], "r2": [0.9, 0.8, 0.8, 0.7, 0.6]})
    gap = paired_difference(rows, "r2", "x", "anchor")  # differences 0.2, 0.1, 0.2
    assert gap["cases"] == 3 and gap["first_better"] == 3 and gap["mean"] == pytest.approx(0.5 / 3)
    assert verdict(gap) == "higher"
    assert verdict({"mean": -0.3, "se": 0.1}) == "lower"
    assert verdict({"mean": 0.15, "se": 0.1}) == "no difference beyond 2 SE"


@pytest.mark.parametrize("workers", [1, 2])
def test_compute_ood_table_runs_the_plan_in_workers_and_the_loader_checks_its_settings(tmp_path, workers):
    from latentbio.ood_table import compute_ood_table

    toy = _toy_pbmcs()
    toy.obs["cell_type"] = toy.obs["cell_type"].astype("category")
    path = tmp_path / "table.csv"
    table = compute_ood_table(path, workers=workers, adata=toy, settings=TINY)
    found = set(map(tuple, table.loc[table["seed"] >= 0, ["protocol", "cell_type", "seed"]].to_numpy().tolist()))
    assert found == {(p, c, s) for p, c, seeds in table_plan(["t0", "t1", "t2"]) for s in seeds}
    with pytest.raises(ValueError, match="other settings"):  # made with TINY, not the chapter's settings
        load_ood_table(path)
