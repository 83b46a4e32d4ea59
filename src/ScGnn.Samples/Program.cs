var t = typeof(TorchSharp.torch.Tensor);
foreach (var m in t.GetMethods().Select(m => m.Name).Distinct().Where(n => n.Contains("sparse") || n.Contains("coales") || n.Contains("index_fill")))
    Console.WriteLine(m);
foreach (var m in typeof(TorchSharp.torch).GetMethods().Select(m => m.Name).Distinct().Where(n => n.Contains("sparse")))
    Console.WriteLine("torch." + m);
