#!/usr/bin/env python3
"""Writes the small .h5ad / Cell Ranger .h5 fixtures of the H5 reader tests with the real tools.

Run from this folder with Debian 12's python3-anndata (0.8) and python3-h5py (3.7):
    /usr/bin/python3 make_fixtures.py
Every fixture holds the same 6 cells x 5 genes counts matrix (COUNTS below), so tests can check exact values.
"""
import os

import anndata as ad
import h5py
import numpy as np
import pandas as pd
import scipy.io
import scipy.sparse as sp

COUNTS = np.array([
    [1, 0, 0, 3, 0],
    [0, 2, 0, 0, 0],
    [0, 0, 0, 0, 0],
    [4, 0, 5, 0, 1],
    [0, 0, 0, 7, 0],
    [2, 1, 0, 0, 6],
], dtype=np.int32)
CELLS = [f"AAAC-{i}" for i in range(6)]
GENES = [f"ENSG0000{i}" for i in range(5)]
SYMBOLS = ["CD3E", "MS4A1", "LYZ", "NKG7", "CD3E"]  # a repeated symbol, as real data has
TYPES = ["T", "B", "T", "Mono", "NK", "B"]


def frame_obs():
    obs = pd.DataFrame(index=pd.Index(CELLS))
    obs["cell_type"] = pd.Categorical(TYPES, categories=["B", "Mono", "NK", "T"])
    obs["n_counts"] = COUNTS.sum(axis=1).astype(np.float32)
    obs["n_genes"] = (COUNTS > 0).sum(axis=1).astype(np.int64)
    obs["note"] = [f"note {i}" for i in range(6)]  # unique strings stay strings
    obs["is_doublet"] = [False, False, True, False, False, False]
    return obs


def frame_var(symbols=SYMBOLS, genes=GENES):
    var = pd.DataFrame(index=pd.Index(genes))
    var["gene_symbols"] = symbols
    var["highly_variable"] = [True, False, True, True, False, False][: len(genes)]
    var["means"] = np.arange(len(genes), dtype=np.float64) / 2
    return var


def write_anndata():
    x = COUNTS.astype(np.float32)
    a = ad.AnnData(X=sp.csr_matrix(x), obs=frame_obs(), var=frame_var())
    a.layers["counts"] = sp.csr_matrix(COUNTS * 10)
    # raw holds 6 genes: the 5 above plus one dropped by a filter.
    raw_counts = np.hstack([COUNTS, np.arange(6, dtype=np.int32).reshape(6, 1)])
    raw_genes = GENES + ["ENSG00009"]
    raw = ad.AnnData(X=sp.csr_matrix(raw_counts.astype(np.float32)), obs=frame_obs(),
                     var=frame_var(SYMBOLS + ["MT-CO1"], raw_genes))
    a.raw = raw
    a.uns["title"] = "csr fixture"
    a.write_h5ad("csr.h5ad")

    b = ad.AnnData(X=sp.csc_matrix(COUNTS.astype(np.float64)), obs=frame_obs(), var=frame_var(), dtype=np.float64)
    b.write_h5ad("csc.h5ad")

    c = ad.AnnData(X=COUNTS.astype(np.int32), obs=frame_obs(), var=frame_var(), dtype=np.int32)
    c.write_h5ad("dense.h5ad")

    d = ad.AnnData(X=COUNTS.astype(np.float32), obs=frame_obs(), var=frame_var())
    d.write_h5ad("dense_gzip.h5ad", compression="gzip")


def write_anndata_07():
    """The layout anndata 0.7 wrote: codes datasets with a 'categories' attribute that is an object reference
    into obs/__categories, dataframe encoding-version 0.1.0, fixed-length byte strings."""
    with h5py.File("anndata07.h5ad", "w") as f:
        f.attrs["encoding-type"] = "anndata"
        f.attrs["encoding-version"] = "0.1.0"
        x = sp.csr_matrix(COUNTS.astype(np.float32))
        g = f.create_group("X")
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["encoding-version"] = "0.1.0"
        g.attrs["shape"] = np.array(x.shape, dtype=np.int64)
        g["data"] = x.data
        g["indices"] = x.indices.astype(np.int32)
        g["indptr"] = x.indptr.astype(np.int32)
        for name, index, cols in (("obs", CELLS, True), ("var", GENES, False)):
            df = f.create_group(name)
            df.attrs["encoding-type"] = "dataframe"
            df.attrs["encoding-version"] = "0.1.0"
            df.attrs["_index"] = "index"
            df["index"] = np.array([s.encode() for s in index], dtype="S")  # fixed-length strings
            if cols:
                cats = df.create_group("__categories")
                cats["cell_type"] = np.array([b"B", b"Mono", b"NK", b"T"], dtype="S")
                codes = np.array([["B", "Mono", "NK", "T"].index(t) for t in TYPES], dtype=np.int8)
                df["cell_type"] = codes
                df["cell_type"].attrs["categories"] = cats["cell_type"].ref
                df["n_counts"] = COUNTS.sum(axis=1).astype(np.float32)
                df.attrs["column-order"] = np.array(["cell_type", "n_counts"], dtype=h5py.string_dtype())
            else:
                df["gene_symbols"] = np.array([s.encode() for s in SYMBOLS], dtype="S")
                df.attrs["column-order"] = np.array(["gene_symbols"], dtype=h5py.string_dtype())
        f.create_group("uns")


def write_huge_claim():
    """A few-KB .h5ad whose X/data and X/indices claim 2^30 entries in chunks that were never written: a reader
    that trusts the header allocates 8 GB of zeros."""
    a = ad.AnnData(X=sp.csr_matrix(COUNTS.astype(np.float32)), obs=frame_obs(), var=frame_var())
    a.write_h5ad("huge_claim.h5ad")
    with h5py.File("huge_claim.h5ad", "a") as f:
        for name, dtype in (("data", "f4"), ("indices", "i4")):
            del f["X"][name]
            f["X"].create_dataset(name, shape=(2 ** 30,), chunks=(2 ** 20,), dtype=dtype)
        del f["X"]["indptr"]
        f["X"]["indptr"] = np.array([0, 2 ** 28, 2 ** 29, 2 ** 29, 2 ** 29 + 5, 2 ** 30 - 1, 2 ** 30], dtype=np.int64)


def write_10x():
    x = sp.csc_matrix(COUNTS.T)  # genes x cells, compressed by cell, as Cell Ranger writes
    # v3: add an antibody feature that readers drop by default.
    adt = np.array([[9, 8, 7, 6, 5, 4]], dtype=np.int32)
    x3 = sp.csc_matrix(np.vstack([COUNTS.T, adt]))
    with h5py.File("tenx_v3.h5", "w") as f:
        m = f.create_group("matrix")
        m.create_dataset("data", data=x3.data.astype(np.int32), compression="gzip")
        m.create_dataset("indices", data=x3.indices.astype(np.int64), compression="gzip")
        m.create_dataset("indptr", data=x3.indptr.astype(np.int64), compression="gzip")
        m["shape"] = np.array(x3.shape, dtype=np.int32)
        m["barcodes"] = np.array([c.encode() for c in CELLS], dtype="S")
        feat = m.create_group("features")
        feat["id"] = np.array([g.encode() for g in GENES + ["ADT_CD3"]], dtype="S")
        feat["name"] = np.array([s.encode() for s in SYMBOLS + ["CD3_TotalSeqB"]], dtype="S")
        feat["feature_type"] = np.array([b"Gene Expression"] * 5 + [b"Antibody Capture"], dtype="S")
        feat["genome"] = np.array([b"GRCh38"] * 5 + [b""], dtype="S")
        feat["_all_tag_keys"] = np.array([b"genome"], dtype="S")
        f.attrs["library_ids"] = np.array([b"lib1"], dtype="S")
        f.attrs["filetype"] = "matrix"
    with h5py.File("tenx_v2.h5", "w") as f:
        g = f.create_group("GRCh38")
        g["data"] = x.data.astype(np.int32)
        g["indices"] = x.indices.astype(np.int64)
        g["indptr"] = x.indptr.astype(np.int64)
        g["shape"] = np.array(x.shape, dtype=np.int32)
        g["barcodes"] = np.array([c.encode() for c in CELLS], dtype="S")
        g["genes"] = np.array([s.encode() for s in GENES], dtype="S")
        g["gene_names"] = np.array([s.encode() for s in SYMBOLS], dtype="S")


def write_10x_folder():
    """The same counts as a plain 10x v3 MatrixMarket folder, for the same-data-two-formats test."""
    os.makedirs("tenx_folder", exist_ok=True)
    scipy.io.mmwrite("tenx_folder/matrix.mtx", sp.coo_matrix(COUNTS.T), field="integer")
    with open("tenx_folder/features.tsv", "w") as f:
        for g, s in zip(GENES, SYMBOLS):
            f.write(f"{g}\t{s}\tGene Expression\n")
    with open("tenx_folder/barcodes.tsv", "w") as f:
        for c in CELLS:
            f.write(c + "\n")


if __name__ == "__main__":
    write_anndata()
    write_anndata_07()
    write_huge_claim()
    write_10x()
    write_10x_folder()
    print("anndata", ad.__version__, "h5py", h5py.__version__)
