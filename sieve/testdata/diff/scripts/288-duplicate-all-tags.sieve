# RFC 7352 §3: every tag at once: :handle :header :seconds :last
require ["duplicate", "fileinto"];
if duplicate :handle "h" :header "subject" :seconds 3600 :last { discard; } else { fileinto "kept"; }
