# RFC 5183 §4.1: name is the product ("Pigeonhole Sieve", "zest")
require ["environment", "variables", "fileinto"];
if environment :matches "name" "*" { fileinto "name-${1}"; }
