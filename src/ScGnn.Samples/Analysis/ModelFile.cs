using Microsoft.ML;
using ScGnn.MLNet.Imputation;
using ScGnn.MLNet.Persistence;
using ScGnn.Samples.Cli;

namespace ScGnn.Samples.Analysis;

/// <summary>Saving and loading ML.NET model zips, with one-line errors and no partial files.</summary>
internal static class ModelFile
{
    public static void Save(MLContext ml, ITransformer model, DataViewSchema inputSchema, string path) =>
        AtomicFile.Write(path, stream => ml.Model.Save(model, inputSchema, stream));

    /// <summary>Loads a zip; on failure the model validator names the broken component when it can.</summary>
    public static ITransformer Load(MLContext ml, string path, out DataViewSchema inputSchema)
    {
        if (Directory.Exists(path)) throw new CommandFailedException($"{path}: is a folder; --model expects a .zip file written by 'scgnn impute --model'.");
        if (!File.Exists(path)) throw new CommandFailedException($"{path}: no such model file.");
        try
        {
            return ml.Model.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            try
            {
                ModelFileValidator.Validate(path);
            }
            catch (ScGnnModelFormatException v)
            {
                // Some of the validator's messages name the zip entry but not the file.
                throw new CommandFailedException(v.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal) ? v.Message : $"{path}: {v.Message}", v);
            }
            catch (Exception v) when (v is IOException or UnauthorizedAccessException)
            {
                throw new CommandFailedException($"{path}: {v.Message}", v);
            }
            throw new CommandFailedException($"{path}: not a loadable ML.NET model: {ErrorText.For(e)}", e);
        }
    }

    /// <summary>Every transformer of a (possibly nested) chain, in order.</summary>
    public static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var t in chain)
                foreach (var inner in Flatten(t)) yield return inner;
        }
        else
        {
            yield return model;
        }
    }

    public static ScGnnImputationTransformer? FindImputer(ITransformer model) =>
        Flatten(model).OfType<ScGnnImputationTransformer>().LastOrDefault();
}
