var t = typeof(TorchSharp.DisposeScopeManager);
foreach (var p in t.GetProperties()) Console.WriteLine("DSM." + p.Name);
foreach (var p in typeof(TorchSharp.DisposeScopeManager).Assembly.GetTypes().Where(x => x.Name.Contains("Statistic"))) { Console.WriteLine(p.FullName); foreach (var q in p.GetProperties()) Console.WriteLine("  " + q.Name); }
foreach (var m in t.GetMethods().Select(m => m.Name).Distinct().Where(n => n.Contains("sparse") || n.Contains("coales") || n.Contains("index_fill")))
    Console.WriteLine(m);
foreach (var m in typeof(TorchSharp.torch).GetMethods().Select(m => m.Name).Distinct().Where(n => n.Contains("sparse")))
    Console.WriteLine("torch." + m);
