# size with an M suffix and :over 0 (SV-01, SV-12)
require ["fileinto", "copy"];
if size :under 1M { fileinto :copy "under-1M"; }
if size :over 0 { fileinto :copy "over-0"; }
if size :under 0 { fileinto :copy "under-0"; }
