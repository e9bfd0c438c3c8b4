# RFC 7352 §3.1: a missing header makes the test false
require ["duplicate", "fileinto"];
if duplicate :header "X-No-Such-Field" { discard; }
if not duplicate :header "X-No-Such-Field" { fileinto "missing"; }
