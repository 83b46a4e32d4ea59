#!/usr/bin/env python3
"""Issue 14's clustering evaluation, with scikit-learn, on `scgnn impute` outputs.

The issue's peer columns (MAGIC, ALRA) were measured this way; running our outputs through the same code makes
them comparable cell for cell, independent of the library's own ClusteringEvaluator (a different KMeans).

Per matrix: log1p, PCA to 50 components (full SVD), KMeans with k = number of cell types (n_init 10,
random_state = seed for seeds 1-5). Prints ARI / NMI (arithmetic) as means over the seeds and the silhouette of
the true labels on the PCA-50 embedding.

  python3 cluster_eval.py --data ../shared/data/pbmc3k --outputs out-smoothed.h5ad out-default.h5ad

"raw" is computed from the 10x folder as PROTOCOL.md steps 1-2 (variance/(1+mean) > 0.5 with the n-1 variance,
median normalization over the kept genes) and must keep the same genes as the outputs; the script checks it.
Needs numpy, scipy, scikit-learn, h5py (Debian: python3-sklearn python3-h5py).
"""
import argparse
import gzip
import sys

import h5py
import numpy as np
import scipy.io
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score


def read_lines(path):
    with gzip.open(path, "rt") as f:
        return [line.rstrip("\n").split("\t") for line in f]


def read_raw(folder):
    counts = scipy.io.mmread(f"{folder}/matrix.mtx.gz").tocsc().T.tocsr().astype(np.float64)  # cells x genes
    cells = [r[0] for r in read_lines(f"{folder}/barcodes.tsv.gz")]
    genes = [r[0] for r in read_lines(f"{folder}/features.tsv.gz")]
    mean = np.asarray(counts.mean(axis=0)).ravel()
    sq = np.asarray(counts.multiply(counts).mean(axis=0)).ravel()
    n = counts.shape[0]
    var = (sq - mean * mean) * n / (n - 1)
    metric = var / (1 + mean)
    keep = np.where(metric > 0.5)[0]
    keep = keep[np.argsort(-metric[keep], kind="stable")]
    x = counts[:, keep]
    total = np.asarray(x.sum(axis=1)).ravel()
    x = sp.diags(np.median(total) / total) @ x
    return cells, [genes[j] for j in keep], x.tocsr()


def decode(a):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in a]


def read_h5ad(path):
    with h5py.File(path, "r") as f:
        g = f["X"]
        if isinstance(g, h5py.Dataset):  # a dense X (what scgnn impute writes)
            x = sp.csr_matrix(g[:])
        else:
            shape = tuple(g.attrs["shape"])
            x = sp.csr_matrix((g["data"][:], g["indices"][:], g["indptr"][:]), shape=shape)
        return decode(f["obs/_index"][:]), decode(f["var/_index"][:]), x


def read_labels(path):
    with open(path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return {r[0]: r[1] for r in rows}


def evaluate(x, labels, seeds):
    dense = np.log1p(x.toarray().astype(np.float64))
    emb = PCA(n_components=50, svd_solver="full").fit_transform(dense)
    k = len(set(labels))
    ari, nmi = [], []
    for seed in seeds:
        pred = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(emb)
        ari.append(adjusted_rand_score(labels, pred))
        nmi.append(normalized_mutual_info_score(labels, pred))
    return float(np.mean(ari)), float(np.mean(nmi)), float(silhouette_score(emb, labels)), ari


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="10x folder with labels.tsv")
    p.add_argument("--outputs", nargs="*", default=[], help=".h5ad files written by scgnn impute on that folder")
    p.add_argument("--seeds", type=int, default=5)
    a = p.parse_args()
    cells, genes, raw = read_raw(a.data)
    by_cell = read_labels(f"{a.data}/labels.tsv")
    seeds = range(1, a.seeds + 1)
    matrices = [("raw", cells, genes, raw)] + [(path, *read_h5ad(path)) for path in a.outputs]
    for name, c, g, x in matrices:
        if g != genes:
            sys.exit(f"{name}: its {len(g)} genes are not the {len(genes)} genes PROTOCOL.md keeps for {a.data}")
        rows = [i for i, cell in enumerate(c) if cell in by_cell]
        labels = [by_cell[c[i]] for i in rows]
        ari, nmi, sil, per_seed = evaluate(x[rows], labels, seeds)
        print(f"{name}\tARI {ari:.3f}\tNMI {nmi:.3f}\tsilhouette {sil:.3f}\tcells {len(rows)}\t"
              f"ARI per seed {' '.join(f'{v:.3f}' for v in per_seed)}", flush=True)


if __name__ == "__main__":
    main()
