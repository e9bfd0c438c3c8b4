# RFC 7352 §3.1: :header uses the first field, decoded and trimmed
require ["duplicate", "fileinto"];
if duplicate :header "subject" { discard; } else { fileinto "subject-new"; }
