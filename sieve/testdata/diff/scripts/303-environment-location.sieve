# RFC 5183 §4.1: location (Pigeonhole's sieve-test says "MS", zest at delivery "MDA")
require ["environment", "variables", "fileinto"];
if environment :matches "location" "*" { fileinto "location-${1}"; }
