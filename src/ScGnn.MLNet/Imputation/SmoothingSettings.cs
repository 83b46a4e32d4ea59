namespace ScGnn.MLNet.Imputation;

/// <summary>How <see cref="ClusteringOutput"/> builds its graph and which smoothings it compares.</summary>
internal sealed record SmoothingSettings
{
    /// <summary>
    /// The settings <see cref="ImputationOutputMode.Smoothed"/> uses: the batch's own PCA, MAGIC's adaptive kernel
    /// (decay 1) and a weight of the smoothed values chosen with k and t. The weight is what keeps weakly separated
    /// groups apart where smoothing alone merges them (docs/BENCHMARKS.md section 4).
    /// </summary>
    internal static SmoothingSettings Default { get; } = new() { BatchBasis = true, ScaleGenes = true, Decay = 1, MixByCrossValidation = true };

    /// <summary>
    /// Build the graph in a PCA of the batch itself (log1p when the model's graph is), with the model's component
    /// count, instead of in the model's basis; cross-validation uses the PCA of its first half. The model's basis was
    /// fitted on its masked training input, a noisier picture of the cells than the batch's own values.
    /// </summary>
    internal bool BatchBasis { get; init; }

    /// <summary>Leading PCA components the graph is built on; 0: all of the model's.</summary>
    internal int Components { get; init; }

    /// <summary>Build the graph on as many leading components as <see cref="ParallelAnalysis"/> finds (overrides <see cref="Components"/>).</summary>
    internal bool ByParallelAnalysis { get; init; }

    /// <summary>Parallel analysis compares each component with the permuted matrix's component of the same rank.</summary>
    internal bool PerComponentNull { get; init; }

    /// <summary>With <see cref="ByParallelAnalysis"/>, also try the graph on every component of the model, and let cross-validation choose.</summary>
    internal bool AlsoAllComponents { get; init; }

    /// <summary>
    /// Scale each gene of the batch-basis graph's input to unit variance before its PCA (<see cref="Numerics.CsrMatrix.ScaleColumnsToUnitVariance"/>),
    /// so that the graph weighs a rare cell type's markers as much as the abundant genes that dominate an unscaled PCA.
    /// </summary>
    internal bool ScaleGenes { get; init; }

    /// <summary>Smooth log1p of the values and write expm1 of the result (a geometric mean over neighbours).</summary>
    internal bool LogSpace { get; init; }

    /// <summary>Neighbour counts tried, as multiples of the model's k.</summary>
    internal double[] NeighborFactors { get; init; } = { 0.5, 1, 2 };

    /// <summary>Most diffusion steps tried.</summary>
    internal int MaxSteps { get; init; } = ClusteringOutput.MaxSteps;

    /// <summary>A fixed t instead of cross-validation's (0: cross-validated).</summary>
    internal int FixedSteps { get; init; }

    /// <summary>
    /// Kernel of the diffusion: 0, the flat kNN graph (each row the mean of the cell and its neighbours); above 0,
    /// MAGIC's adaptive (alpha-decay) kernel with this exponent over each cell's 3k nearest cells, bandwidth its k-th
    /// neighbour's distance (<see cref="DiffusionOperator.AlphaDecay"/>).
    /// </summary>
    internal double Decay { get; init; }

    /// <summary>The weight w of the smoothed values in the output <c>(1 - w) X + w P^t X</c> (1: smoothed only).</summary>
    internal double Mix { get; init; } = 1;

    /// <summary>Cross-validation chooses w with k and t, from 1/<see cref="MixGrid"/>, 2/<see cref="MixGrid"/>, ..., 1 (overrides <see cref="Mix"/>).</summary>
    internal bool MixByCrossValidation { get; init; }

    /// <summary>Number of weights cross-validation tries.</summary>
    internal int MixGrid { get; init; } = 10;

    /// <summary>
    /// Cross-fitting in this many parts (0: none): the molecules are split into parts, each part is diffused over the
    /// graph built on the rest, and the parts are added, so that no value is averaged over neighbours its own noise chose.
    /// </summary>
    internal int Folds { get; init; }

    /// <summary>
    /// Cross-validate in a locality order of the cells' embedding (<see cref="Graph.KnnGraph.LocalityOrder"/>): the same
    /// diffusion, with each step's neighbour rows near each other in memory.
    /// </summary>
    internal bool CellOrder { get; init; } = true;

    /// <summary>
    /// Genes the cross-validation's loss is measured on (0: every gene up to <see cref="ClusteringOutput.CrossValidationEntries"/>
    /// cells x genes, a sample of them above it).
    /// </summary>
    internal int CrossValidationGenes { get; init; }

    /// <summary>
    /// Most cells the cross-validation reads (0: <see cref="ClusteringOutput.CrossValidationCells"/>). A larger batch is
    /// cross-validated on a random sample of this many of its cells, and the k, t and weight chosen there smooth every cell.
    /// </summary>
    internal int CrossValidationCells { get; init; }

    /// <summary>
    /// Whether a batch too large to diffuse whole is diffused ahead into a temporary file (true) or row by row as its
    /// rows are read (false); null: whichever <see cref="ClusteringOutput.SpillPays"/> finds cheaper.
    /// </summary>
    internal bool? Spill { get; init; }

    /// <summary>
    /// Parses <c>basis=batch|model/scale=0|1/pcs=pa|pai|pa+all|N/log=0|1/ks=0.5+1+2/t=10/tfix=N/decay=D/mix=W|cv/mixgrid=N/cross=F/order=0|1/cvgenes=N/cvcells=N/spill=0|1|auto</c> (the
    /// clustering benchmark's explored variants).
    /// </summary>
    internal static SmoothingSettings Parse(string spec)
    {
        var s = new SmoothingSettings();
        foreach (var part in spec.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            string v = kv.Length > 1 ? kv[1] : "";
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            s = kv[0] switch
            {
                "pcs" when v == "pa" => s with { ByParallelAnalysis = true, AlsoAllComponents = false },
                "pcs" when v == "pai" => s with { ByParallelAnalysis = true, PerComponentNull = true },
                "pcs" when v == "pa+all" => s with { ByParallelAnalysis = true, AlsoAllComponents = true },
                "pcs" => s with { Components = int.Parse(v, inv), ByParallelAnalysis = false, AlsoAllComponents = false },
                "log" => s with { LogSpace = v == "1" },
                "scale" => s with { ScaleGenes = v == "1" },
                "basis" when v is "batch" or "model" => s with { BatchBasis = v == "batch" },
                "ks" => s with { NeighborFactors = v.Split('+').Select(f => double.Parse(f, inv)).ToArray() },
                "decay" => s with { Decay = double.Parse(v, inv) },
                "mixgrid" => s with { MixGrid = int.Parse(v, inv) },
                "mix" when v == "cv" => s with { MixByCrossValidation = true },
                "mix" => s with { Mix = double.Parse(v, inv) },
                "cross" => s with { Folds = int.Parse(v, inv) },
                "cvgenes" => s with { CrossValidationGenes = int.Parse(v, inv) },
                "cvcells" => s with { CrossValidationCells = int.Parse(v, inv) },
                "order" => s with { CellOrder = v == "1" },
                "spill" => s with { Spill = v switch { "1" => true, "0" => false, _ => null } },
                "tfix" => s with { FixedSteps = int.Parse(v, inv) },
                "t" => s with { MaxSteps = int.Parse(v, inv) },
                _ => throw new ArgumentException($"Unknown smoothing setting '{part}'."),
            };
        }
        return s;
    }
}
