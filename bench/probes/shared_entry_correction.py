"""Probe: does a shared, per-entry nonlinear correction beat the per-gene least-squares neighbourhood start?

PROTOCOL.md steps 1-3 (genes by variance/(1+mean) > 0.5, median normalization, a uniform mask of
p = min(density, 0.3) of the non-zeros), a kNN graph (k = 10, PCA 50 of log1p of the masked matrix, self excluded),
per-entry features of each masked entry, cells split train / test. Scored: MSE on the test cells' masked entries.
CELL=1 adds the cell's observed total and non-zero count to the features. Results and reading:
docs/benchmarks/probe-shared-entry-correction-2026-12-07.md and docs/BENCHMARKS.md section 3.
"""
import os, sys, gzip, numpy as np, scipy.io, scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from sklearn.ensemble import HistGradientBoostingRegressor

CELL = os.environ.get("CELL") == "1"

def load(d):
    m = scipy.io.mmread(gzip.open(f"{d}/matrix.mtx.gz")).tocsr().T.tocsr().astype(np.float64)  # cells x genes
    mean = np.asarray(m.mean(0)).ravel()
    sq = np.asarray(m.multiply(m).mean(0)).ravel()
    n = m.shape[0]
    var = (sq - mean**2) * n / (n - 1)
    keep = np.where(var / (1 + mean) > 0.5)[0]
    x = m[:, keep].tocsr()
    tot = np.asarray(x.sum(1)).ravel()
    x = sp.diags(np.median(tot) / np.maximum(tot, 1e-12)) @ x
    return x.tocsr(), m.nnz / (m.shape[0] * m.shape[1])

def run(d, seed, k=10, test_frac=0.2):
    x, dens = load(d)
    rng = np.random.default_rng(seed)
    p = min(dens, 0.3)
    coo = x.tocoo()
    nnz = coo.nnz
    pick = rng.choice(nnz, int(p * nnz), replace=False)
    mi, mj, mv = coo.row[pick], coo.col[pick], coo.data[pick]
    keepmask = np.ones(nnz, bool); keepmask[pick] = False
    xm = sp.csr_matrix((coo.data[keepmask], (coo.row[keepmask], coo.col[keepmask])), shape=x.shape)
    emb = PCA(min(50, min(x.shape) - 1), random_state=0).fit_transform(xm.log1p().toarray())
    nn = NearestNeighbors(n_neighbors=k + 1).fit(emb)
    _, idx = nn.kneighbors(emb)
    idx = idx[:, 1:]
    cells = x.shape[0]
    A = sp.csr_matrix((np.full(cells * k, 1.0 / k), (np.repeat(np.arange(cells), k), idx.ravel())), shape=(cells, cells))
    B = (xm != 0).astype(np.float64)
    S = (A @ xm).tocsr() / (1 - p)
    F = (A @ B).tocsr()
    m1 = np.asarray(S[mi, mj]).ravel()
    fr = np.asarray(F[mi, mj]).ravel()
    e1 = np.where(fr > 0, np.asarray((A @ xm)[mi, mj]).ravel() / np.maximum(fr, 1e-12), 0.0)
    A2 = A @ A
    m2 = np.asarray((A2 @ xm)[mi, mj]).ravel() / (1 - p)
    fr2 = np.asarray((A2 @ B)[mi, mj]).ravel()
    gm = np.asarray(xm.mean(0)).ravel() / (1 - p)
    gnz = np.asarray((xm != 0).sum(0)).ravel()
    ge = np.asarray(xm.sum(0)).ravel() / np.maximum(gnz, 1)
    cm = np.asarray(xm.sum(1)).ravel()
    cnz = np.asarray((xm != 0).sum(1)).ravel()
    test_cells = rng.random(cells) < test_frac
    te = test_cells[mi]; tr = ~te
    # Per-gene least squares on [m1, e1, 1] (training cells' masked entries), as the skip start.
    genes = x.shape[1]
    start = np.zeros(len(mv))
    for j in range(genes):
        sel = mj == j
        if not sel.any(): continue
        Xd = np.column_stack([m1[sel], e1[sel], np.ones(sel.sum())])
        t = sel & tr
        if t.sum() >= 3:
            Xt = np.column_stack([m1[t], e1[t], np.ones(t.sum())])
            coef = np.linalg.lstsq(Xt.T @ Xt + 1e-6 * np.eye(3), Xt.T @ mv[t], rcond=None)[0]
        else:
            coef = np.array([0, 0, mv[tr].mean()])
        start[sel] = Xd @ coef
    feats = np.column_stack([start, m1, e1, fr, m2, fr2, gm[mj], ge[mj]] + ([np.log1p(cm[mi]), cnz[mi]] if CELL else []))
    gbm = HistGradientBoostingRegressor(max_iter=300, learning_rate=0.05, early_stopping=True, validation_fraction=0.1,
                                        random_state=seed, l2_regularization=1.0)
    gbm.fit(feats[tr], mv[tr] - start[tr])
    corr = start + gbm.predict(feats)
    mse = lambda a: float(np.mean((a[te] - mv[te]) ** 2))
    return mse(start), mse(corr), int(te.sum()), genes, cells

if __name__ == "__main__":
    for d in sys.argv[1:]:
        for seed in (1, 2, 3):
            s, c, n, g, cl = run(d, seed)
            print(f"{d.split('/')[-1]} seed {seed}: cells {cl} genes {g} test entries {n}: start {s:.3f}  start+shared {c:.3f}  change {100*(c-s)/s:+.1f} %", flush=True)
