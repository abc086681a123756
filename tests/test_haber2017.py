"""The Haber 2017 regional UMI table is parsed into AnnData with region / mouse / cell type per cell."""

import gzip

import numpy as np
import pytest
import scipy.sparse as sp

from latentbio.data.haber2017 import parse_haber_cell_names, read_haber2017_regions

CELLS = ["AAACATACAACCAC_Duodenum_B1_Stem", "AAACATACACACTG_Jejunum_B2_Enterocyte.Progenitor",
         "AAACATACGAATAG_Ileum_B3_Enterocyte.Mature.Distal", "AAACATTGATGCGT_Ileum_B4_Tuft"]
GENES = ["Xkr4", "Gm1992", "Lypla1", "Tcea1", "Rgs20"]
COUNTS = np.array([[0, 1, 0, 0], [2, 0, 0, 7], [0, 0, 0, 0], [1, 1, 3, 0], [0, 4, 0, 1]])  # genes x cells


def write_table(path, header_has_gene_column: bool, values=COUNTS):
    header = ("GENE\t" if header_has_gene_column else "") + "\t".join(CELLS)
    rows = ["\t".join([gene, *map(str, row)]) for gene, row in zip(GENES, values)]
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.parametrize("header_has_gene_column", [True, False])
@pytest.mark.parametrize("chunk_genes", [2, 100])
def test_reads_counts_transposed_with_parsed_obs(tmp_path, header_has_gene_column, chunk_genes):
    path = write_table(tmp_path / "regional.txt.gz", header_has_gene_column)
    adata = read_haber2017_regions(path, chunk_genes=chunk_genes)
    assert adata.shape == (4, 5)
    assert list(adata.var_names) == GENES and list(adata.obs_names) == CELLS
    assert sp.issparse(adata.X) and adata.X.dtype == np.float32
    np.testing.assert_array_equal(adata.X.toarray(), COUNTS.T)
    np.testing.assert_array_equal(adata.layers["counts"].toarray(), COUNTS.T)
    assert list(adata.obs["region"]) == ["Duodenum", "Jejunum", "Ileum", "Ileum"]
    assert list(adata.obs["mouse"]) == ["B1", "B2", "B3", "B4"]
    assert list(adata.obs["cell_type"]) == ["Stem", "Enterocyte.Progenitor", "Enterocyte.Mature.Distal", "Tuft"]
    assert adata.obs["region"].dtype == "category"


def test_parse_keeps_underscores_in_cell_types_and_rejects_short_names():
    parsed = parse_haber_cell_names(["ACGT_Ileum_M1_Some_Type"])
    assert parsed.loc["ACGT_Ileum_M1_Some_Type", "cell_type"] == "Some_Type"
    with pytest.raises(ValueError, match="barcode_region_mouse_celltype"):
        parse_haber_cell_names(["ACGT_Ileum_Stem"])


def test_rejects_non_count_values(tmp_path):
    path = write_table(tmp_path / "bad.txt.gz", True, values=COUNTS + 0.5)
    with pytest.raises(ValueError, match="integer UMI counts"):
        read_haber2017_regions(path)
