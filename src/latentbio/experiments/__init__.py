"""The course's experiments: the top layer of ``latentbio``, above models, metrics and data.

One module per chapter experiment, each with the settings and the table its chapter reads:

- :mod:`.ch03_lord`: LORD, its ablation and a baseline on procedural shapes, judged by a classifier;
- :mod:`.ch04_clusters`: PCA and a count VAE on simulated cells, over seeds;
- :mod:`.ch05_scgen_task`, :mod:`.ch05_paper_protocol`, :mod:`.ch05_table`: out-of-distribution
  prediction on the Kang PBMCs, in scGen's task and in the paper's protocol, every type held out;
- :mod:`.ch06_multigroup`: multiGroupVI, its ablations and the composition shift.

And what every experiment shares: :mod:`.evidence` (the one rule for claims, and the ledger's
claims), :mod:`.pool` (the one worker pool) and :mod:`.tables` (make, ship, load and compare a
table). ``python -m latentbio.experiments --help`` makes or checks any table.
"""

import importlib

TABLE_MODULES = {"ch03_lord": "ch03_lord", "ch04_clusters": "ch04_clusters", "ch05_ood": "ch05_table",
                 "ch06_multigroup": "ch06_multigroup"}
"""Each table's name and the module (in this package) whose ``TABLE`` describes it."""


def table_spec(name: str):
    """The :class:`~latentbio.experiments.tables.TableSpec` of table ``name`` (one of :data:`TABLE_MODULES`)."""
    if name not in TABLE_MODULES:
        raise ValueError(f"no table {name!r}; tables: {', '.join(TABLE_MODULES)}")
    return importlib.import_module(f"{__name__}.{TABLE_MODULES[name]}").TABLE


__all__ = ["TABLE_MODULES", "table_spec"]
