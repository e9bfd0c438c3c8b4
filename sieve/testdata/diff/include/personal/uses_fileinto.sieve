fileinto "NoRequire";
