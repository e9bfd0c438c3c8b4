# RFC 5183 §4.1: item names in upper case
require ["environment", "fileinto"];
if environment :contains "LOCATION" "" { fileinto "upper"; }
