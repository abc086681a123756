"""Latent arithmetic for perturbation prediction (scGen; Lotfollahi, Wolf & Theis 2019, Methods).

The stimulation is summarised by one vector, delta = mean code of stimulated cells
- mean code of control cells, with cell types balanced so that an abundant type does
not dominate; adding delta to the codes of an unseen cell type's control cells and
decoding predicts how that type responds. The same arithmetic done directly on
expression values (no model) is the baseline that a latent space has to beat.
"""

import numpy as np

from ..checks import check_codes, check_labels


def balanced_group_mean(values, cell_types, *, types=None) -> np.ndarray:
    """The mean of ``values`` (rows = cells) over cell types, each type weighted
    equally: the average of the per-type means. ``types`` restricts it to those types."""
    values = check_codes(values, name="values")
    cell_types = check_labels(cell_types, len(values), name="cell_types")
    types = np.unique(cell_types) if types is None else list(types)
    if len(types) == 0:
        raise ValueError("no cell types to average over")
    means = []
    for cell_type in types:
        members = cell_types == cell_type
        if not members.any():
            raise ValueError(f"cell type {cell_type!r} has no cells")
        means.append(values[members].mean(axis=0))
    return np.mean(means, axis=0)


def stimulation_shift(values, cell_types, conditions, *, control="control", stimulated="stimulated") -> np.ndarray:
    """scGen's delta: balanced mean of ``values`` over stimulated cells minus that over control cells.

    ``values`` are codes or expression profiles, one row per cell. Only cell types
    seen in both conditions enter, so that both means average the same types (scGen
    balances by resampling every type to the largest type's size, which gives these
    means in expectation; it also keeps the held-out type's control cells in the
    control mean). Returns a vector of length ``values.shape[1]``.
    """
    values = check_codes(values, name="values")
    cell_types = check_labels(cell_types, len(values), name="cell_types")
    conditions = check_labels(conditions, len(values), name="conditions")
    for label in (control, stimulated):
        if not np.any(conditions == label):
            raise ValueError(f"no cells in condition {label!r}; conditions present: {sorted(set(conditions.tolist()))}")
    is_control, is_stimulated = conditions == control, conditions == stimulated
    shared = sorted(set(cell_types[is_control]) & set(cell_types[is_stimulated]))
    if not shared:
        raise ValueError("no cell type has cells in both conditions, so the stimulation shift is undefined")
    return (balanced_group_mean(values[is_stimulated], cell_types[is_stimulated], types=shared)
            - balanced_group_mean(values[is_control], cell_types[is_control], types=shared))


def predict_by_latent_arithmetic(model, train_adata, target_control_adata, *, cell_type_key: str = "cell_type",
                                 condition_key: str = "condition", control="control",
                                 stimulated="stimulated", library_size="observed") -> np.ndarray:
    """scGen's prediction: decode(latent(target control cells) + delta).

    ``model`` is an AnnData model with ``get_latent_representation`` (posterior means) and
    ``decode_latent``, like :class:`~latentbio.models.ExpressionVAE`; delta is
    :func:`stimulation_shift` of the codes of ``train_adata``'s cells, whose cell types and
    conditions are in ``obs[cell_type_key]`` and ``obs[condition_key]``. Returns the predicted
    stimulated profiles, one row per cell of ``target_control_adata``, in the units of the data
    the model reads: log-normalised expression for expression models; for count models
    (``model.reads_counts``), expected counts, each predicted cell decoded at the library size
    (total count) of the control cell it comes from (``library_size="observed"``), or at one
    given number for all cells (e.g. ``library_size=1.0`` for expression fractions).
    """
    for key in (cell_type_key, condition_key):
        if key not in train_adata.obs:
            raise ValueError(f"train_adata.obs has no column {key!r}; columns: {list(train_adata.obs.columns)}")
    reads_counts = getattr(model, "reads_counts", False)
    if not reads_counts and not (isinstance(library_size, str) and library_size == "observed"):
        raise ValueError(f"library_size is for count models; {type(model).__name__} decodes log-normalised "
                         "expression, which has no library size")
    shift = stimulation_shift(model.get_latent_representation(train_adata),
                              train_adata.obs[cell_type_key].astype(str).to_numpy(),
                              train_adata.obs[condition_key].astype(str).to_numpy(),
                              control=control, stimulated=stimulated)
    codes = model.get_latent_representation(target_control_adata) + shift.astype(np.float32)
    if not reads_counts:
        return model.decode_latent(codes)
    if isinstance(library_size, str):
        if library_size != "observed":
            raise ValueError(f"library_size must be 'observed' or a positive number; got {library_size!r}")
        library_size = model.observed_library_size(target_control_adata)
    return model.decode_latent(codes, library_size=library_size)


def predict_in_gene_space(train_x, cell_types, conditions, target_control_x, *,
                          control="control", stimulated="stimulated") -> np.ndarray:
    """The no-model baseline: each target control profile plus the mean stimulation
    shift of the other cell types, computed directly on expression values."""
    target_control_x = check_codes(target_control_x, name="target_control_x")
    shift = stimulation_shift(train_x, cell_types, conditions, control=control, stimulated=stimulated)
    if target_control_x.shape[1] != len(shift):
        raise ValueError(f"target_control_x must be cells x {len(shift)} genes; got shape {target_control_x.shape}")
    return target_control_x + shift
