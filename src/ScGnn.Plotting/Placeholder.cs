namespace ScGnn.Plotting;
