# RFC 5183 §4.1: phase (Pigeonhole's sieve-test says "post", zest at delivery "during")
require ["environment", "variables", "fileinto"];
if environment :matches "phase" "*" { fileinto "phase-${1}"; }
